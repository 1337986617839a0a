using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>
/// The institution replaces its webhook's signing secret (after a leak, or as routine): the new one is shown in this answer
/// only; until the overlap ends (Webhooks:SecretOverlap, 24 hours by default) deliveries carry a signature under each, so
/// that the institution's system can take the new secret at its own pace.
/// </summary>
public sealed record RotateWebhookSecret(string InstitutionId) : Mediator.ICommand<RotateWebhookSecret.Result>
{
    /// <param name="Secret">The new signing secret (whsec_…), shown this once.</param>
    /// <param name="PreviousSecretValidUntil">Until when the replaced secret still signs, beside the new one.</param>
    public sealed record Result(string Secret, DateTimeOffset PreviousSecretValidUntil);

    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock, WebhookSecrets secrets, IOptions<WebhookOptions> options)
        : ICommandHandler<RotateWebhookSecret, Result>
    {
        public async ValueTask<Result> Handle(RotateWebhookSecret command, CancellationToken cancellationToken)
        {
            user.RequireOwnOrAdmin(command.InstitutionId);
            var now = clock.GetUtcNow();
            if ((await InstitutionWebhook.ReadAsync(unit, command.InstitutionId)).Url is null)
                throw new ConflictException(RuleTexts.Say("WebhookNoneToRotate"));
            var secret = WebhookSignature.NewSecret();
            var until = now + options.Value.SecretOverlap;
            await InstitutionWebhook.ReplaceSecretAsync(unit, secrets, command.InstitutionId, secret, until);
            unit.Record(now, "institution", command.InstitutionId, "changed", $"webhookSecret: rotated; the previous one signs until {until:O}");
            return new Result(secret, until);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/webhook/secret", async (string id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new RotateWebhookSecret(id), ct)))
            .ForTheInstitutionOrAdmins()
            .WithName("rotateWebhookSecret")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Replace the webhook's signing secret; the new one is returned this once")
            .WithDescription("Until `previousSecretValidUntil` every delivery is signed with both secrets (two v1 signatures in webhook-signature).");
}
