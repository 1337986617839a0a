using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>The body of setting a webhook: where deliveries go.</summary>
public sealed record WebhookUrlBody(string WebhookUrl);

/// <summary>
/// An institution points its webhook at its own system (or an admin does): https, not into a private network, checked
/// now and at every delivery. A webhook that has no secret yet gets one, shown in this answer only; a secret it has stays.
/// </summary>
public sealed record SetWebhook(string InstitutionId, string WebhookUrl) : Mediator.ICommand<SetWebhook.Result>
{
    /// <param name="Secret">The new signing secret (whsec_…) when this call made the webhook's first one; null when it kept its secret.</param>
    public sealed record Result(string WebhookUrl, string? Secret);

    public sealed class Validator : AbstractValidator<SetWebhook>
    {
        public Validator(WebhookAddresses addresses) =>
            RuleFor(x => x.WebhookUrl).NotEmpty().Text(500).DependentRules(() => RuleFor(x => x.WebhookUrl!).WebhookUrl(addresses));
    }

    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock, WebhookSecrets secrets, IOptions<WebhookOptions> options)
        : ICommandHandler<SetWebhook, Result>
    {
        public async ValueTask<Result> Handle(SetWebhook command, CancellationToken cancellationToken)
        {
            user.RequireOwnOrAdmin(command.InstitutionId);
            var now = clock.GetUtcNow();
            var before = await InstitutionWebhook.ReadAsync(unit, command.InstitutionId);
            var secret = before.Secret is null ? WebhookSignature.NewSecret() : null;
            await InstitutionWebhook.SetUrlAsync(unit, command.InstitutionId, command.WebhookUrl);
            if (secret is not null) await InstitutionWebhook.ReplaceSecretAsync(unit, secrets, command.InstitutionId, secret, now + options.Value.SecretOverlap);
            if (before.Url != command.WebhookUrl || secret is not null)
                unit.Record(now, "institution", command.InstitutionId, "changed",
                    $"webhookUrl: {before.Url ?? "(none)"} → {command.WebhookUrl}" + (secret is null ? "" : "; webhookSecret: created"));
            return new Result(command.WebhookUrl, secret);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPut("/{id}/webhook", async (string id, WebhookUrlBody body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new SetWebhook(id, body.WebhookUrl), ct)))
            .ForTheInstitutionOrAdmins()
            .WithName("setWebhook")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Point the institution's webhook at its system (the institution, or an admin)")
            .WithDescription("The URL must be https and must not lead into a private, loopback, link-local or metadata address (400 naming webhookUrl). " +
                             "A webhook without a secret gets one, returned in `secret` this once; deliveries are signed with it (Standard Webhooks).");
}
