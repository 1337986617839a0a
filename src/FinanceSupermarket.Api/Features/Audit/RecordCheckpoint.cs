using FinanceSupermarket.Api.Infrastructure.UnitOfWork;
using Mediator;

namespace FinanceSupermarket.Api.Features.Audit;

/// <summary>The chain head at a moment, signed: what an admin exports and keeps elsewhere.</summary>
public sealed record AuditCheckpoint(DateTimeOffset At, long Seq, string Hash, string KeyId, string Signature);

/// <summary>Records the audit trail's head as a signed checkpoint (the daily job; see <see cref="AuditJobs"/>).</summary>
public sealed record RecordCheckpoint : ICommand<AuditCheckpoint>
{
    public sealed class Handler(UnitOfWork unit, CheckpointKey key, TimeProvider clock) : ICommandHandler<RecordCheckpoint, AuditCheckpoint>
    {
        private const string InsertSql = """
            INSERT INTO audit_checkpoints (at, seq, hash, key_id, signature) VALUES (@At, @Seq, @Hash, @KeyId, @Signature)
            """;

        public async ValueTask<AuditCheckpoint> Handle(RecordCheckpoint command, CancellationToken cancellationToken)
        {
            var at = AuditTrail.Truncated(clock.GetUtcNow());
            var (seq, hash) = await unit.QuerySingleAsync<(long Seq, string Hash)>(AuditTrail.HeadSql);
            var checkpoint = new AuditCheckpoint(at, seq, hash, key.Id, key.Sign(seq, hash, at));
            await unit.ExecuteAsync(InsertSql, checkpoint);
            return checkpoint;
        }
    }
}
