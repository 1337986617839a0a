using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using Dapper;
using Mediator;

namespace FinanceSupermarket.Api.Features.Audit;

/// <summary>Every checkpoint, oldest first: the file an admin exports and keeps away from the platform.</summary>
public sealed record ListCheckpoints : IQuery<CheckpointExport>
{
    public sealed class Handler(Db db) : IQueryHandler<ListCheckpoints, CheckpointExport>
    {
        internal const string ListSql = "SELECT at, seq, hash, key_id AS KeyId, signature FROM audit_checkpoints ORDER BY id";

        public async ValueTask<CheckpointExport> Handle(ListCheckpoints query, CancellationToken cancellationToken)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var items = (await connection.QueryAsync<AuditCheckpoint>(new CommandDefinition(ListSql, cancellationToken: cancellationToken))).AsList();
            return new CheckpointExport(items, items.Count);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/checkpoints", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new ListCheckpoints(), ct)))
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("The signed daily checkpoints of the audit trail (the last entry's number and hash, HMAC-signed), oldest first, to export and keep outside the platform.")
            .WithSummary("The audit trail's signed daily checkpoints, oldest first, to export and keep elsewhere (admin)");
}

public sealed record CheckpointExport(IReadOnlyList<AuditCheckpoint> Items, int Total);
