using Dapper;
using FinanceSupermarket.Api.Features.Workflow;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.Http;
using FinanceSupermarket.Api.Infrastructure.Validation;
using FluentValidation;
using Mediator;

namespace FinanceSupermarket.Api.Features.Blacklist;

/// <summary>
/// The platform operator bars an enterprise from matching (e.g. 失信被执行人): its requests then get no matches and say
/// why, its open requests end with the reason, and their open dispatches are closed, so nothing more reaches institutions.
/// </summary>
public sealed record AddToBlacklist(string CreditCode, [property: MultiLine] string Reason) : Mediator.ICommand<BlacklistEntry>
{
    public sealed class Validator : AbstractValidator<AddToBlacklist>
    {
        public Validator()
        {
            RuleFor(x => x.CreditCode).CreditCode();
            RuleFor(x => x.Reason).NotEmpty().MaximumLength(500);
        }
    }

    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, TimeProvider clock) : ICommandHandler<AddToBlacklist, BlacklistEntry>
    {
        private const string InsertSql = "INSERT INTO blacklist (credit_code, reason, added_at) VALUES (@CreditCode, @Reason, @AddedAt)";
        private const string OpenRequestsSql = """
            SELECT r.id AS RequestId, r.enterprise_id AS EnterpriseId, r.region_code AS RegionCode, r.submitted_at AS SubmittedAt
            FROM financing_requests r JOIN enterprises e ON e.id = r.enterprise_id
            WHERE e.credit_code = @CreditCode AND r.status IN ('submitted', 'published', 'dispatched')
            """;

        public async ValueTask<BlacklistEntry> Handle(AddToBlacklist command, CancellationToken cancellationToken)
        {
            var entry = new BlacklistEntry(command.CreditCode, command.Reason, clock.GetUtcNow());
            try
            {
                await unit.ExecuteAsync(InsertSql, entry);
                unit.Record(entry.AddedAt, "blacklist", command.CreditCode, "added", command.Reason);
                foreach (var open in await unit.QueryAsync<OpenRequest>(OpenRequestsSql, new { command.CreditCode }))
                {
                    var request = new RequestStep(open.RequestId, open.EnterpriseId, open.RegionCode)
                    {
                        SubmittedAt = open.SubmittedAt, Detail = $"列入名单，需求终止 / blacklisted: {command.Reason}",
                    };
                    await steps.TryMoveAsync(Transitions.Blacklisted, request, entry.AddedAt);
                    await steps.MoveOpenDispatchesAsync(Transitions.ClosedByBlacklist, request, except: null, entry.AddedAt);
                }
                return entry;
            }
            catch (Exception exception) when (unit.Dialect.IsUniqueViolation(exception))
            {
                throw new ConflictException(RuleTexts.Say("AlreadyBlacklisted"));
            }
        }
    }

    private sealed class OpenRequest
    {
        public string RequestId { get; set; } = "";
        public string EnterpriseId { get; set; } = "";
        public string RegionCode { get; set; } = "";
        public DateTimeOffset SubmittedAt { get; set; }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/", async (AddToBlacklist command, IMediator mediator, CancellationToken ct) =>
            {
                var entry = await mediator.Send(command, ct);
                return TypedResults.Created($"/api/v1/admin/blacklist/{entry.CreditCode}", entry);
            })
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Bars an enterprise from matching by its credit code, saying why; its open requests end with the reason and their dispatches close.")
            .WithSummary("Bar an enterprise from matching, by credit code (admin)");
}

public sealed record BlacklistEntry(string CreditCode, string Reason, DateTimeOffset AddedAt);
