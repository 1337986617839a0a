using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FinanceSupermarket.Api.Infrastructure.Auth;

namespace FinanceSupermarket.Api.Infrastructure.UnitOfWork;

/// <summary>
/// One event of the audit trail, before it takes its place in the chain: a timeline step, a change of a product,
/// institution, target or list, or a security event. <see cref="Content"/> holds its other facts as canonical JSON.
/// </summary>
public sealed record AuditEntry(DateTimeOffset At, string Source, string Subject, string SubjectId, string Action, string Content);

/// <summary>A stored entry of the chain, as read back for verification.</summary>
public sealed record ChainedEntry(long Seq, DateTimeOffset At, string Source, string Subject, string SubjectId, string Action, string Content,
    string PrevHash, string Hash);

/// <summary>
/// The tamper-evident audit trail (日志完整性保护, seeds/002 task 7): every recorded event is queued for audit_chain in the
/// transaction that records it, then chained in the order queued, each entry hashed over its content and the previous
/// entry's hash. The encoding below is
/// the whole definition of a hash, so that anyone can recompute one (README, "Audit trail").
/// </summary>
public static partial class AuditTrail
{
    /// <summary>Where an entry comes from: the request timeline, the change log, the security events.</summary>
    public const string Timeline = "timeline";
    public const string Change = "change";
    public const string Security = "security";

    /// <summary>The "previous hash" of the first entry.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>
    /// Times at a precision every provider stores exactly (PostgreSQL keeps microseconds): an entry's time is cut to it
    /// before it is stored and hashed, so that it reads back as it was hashed.
    /// </summary>
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>The chain's last entry: its seq and hash.</summary>
    public const string HeadSql = "SELECT seq, hash FROM audit_chain_head WHERE id = 1";
    private const string QueueSql = """
        INSERT INTO audit_chain_queue (at, source, subject, subject_id, action, content)
        VALUES (@At, @Source, @Subject, @SubjectId, @Action, @Content)
        """;

    private static readonly JsonWriterOptions ContentWriting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>An entry whose content is the given facts, as a JSON object with its keys in ordinal order and nulls left out.</summary>
    public static AuditEntry Entry(DateTimeOffset at, string source, string subject, string subjectId, string action, params (string Key, string? Value)[] facts)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ContentWriting))
        {
            json.WriteStartObject();
            foreach (var (key, value) in facts.Where(fact => fact.Value is not null).OrderBy(fact => fact.Key, StringComparer.Ordinal))
                json.WriteString(key, value);
            json.WriteEndObject();
        }
        return new AuditEntry(Truncated(at), source, subject, subjectId, action, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>The actor's facts of an entry: who made the change (none for the platform's own steps).</summary>
    public static (string, string?)[] ActorFacts(Actor? actor) =>
        [("actorId", actor?.Id), ("actorName", actor?.Name), ("actorOrganisation", actor?.Organisation)];

    /// <summary>
    /// The entry's hash: lower-case hex SHA-256 of its fields as netstrings ("&lt;UTF-8 byte length&gt;:&lt;bytes&gt;,"), in
    /// this order: "v1", seq, at (<see cref="TimeFormat"/>, UTC), source, subject, subject id, action, content, previous hash.
    /// </summary>
    public static string Hash(long seq, DateTimeOffset at, string source, string subject, string subjectId, string action, string content, string prevHash)
    {
        var input = new StringBuilder();
        foreach (var field in new[] { "v1", seq.ToString(CultureInfo.InvariantCulture), Time(at), source, subject, subjectId, action, content, prevHash })
            input.Append(Encoding.UTF8.GetByteCount(field).ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append(',');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input.ToString())));
    }

    public static string Hash(ChainedEntry entry) =>
        Hash(entry.Seq, entry.At, entry.Source, entry.Subject, entry.SubjectId, entry.Action, entry.Content, entry.PrevHash);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset Truncated(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % (TimeSpan.TicksPerMillisecond / 1000), TimeSpan.Zero);

    /// <summary>
    /// Queues a unit's entries in its transaction, sent with its other held writes just before it commits: a rolled-back
    /// change leaves none, a committed one has them all. They take their places in the chain when
    /// <see cref="Features.Audit.SealAuditTrail"/> runs, after the commit.
    /// </summary>
    internal static void Queue(UnitOfWork unit, IReadOnlyList<AuditEntry> entries) =>
        unit.InsertRowsLater(QueueSql, [.. entries.Select(entry => new object?[] { entry.At, entry.Source, entry.Subject, entry.SubjectId, entry.Action, entry.Content })]);
}

/// <summary>Raised by a unit that queued audit entries: once it has committed, they are to be chained.</summary>
public sealed record AuditEntriesQueued : Mediator.INotification
{
    public static readonly AuditEntriesQueued Instance = new();
}
