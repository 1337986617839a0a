using System.Globalization;
using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Mediator;

namespace FinanceSupermarket.Api.Features.Audit;

/// <summary>
/// Chains up to <paramref name="BatchSize"/> of the queued audit entries (audit_chain_queue), oldest first, in one
/// transaction: under the head's row lock each takes the next seq and is hashed over the previous entry's hash, the
/// entries go into audit_chain, leave the queue, and the head moves to the last. Only sealers take that lock, so the
/// platform's writers never wait for each other's commits on it. Re-runnable: entries chained are gone from the queue, a
/// failed run changes nothing, and runs on several nodes queue on the head. Returns how many entries it chained.
/// </summary>
public sealed record SealAuditTrail(int BatchSize) : ICommand<int>
{
    public sealed class Handler(UnitOfWork unit) : ICommandHandler<SealAuditTrail, int>
    {
        /// <summary>Takes the head's row lock (so that one sealer at a time reads the queue) and reads the head.</summary>
        private const string LockSql = "UPDATE audit_chain_head SET seq = seq WHERE id = 1; " + AuditTrail.HeadSql;
        private const string QueuedSql = """
            SELECT id, at, source, subject, subject_id AS SubjectId, action, content FROM audit_chain_queue ORDER BY id
            """;
        private const string ChainSql = """
            INSERT INTO audit_chain (seq, at, source, subject, subject_id, action, content, prev_hash, hash)
            VALUES (@Seq, @At, @Source, @Subject, @SubjectId, @Action, @Content, @PrevHash, @Hash)
            """;
        private const string AdvanceSql = "UPDATE audit_chain_head SET seq = @Seq, hash = @Hash WHERE id = 1";

        public async ValueTask<int> Handle(SealAuditTrail command, CancellationToken cancellationToken)
        {
            var (seq, previous) = await unit.QuerySingleAsync<(long Seq, string Hash)>(LockSql);
            var queued = await unit.QueryAsync<Queued>(unit.Dialect.Top(QueuedSql), new { Take = command.BatchSize });
            if (queued.Count == 0) return 0;

            var rows = new List<object?[]>(queued.Count);
            foreach (var entry in queued)
            {
                seq++;
                var hash = AuditTrail.Hash(seq, entry.At, entry.Source, entry.Subject, entry.SubjectId, entry.Action, entry.Content, previous);
                rows.Add([seq, entry.At, entry.Source, entry.Subject, entry.SubjectId, entry.Action, entry.Content, previous, hash]);
                previous = hash;
            }
            unit.InsertRowsLater(ChainSql, rows);
            // The ids were read just now from the database: numbers, written into the statement. All three writes go with
            // the commit.
            var ids = string.Join(", ", queued.Select(entry => entry.Id.ToString(CultureInfo.InvariantCulture)));
            unit.WriteLater($"DELETE FROM audit_chain_queue WHERE id IN ({ids})");
            unit.WriteLater(AdvanceSql, seq, previous);
            return queued.Count;
        }

        private sealed record Queued(long Id, DateTimeOffset At, string Source, string Subject, string SubjectId, string Action, string Content);
    }
}
