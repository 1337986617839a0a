using Dapper;
using FinanceSupermarket.Api.Features.Matching;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Mediator;
using Microsoft.Extensions.Options;

namespace FinanceSupermarket.Api.Features.Workflow;

/// <summary>
/// 第一时间发布 (seeds/002 task 6): the submitted need goes on the platform with its ranking stored as the snapshot that
/// institutions will be dispatched from, the enterprise is told, and dispatch follows at once.
/// Idempotent: only a request still 'submitted' is published, by the one transaction that moves it on.
/// </summary>
public sealed record PublishRequest(string RequestId) : Mediator.ICommand<bool>
{
    public sealed class Handler(UnitOfWork unit, WorkflowSteps steps, MatchingIndex matching, TimeProvider clock, IOptions<WorkflowOptions> options)
        : ICommandHandler<PublishRequest, bool>
    {
        /// <summary>A row of the stored ranking; the whole ranking (20 rows by default) goes in at once (UnitOfWork.InsertRowsLater).</summary>
        private const string InsertMatchSql = """
            INSERT INTO request_matches (request_id, rank, product_id, institution_id, score)
            VALUES (@RequestId, @Rank, @ProductId, @InstitutionId, @Score)
            """;

        public async ValueTask<bool> Handle(PublishRequest command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var subject = await unit.QuerySingleOrDefaultAsync<MatchSubject>(MatchSubject.SelectSql, new { Id = command.RequestId });
            if (subject is null) return false;

            var result = matching.Index.Match(subject.ToQuery(clock.PlatformToday(), options.Value.RankingDepth, includeNearMisses: false));
            var detail = result.Refusal is { } refusal
                ? $"{refusal.En} / {refusal.Zh}"
                : $"{result.Matches.Count} matching products / 匹配到 {result.Matches.Count} 个产品";
            // The claim comes first: a request already published by another node or run is left as it is.
            var step = new RequestStep(command.RequestId, subject.EnterpriseId, subject.RegionCode) { Detail = detail };
            if (!await steps.TryMoveAsync(Transitions.Published, step, now)) return false;

            unit.InsertRowsLater(InsertMatchSql, [.. result.Matches.Select((match, i) =>
                new object?[] { command.RequestId, i + 1, match.Product.Id, match.Product.InstitutionId, Math.Round((decimal)match.Score, 2) })]);
            return true;
        }
    }
}
