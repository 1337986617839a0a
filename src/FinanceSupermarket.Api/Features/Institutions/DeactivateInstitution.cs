using FinanceSupermarket.Api.Features.Products;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Institutions;

public sealed record DeactivationBody(string Reason);

/// <summary>
/// An admin deactivates an institution (it left the platform, or was barred): its products come off the shelves, its open
/// dispatches close and each request goes on to the next institution in its ranking, and nothing new reaches it.
/// </summary>
public sealed record DeactivateInstitution(string Id, string Reason) : Mediator.ICommand
{
    public sealed class Validator : AbstractValidator<DeactivateInstitution>
    {
        public Validator() => RuleFor(x => x.Reason).NotEmpty().Text(500);
    }

    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, TimeProvider clock) : ICommandHandler<DeactivateInstitution>
    {
        private const string DeactivateSql = "UPDATE institutions SET deactivated_at = @Now WHERE id = @Id AND deactivated_at IS NULL";
        private const string ExistsSql = "SELECT COUNT(*) FROM institutions WHERE id = @Id";
        private const string ListedSql = "SELECT id FROM products WHERE institution_id = @Id AND status = 'listed'";
        private const string DelistSql = "UPDATE products SET status = 'delisted', updated_at = @Now WHERE id = @ProductId";
        private const string OpenDispatchesSql = """
            SELECT d.id AS DispatchId, d.request_id AS RequestId, i.name AS InstitutionName, r.enterprise_id AS EnterpriseId,
                   r.region_code AS RegionCode, r.submitted_at AS SubmittedAt, d.status
            FROM dispatches d JOIN institutions i ON i.id = d.institution_id JOIN financing_requests r ON r.id = d.request_id
            WHERE d.institution_id = @Id AND d.status IN ('pending', 'accepted')
            """;

        public async ValueTask<Unit> Handle(DeactivateInstitution command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            if (await unit.ExecuteAsync(DeactivateSql, new { command.Id, Now = now }) == 0)
                throw await unit.ExecuteScalarAsync<long>(ExistsSql, new { command.Id }) == 0
                    ? new NotFoundException("The institution")
                    : new ConflictException(RuleTexts.Say("InstitutionDeactivatedAlready"));
            foreach (var product in await unit.QueryAsync<string>(ListedSql, new { command.Id }))
            {
                await unit.ExecuteAsync(DelistSql, new { ProductId = product, Now = now });
                await ProductStore.StampCatalogVersionAsync(unit, product);
            }
            foreach (var open in await unit.QueryAsync<OpenDispatch>(OpenDispatchesSql, new { command.Id }))
                await steps.TryMoveAsync(Transitions.ClosedByDeactivation,
                    new DispatchStep(open.DispatchId, open.RequestId, command.Id, open.InstitutionName, open.EnterpriseId, open.RegionCode, open.SubmittedAt)
                    {
                        Detail = $"机构已停用 / institution deactivated: {command.Reason}", From = Domain.EnumText.Parse<Domain.DispatchStatus>(open.Status),
                    }, now);
            unit.Record(now, "institution", command.Id, "deactivated", command.Reason);
            return Unit.Value;
        }

        private sealed class OpenDispatch
        {
            public string DispatchId { get; set; } = "";
            public string RequestId { get; set; } = "";
            public string InstitutionName { get; set; } = "";
            public string EnterpriseId { get; set; } = "";
            public string RegionCode { get; set; } = "";
            public DateTimeOffset SubmittedAt { get; set; }
            public string Status { get; set; } = "";
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id}/deactivate", async (string id, DeactivationBody body, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new DeactivateInstitution(id, body.Reason), ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(AuthModule.Policies.Admin)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("An admin deactivates an institution, saying why: its products are delisted and its open dispatches closed, each request going on to the next institution of its ranking.")
            .WithSummary("Deactivate an institution (admin): its products are delisted and its open dispatches re-dispatched");
}
