using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Mediator;

namespace FinanceSupermarket.Api.Features.Audit;

/// <summary>The first entry of the chain that does not verify, and why.</summary>
public sealed record BrokenEntry(long Seq, string Problem, DateTimeOffset? At = null, string? Source = null, string? Subject = null,
    string? SubjectId = null, string? Action = null);

/// <summary>A checkpoint that does not vouch for the chain as it now stands.</summary>
public sealed record CheckpointProblem(DateTimeOffset At, long Seq, string Problem);

/// <param name="Queued">Entries committed but not chained yet (<see cref="SealAuditTrail"/> chains them within moments).</param>
public sealed record AuditVerification(bool Verified, long Entries, long HeadSeq, string HeadHash, BrokenEntry? FirstBroken,
    int CheckpointsChecked, IReadOnlyList<CheckpointProblem> CheckpointProblems, long Queued);

/// <summary>
/// Re-walks the audit trail from its first entry: each entry must follow the one before (its previous hash), hash to its
/// stored hash, and the last must be the chain head. Then each checkpoint — the stored ones and any given (an exported
/// file) — must carry this platform's signature and name an entry that still has the hash it had then.
/// </summary>
public sealed record VerifyAuditTrail(IReadOnlyList<AuditCheckpoint>? Exported = null) : IQuery<AuditVerification>
{
    public sealed class Handler(Db db, CheckpointKey key) : IQueryHandler<VerifyAuditTrail, AuditVerification>
    {
        private const int PageSize = 1000;
        private const string EntriesSql = """
            SELECT seq, at, source, subject, subject_id AS SubjectId, action, content, prev_hash AS PrevHash, hash
            FROM audit_chain WHERE seq > @After AND seq <= @Last ORDER BY seq
            """;
        private const string HashAtSql = "SELECT hash FROM audit_chain WHERE seq = @Seq";
        private const string QueueLengthSql = "SELECT COUNT(*) FROM audit_chain_queue";

        public async ValueTask<AuditVerification> Handle(VerifyAuditTrail query, CancellationToken cancellationToken)
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            // The head first: entries up to it are committed; later ones belong to transactions that committed since.
            var (headSeq, headHash) = await connection.QuerySingleAsync<(long Seq, string Hash)>(AuditTrail.HeadSql);
            var (verified, broken) = await WalkAsync(connection, headSeq, headHash);

            var checkpoints = (await connection.QueryAsync<AuditCheckpoint>(ListCheckpoints.Handler.ListSql)).Concat(query.Exported ?? []).ToArray();
            var problems = new List<CheckpointProblem>();
            foreach (var checkpoint in checkpoints)
                if (await ProblemOfAsync(connection, checkpoint, headSeq) is { } problem)
                    problems.Add(new CheckpointProblem(checkpoint.At, checkpoint.Seq, problem));

            var queued = await connection.ExecuteScalarAsync<long>(QueueLengthSql);
            return new AuditVerification(broken is null && problems.Count == 0, verified, headSeq, headHash, broken, checkpoints.Length, problems, queued);
        }

        private async Task<(long Verified, BrokenEntry? Broken)> WalkAsync(System.Data.Common.DbConnection connection, long headSeq, string headHash)
        {
            var (expected, previous) = (1L, AuditTrail.Genesis);
            while (expected <= headSeq)
            {
                var page = await connection.QueryAsync<ChainedEntry>(db.Dialect.Top(EntriesSql), new { After = expected - 1, Last = headSeq, Take = PageSize });
                var any = false;
                foreach (var entry in page)
                {
                    any = true;
                    if (entry.Seq != expected)
                        return (expected - 1, new BrokenEntry(expected, $"missing: the chain goes on at entry {entry.Seq}"));
                    if (entry.PrevHash != previous)
                        return (expected - 1, Broken(entry, $"it does not follow entry {expected - 1}: that entry, or this one's link to it, was changed"));
                    if (AuditTrail.Hash(entry) != entry.Hash)
                        return (expected - 1, Broken(entry, "its content does not match its hash: it was changed after it was recorded"));
                    (expected, previous) = (expected + 1, entry.Hash);
                }
                if (!any) return (expected - 1, new BrokenEntry(expected, $"missing: the chain head says the chain runs to entry {headSeq}"));
            }
            return previous == headHash
                ? (headSeq, null)
                : (headSeq, new BrokenEntry(headSeq, "the chain head's hash is not this entry's: the head was changed"));
        }

        private static BrokenEntry Broken(ChainedEntry entry, string problem) =>
            new(entry.Seq, problem, entry.At, entry.Source, entry.Subject, entry.SubjectId, entry.Action);

        private async Task<string?> ProblemOfAsync(System.Data.Common.DbConnection connection, AuditCheckpoint checkpoint, long headSeq)
        {
            if (checkpoint.KeyId != key.Id)
                return $"signed with key {checkpoint.KeyId}, not with this platform's key {key.Id}: verify it where that key is configured";
            if (!key.Verifies(checkpoint)) return "its signature does not verify: it was not made by this platform, or was changed";
            if (checkpoint.Seq > headSeq) return $"it names entry {checkpoint.Seq}, but the chain now ends at entry {headSeq}: entries were removed";
            var hash = checkpoint.Seq == 0 ? AuditTrail.Genesis : await connection.ExecuteScalarAsync<string?>(HashAtSql, new { checkpoint.Seq });
            return hash == checkpoint.Hash ? null : $"the chain's entry {checkpoint.Seq} no longer has the hash it had then: the chain was rewritten";
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/verify", async (IMediator mediator, CancellationToken ct) => TypedResults.Ok(await mediator.Send(new VerifyAuditTrail(), ct)))
            .RequireAuthorization(AuthModule.Policies.Admin)
            .WithDescription("Re-walks the hash-chained audit trail and the signed daily checkpoints, and names the first entry that does not verify, if any.")
            .WithSummary("Re-walks the audit trail and its checkpoints; names the first entry that does not verify (admin)");
}
