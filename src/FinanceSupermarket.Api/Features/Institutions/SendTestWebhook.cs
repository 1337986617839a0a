using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Institutions;

/// <summary>
/// The institution tries its webhook: a webhook.test delivery goes the way every delivery goes (stored, posted after
/// commit, signed, retried on the row's schedule), and its attempts show at …/webhook/deliveries/{deliveryId}.
/// </summary>
public sealed record SendTestWebhook(string InstitutionId) : Mediator.ICommand<SendTestWebhook.Result>
{
    public sealed record Result(string DeliveryId);

    public sealed class Handler(UnitOfWork unit, CurrentUser user, TimeProvider clock) : ICommandHandler<SendTestWebhook, Result>
    {
        public async ValueTask<Result> Handle(SendTestWebhook command, CancellationToken cancellationToken)
        {
            user.RequireOwnOrAdmin(command.InstitutionId);
            if ((await InstitutionWebhook.ReadAsync(unit, command.InstitutionId)).Url is null)
                throw new ConflictException(RuleTexts.Say("WebhookNoneToTest"));
            var id = WebhookDeliveries.Store(unit, command.InstitutionId, WebhookDeliveries.TestEvent, null,
                "测试消息 / A test delivery: the webhook works when this arrives with a signature that verifies.", null, clock.GetUtcNow());
            return new Result(id);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/webhook/test", async (string id, IMediator mediator, CancellationToken ct) =>
            {
                var sent = await mediator.Send(new SendTestWebhook(id), ct);
                return TypedResults.Accepted($"/api/v1/institutions/{id}/webhook/deliveries/{sent.DeliveryId}", sent);
            })
            .ForTheInstitutionOrAdmins()
            .WithName("sendTestWebhook")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Send a webhook.test delivery to the institution's webhook; 202 with where to follow it")
            .WithDescription("Queues one signed `webhook.test` event to the URL set, delivered and retried like any other; `Location` names the delivery to read its outcome. 409 when no webhook is set.");
}
