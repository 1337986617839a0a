using Dapper;
using FinanceSupermarket.Api.Features.FinancingRequests;
using FinanceSupermarket.Api.Features.Matching;
using FinanceSupermarket.Api.Features.Notifications;
using FinanceSupermarket.Api.Infrastructure;
using FinanceSupermarket.Api.Infrastructure.Database;
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
    public sealed class Handler(Db db, MatchingIndex matching, Notifier notifier, TimeProvider clock, IOptions<WorkflowOptions> options, IMediator mediator)
        : ICommandHandler<PublishRequest, bool>
    {
        private const string ClaimSql = """
            UPDATE financing_requests SET status = 'published', published_at = @Now, updated_at = @Now
            WHERE id = @Id AND status = 'submitted'
            """;
        private const string InsertMatchSql = """
            INSERT INTO request_matches (request_id, rank, product_id, institution_id, score)
            VALUES (@RequestId, @Rank, @ProductId, @InstitutionId, @Score)
            """;

        public async ValueTask<bool> Handle(PublishRequest command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var published = await db.InTransactionAsync(async (connection, transaction) =>
            {
                var subject = await MatchSubject.LoadAsync(connection, command.RequestId, transaction);
                if (subject is null || await connection.ExecuteAsync(ClaimSql, new { Id = command.RequestId, Now = now }, transaction) == 0)
                    return false;

                var result = matching.Index.Match(subject.ToQuery(clock.PlatformToday(), options.Value.RankingDepth, includeNearMisses: false));
                await connection.ExecuteAsync(InsertMatchSql, result.Matches.Select((match, index) => new
                {
                    RequestId = command.RequestId, Rank = index + 1, ProductId = match.Product.Id, match.Product.InstitutionId,
                    Score = Math.Round((decimal)match.Score, 2),
                }), transaction);

                var detail = result.Refusal is { } refusal
                    ? $"{refusal.En} / {refusal.Zh}"
                    : $"{result.Matches.Count} matching products / 匹配到 {result.Matches.Count} 个产品";
                await RequestTimeline.AppendAsync(connection, transaction, command.RequestId, now, "published", detail);
                await notifier.NotifyAsync(connection, transaction, now, new Notification(Recipient.Enterprise(subject.EnterpriseId, subject.RegionCode),
                    "published", $"您的融资需求已发布，{detail}。Your financing request is published: {detail}.", command.RequestId));
                return true;
            }, cancellationToken);
            notifier.AfterCommit();

            // 第一时间督导: dispatch right after publishing, in the same job.
            if (published) await mediator.Send(new DispatchRequest(command.RequestId), cancellationToken);
            return published;
        }
    }
}
