using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using Mediator;

namespace FinanceSupermarket.Api.Infrastructure.UnitOfWork;

/// <summary>
/// The one transaction of a state-changing command (opened and committed by <see cref="UnitOfWorkBehavior{TMessage,TResponse}"/>)
/// and what follows its commit. Handlers run their SQL through it and raise what should happen once the change is durable
/// (jobs to enqueue, the matching index to refresh): those events are published only after the commit, so a rolled-back
/// change starts nothing. Scoped: one per HTTP request or job.
/// </summary>
public sealed partial class UnitOfWork(Db db, CurrentUser user) : IAsyncDisposable, IDisposable
{
    private const string RecordSql = """
        INSERT INTO audit_log (at, subject, subject_id, action, detail, actor_id, actor_name, actor_organisation)
        VALUES (@At, @Subject, @SubjectId, @Action, @Detail, @ActorId, @ActorName, @ActorOrganisation)
        """;

    private DbConnection? _connection;
    private DbTransaction? _transaction;
    private WriterQueue? _inLine;
    private readonly List<INotification> _raised = [];
    private readonly List<AuditEntry> _audited = [];
    private readonly List<(string Sql, object?[] Values)> _later = [];

    public SqlDialect Dialect => db.Dialect;

    /// <summary>True while a command's unit runs; a command sent from within it joins it.</summary>
    internal bool IsRunning { get; set; }

    /// <summary>Events raised by the handlers, for the behaviour to publish after commit.</summary>
    internal IReadOnlyList<INotification> Raised => _raised;

    /// <summary>Who this unit's changes are recorded as made by: the signed-in person or API client; null for the platform's own steps.</summary>
    public Actor? Actor => user.Actor;

    /// <summary>
    /// Records a change that has no timeline of its own (a product listed, a target set, a blacklist entry) in the audit
    /// log and the audit trail, naming the unit's actor, in the same transaction as the change.
    /// </summary>
    public void Record(DateTimeOffset at, string subject, string subjectId, string action, string? detail = null)
    {
        WriteLater(RecordSql, at, subject, subjectId, action, detail, Actor?.Id, Actor?.Name, Actor?.Organisation);
        AddToAuditTrail(AuditTrail.Entry(at, AuditTrail.Change, subject, subjectId, action, [("detail", detail), .. AuditTrail.ActorFacts(Actor)]));
    }

    /// <summary>
    /// Adds an event to the hash-chained audit trail (<see cref="AuditTrail"/>): queued when this unit commits, in its
    /// transaction, so that a rolled-back change leaves no entry and a committed one cannot lack its entry; chained after.
    /// </summary>
    public void AddToAuditTrail(AuditEntry entry) => _audited.Add(entry);

    /// <summary>Something to start once the change is committed (an in-process notification, handled after commit).</summary>
    public void Raise(INotification @event)
    {
        // Events are records: the same follow-up raised twice in one unit (two declines of one request) starts once.
        if (!_raised.Contains(@event)) _raised.Add(@event);
    }

    public async Task<int> ExecuteAsync(string sql, object? parameters = null) =>
        await (await ReadyAsync()).ExecuteAsync(sql, parameters, _transaction);

    /// <summary>
    /// A write whose outcome the handler does not read (a timeline entry, a notification, an audit entry, the figures of a
    /// new request), its values in the order its parameters first appear: held until the unit's next statement or its
    /// commit, and then sent with the others held, in one command. On a database server that is one round trip for them
    /// all instead of one each; a failure still fails the unit before it can commit.
    /// </summary>
    public void WriteLater(string sql, params object?[] values)
    {
        if (NamesIn(sql).Length != values.Length)
            throw new ArgumentException($"{values.Length} values for the parameters of: {sql}", nameof(values));
        _later.Add((sql, values));
    }

    /// <summary>
    /// Inserts the rows given, later (<see cref="WriteLater"/>), through an INSERT of one row's parameters ("… VALUES (@A,
    /// @B)"), each row's values in the order of its parameters: a database server gets them in statements of many rows,
    /// each within SQL Server's 1,000 rows and 2,100 parameters; SQLite the one-row statement prepared once and run once a
    /// row (<see cref="SqlDialect.InsertsRowByRow"/>).
    /// </summary>
    public void InsertRowsLater(string insertSql, IReadOnlyList<object?[]> rows)
    {
        if (rows.Count == 0) return;
        if (Dialect.InsertsRowByRow)
        {
            foreach (var row in rows) WriteLater(insertSql, row);
            return;
        }
        foreach (var chunk in rows.Chunk(Math.Clamp(2_000 / Math.Max(1, NamesIn(insertSql).Length), 1, 1_000)))
            WriteLater(ForEachRow(insertSql, chunk), [.. chunk.SelectMany(row => row)]);
    }

    /// <summary>
    /// Sends the held writes: on a server as commands of several statements, each within SQL Server's 2,100 parameters a
    /// request; on SQLite, in this process, one by one, a run of the same statement prepared once. A query to run next
    /// (<paramref name="query"/>) is returned to the caller, on a server with the last held writes put before it, so
    /// that they go in the query's round trip (the reader passes over their row counts to the query's rows, and one that
    /// fails fails the query).
    /// </summary>
    private async Task<(string? Sql, object? Parameters)> SendLaterAsync(DbConnection connection, string? query = null, object? queryParameters = null)
    {
        if (_later.Count == 0) return (query, queryParameters);
        var later = _later.ToArray();
        _later.Clear();
        if (Dialect.InsertsRowByRow)
        {
            for (var i = 0; i < later.Length;)
            {
                var run = later.Skip(i).TakeWhile(held => held.Sql == later[i].Sql).ToArray();
                await connection.ExecuteAsync(later[i].Sql, run.Select(held => Parameters(NamesIn(held.Sql), held.Values)), _transaction);
                i += run.Length;
            }
            return (query, queryParameters);
        }
        var sql = new StringBuilder();
        var parameters = new DynamicParameters();
        var count = 0;
        for (var i = 0; i < later.Length; i++)
        {
            var (statement, values) = later[i];
            var names = NamesIn(statement);
            if (count > 0 && count + names.Length > 2_000)
            {
                await connection.ExecuteAsync(sql.ToString(), parameters, _transaction);
                (sql, parameters, count) = (new StringBuilder(), new DynamicParameters(), 0);
            }
            // Each statement's parameters take its place as a suffix ("@At" becomes "@At_w3"), so that they stay apart.
            var suffix = "_w" + i.ToString(CultureInfo.InvariantCulture);
            sql.Append(Suffixed(statement, suffix)).Append(";\n");
            AddValues(parameters, names, suffix, values);
            count += names.Length;
        }
        // The query's own parameters go in the same request: held writes of more than half the limit go apart.
        if (query is null || count > 1_000)
        {
            await connection.ExecuteAsync(sql.ToString(), parameters, _transaction);
            return (query, queryParameters);
        }
        AddQueryParameters(parameters, query, queryParameters);
        return (sql.Append(query).ToString(), parameters);
    }

    private static DynamicParameters Parameters(string[] names, object?[] values)
    {
        var parameters = new DynamicParameters();
        AddValues(parameters, names, "", values);
        return parameters;
    }

    private static void AddValues(DynamicParameters parameters, string[] names, string suffix, object?[] values)
    {
        for (var c = 0; c < names.Length; c++) parameters.Add(names[c] + suffix, values[c]);
    }

    /// <summary>
    /// A query's parameters beside the held writes' in one command. An object's properties that the query names are
    /// added one by one: given as the object, Dapper would emit and compile a parameter reader for each new command text,
    /// and the held writes before a query make almost every text new (6 % of the process's CPU at 200 requests/s, and a
    /// cache of Dapper's that never shrinks).
    /// </summary>
    private static void AddQueryParameters(DynamicParameters parameters, string query, object? values)
    {
        switch (values)
        {
            case null:
                return;
            case DynamicParameters dynamic:
                parameters.AddDynamicParams(dynamic);
                return;
            default:
                var named = NamesIn(query);
                foreach (var property in Properties.GetOrAdd(values.GetType(), type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)))
                    if (named.Contains(property.Name, StringComparer.OrdinalIgnoreCase)) parameters.Add(property.Name, property.GetValue(values));
                return;
        }
    }

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    /// <summary>
    /// A statement's parameter names, each once, in the order they first appear; kept per text, but for a statement
    /// without parameters (some are written anew each time, with numbers read just before in them).
    /// </summary>
    private static string[] NamesIn(string sql) => !sql.Contains('@') ? [] :
        Names.GetOrAdd(sql, text => [.. ParameterName().Matches(text).Select(match => match.Groups[1].Value).Distinct()]);

    private static readonly ConcurrentDictionary<string, string[]> Names = new();

    /// <summary>
    /// An INSERT of one row of parameters ("… VALUES (@A, @B)") made an INSERT of all the rows given, in one statement:
    /// "VALUES (@A_0, @B_0), (@A_1, @B_1) …", its parameters in the order of the rows' values. Every provider takes a
    /// multi-row VALUES.
    /// </summary>
    private static string ForEachRow(string insertSql, IReadOnlyList<object?[]> rows)
    {
        var valuesAt = insertSql.LastIndexOf("VALUES", StringComparison.Ordinal) + "VALUES".Length;
        var row = insertSql[valuesAt..].Trim();
        var sql = new StringBuilder(insertSql, 0, valuesAt, insertSql.Length * rows.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            var suffix = "_" + r.ToString(CultureInfo.InvariantCulture);
            sql.Append(r == 0 ? " " : ", ").Append(Suffixed(row, suffix));
        }
        return sql.ToString();
    }

    /// <summary>The SQL with each of its parameters renamed by the suffix ("@At" becomes "@At_3").</summary>
    private static string Suffixed(string sql, string suffix) => ParameterName().Replace(sql, match => match.Value + suffix);

    [GeneratedRegex(@"@(\w+)")]
    private static partial Regex ParameterName();

    public async Task<T> ExecuteScalarAsync<T>(string sql, object? parameters = null)
    {
        var (connection, query, arguments) = await AfterLaterAsync(sql, parameters);
        return (await connection.ExecuteScalarAsync<T>(query, arguments, _transaction))!;
    }

    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? parameters = null)
    {
        var (connection, query, arguments) = await AfterLaterAsync(sql, parameters);
        return await connection.QuerySingleOrDefaultAsync<T>(query, arguments, _transaction);
    }

    public async Task<T> QuerySingleAsync<T>(string sql, object? parameters = null)
    {
        var (connection, query, arguments) = await AfterLaterAsync(sql, parameters);
        return await connection.QuerySingleAsync<T>(query, arguments, _transaction);
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        var (connection, query, arguments) = await AfterLaterAsync(sql, parameters);
        return (await connection.QueryAsync<T>(query, arguments, _transaction)).AsList();
    }

    /// <summary>The unit's connection in its transaction, with the held writes sent: every statement sees the unit's writes.</summary>
    private async Task<DbConnection> ReadyAsync()
    {
        var connection = await ConnectionAsync();
        await SendLaterAsync(connection);
        return connection;
    }

    /// <summary>A query with the held writes sent before it, or put in front of it where they go in its round trip.</summary>
    private async Task<(DbConnection Connection, string Sql, object? Parameters)> AfterLaterAsync(string sql, object? parameters)
    {
        var connection = await ConnectionAsync();
        var (query, arguments) = await SendLaterAsync(connection, sql, parameters);
        return (connection, query!, arguments);
    }

    /// <summary>The transaction opens with the first statement, so a command refused before it touches the database opens none.</summary>
    private async Task<DbConnection> ConnectionAsync()
    {
        if (_connection is not null) return _connection;
        if (db.Writers is { } writers)
        {
            await writers.EnterAsync();
            _inLine = writers;
        }
        DbConnection? connection = null;
        try
        {
            connection = await db.OpenAsync();
            _transaction = await connection.BeginTransactionAsync();
        }
        catch
        {
            if (connection is not null) await connection.DisposeAsync();
            LeaveLine();
            throw;
        }
        return _connection = connection;
    }

    /// <summary>
    /// Rolls back what this unit wrote and drops what it raised; its next statement starts a new transaction. For a handler
    /// that lost a race on a unique key and answers with the winner's row instead.
    /// </summary>
    public async Task AbandonAsync()
    {
        Forget();
        await CloseAsync();
    }

    internal async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_audited.Count > 0)
        {
            AuditTrail.Queue(this, _audited);
            Raise(AuditEntriesQueued.Instance);
        }
        if (_later.Count > 0) await ReadyAsync();
        if (_transaction is not null) await _transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Ends the unit: an uncommitted transaction rolls back with its connection, and the raised events are dropped.</summary>
    internal async Task CloseAsync()
    {
        if (_transaction is not null) await _transaction.DisposeAsync();
        if (_connection is not null) await _connection.DisposeAsync();
        _transaction = null;
        _connection = null;
        _later.Clear();
        LeaveLine();
    }

    /// <summary>The next writer's turn, once this unit's transaction has ended.</summary>
    private void LeaveLine()
    {
        _inLine?.Leave();
        _inLine = null;
    }

    /// <summary>A unit its command left open (it should not happen) still ends with its scope, and lets the next writer in.</summary>
    public ValueTask DisposeAsync() => new(CloseAsync());

    public void Dispose() => CloseAsync().GetAwaiter().GetResult();

    internal void Forget()
    {
        _raised.Clear();
        _audited.Clear();
        _later.Clear();
    }
}
