using System.Reflection;
using System.Text.RegularExpressions;
using FinanceSupermarket.Api.Infrastructure.Database;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace FinanceSupermarket.IntegrationTests.SqlServer;

/// <summary>
/// SQL Server cannot run here, so its SQL is checked by SQL Server's own parser (ScriptDom, SQL Server 2022 grammar):
/// the migration scripts under database/sqlserver/, and every SQL string the API runs — the portable statements kept in
/// <c>const string XxxSql</c> fields beside their handlers, and the SQL Server dialect's paging. A syntax error, or a
/// SQLite/PostgreSQL-only construct that slipped into the shared SQL, fails here instead of in production.
/// </summary>
public sealed class TransactSqlTests
{
    private static readonly string RepoRoot = FindRepoRoot();
    private static readonly string[] ProviderFolders = ["sqlite", "postgresql", "sqlserver"];
    private static readonly SqlDialect SqlServer = SqlDialect.For(DatabaseProvider.SqlServer);

    // ------------------------------------------------------------------ migration scripts

    public static IEnumerable<TestCaseData> SqlServerScripts() =>
        Directory.EnumerateFiles(Path.Combine(RepoRoot, "database", "sqlserver"), "*.sql")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .Select(name => new TestCaseData(name).SetName($"{{m}}({name})"));

    [TestCaseSource(nameof(SqlServerScripts))]
    public void Migration_script_parses_as_TSql(string fileName) =>
        ShouldBeValidTSql(File.ReadAllText(Path.Combine(RepoRoot, "database", "sqlserver", fileName)), $"database/sqlserver/{fileName}");

    [Test]
    public void Every_provider_folder_holds_the_same_migration_scripts()
    {
        var scripts = ProviderFolders.ToDictionary(folder => folder, folder =>
            Directory.EnumerateFiles(Path.Combine(RepoRoot, "database", folder), "*.sql").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());

        scripts["sqlserver"].ShouldNotBeEmpty();
        foreach (var folder in ProviderFolders)
            scripts[folder].ShouldBe(scripts["sqlserver"], $"database/{folder}/ is out of step with database/sqlserver/");
    }

    // ------------------------------------------------------------------ the API's SQL

    /// <summary>Every <c>const string …Sql</c> of the API assembly, nested and private types included.</summary>
    public static IEnumerable<TestCaseData> ApiSqlConstants() =>
        ApiSql().Select(sql => new TestCaseData(sql.Text, sql.Wrapped).SetName($"{{m}}({sql.Name})"));

    [TestCaseSource(nameof(ApiSqlConstants))]
    public void Api_sql_parses_as_TSql(string sql, string? wrappedForSqlServer)
    {
        ShouldBeValidTSql(AsStatement(sql), "as written");
        if (wrappedForSqlServer is not null) ShouldBeValidTSql(wrappedForSqlServer, "as the SQL Server dialect pages or limits it");
    }

    [Test]
    public void The_api_sql_constants_are_found()
    {
        var found = ApiSql().Select(sql => sql.Name).ToArray();
        found.Length.ShouldBeGreaterThan(10);
        found.ShouldContain(name => name.EndsWith("BrowseProducts.Handler.PageSql", StringComparison.Ordinal));
        ApiSql().ShouldContain(sql => sql.Wrapped != null, "the paged queries are also parsed as the dialect wraps them");
    }

    [Test]
    public void The_SqlServer_dialect_pages_and_limits_in_valid_TSql()
    {
        const string orderedSelect = "SELECT id, name FROM products WHERE status = @Listed ORDER BY min_rate, id";
        ShouldBeValidTSql(SqlServer.Page(orderedSelect), "Page");
        ShouldBeValidTSql(SqlServer.Top(orderedSelect), "Top");
        SqlServer.Page(orderedSelect).ShouldContain("@Skip");
        SqlServer.Page(orderedSelect).ShouldContain("@Take");
        SqlServer.Top(orderedSelect).ShouldContain("@Take");
    }

    // ------------------------------------------------------------------ the check itself is strict enough

    [TestCase("SELECT id FROM products ORDER BY id LIMIT 5", TestName = "{m}(LIMIT)")]
    [TestCase("SELECT id FROM products ORDER BY id LIMIT @Take OFFSET @Skip", TestName = "{m}(LIMIT OFFSET)")]
    [TestCase("INSERT INTO catalog_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING", TestName = "{m}(ON CONFLICT)")]
    [TestCase("INSERT INTO institutions (id, name) VALUES (@Id, @Name) RETURNING id", TestName = "{m}(RETURNING)")]
    [TestCase("SELECT amount::numeric FROM financing_requests", TestName = "{m}(cast with ::)")]
    [TestCase("SELECT name FROM products WHERE name ILIKE @Q", TestName = "{m}(ILIKE)")]
    [TestCase("SELECT 'a' || name FROM products", TestName = "{m}(|| concatenation)")]
    [TestCase("SELECT id FROM products WHERE first_loan_friendly = true", TestName = "{m}(boolean literal)")]
    [TestCase("SELECT LENGTH(name) FROM products", TestName = "{m}(LENGTH)")]
    [TestCase("SELECT id FROM request_events WHERE at < NOW()", TestName = "{m}(NOW)")]
    [TestCase("SELECT IFNULL(description, '') FROM products", TestName = "{m}(IFNULL)")]
    [TestCase("SELECT id FROM products WHERE", TestName = "{m}(truncated statement)")]
    [TestCase("SELECT id FROM products OFFSET 0 ROWS FETCH NEXT @Take ROWS ONLY", TestName = "{m}(paging without ORDER BY)")]
    [TestCase("SELECT x.id FROM (SELECT id FROM products ORDER BY min_rate) x", TestName = "{m}(ORDER BY in a derived table)")]
    [TestCase("SELECT id FROM products WHERE id IN (SELECT product_id FROM product_regions ORDER BY region_prefix)", TestName = "{m}(ORDER BY in a subquery)")]
    [TestCase("WITH cheap AS (SELECT id FROM products ORDER BY min_rate) SELECT id FROM cheap", TestName = "{m}(ORDER BY in a CTE)")]
    public void Sql_that_SQL_Server_would_refuse_fails_the_check(string sql) => TSqlProblems(sql).ShouldNotBeEmpty();

    [Test]
    public void Fragments_are_checked_inside_a_statement()
    {
        TSqlProblems(AsStatement(" WHERE p.kind = @Kind")).ShouldBeEmpty();
        TSqlProblems(AsStatement(" AND p.kind = @Kind")).ShouldBeEmpty();
        TSqlProblems(AsStatement(" WHERE p.kind = @Kind LIMIT 5")).ShouldNotBeEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private sealed record ApiSqlConstant(string Name, string Text, string? Wrapped);

    private static IEnumerable<ApiSqlConstant> ApiSql()
    {
        var paged = IdentifiersPassedTo("Page");
        var limited = IdentifiersPassedTo("Top");
        return typeof(SqlDialect).Assembly.GetTypes()
            .SelectMany(type => type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(field => field.IsLiteral && field.FieldType == typeof(string) && field.Name.EndsWith("Sql", StringComparison.Ordinal))
                .Select(field =>
                {
                    var sql = (string)field.GetRawConstantValue()!;
                    var wrapped = field.Name.Contains("Page", StringComparison.Ordinal) || paged.Contains(field.Name) ? SqlServer.Page(sql)
                        : limited.Contains(field.Name) ? SqlServer.Top(sql)
                        : null;
                    return new ApiSqlConstant($"{NameOf(type)}.{field.Name}", sql, wrapped);
                }))
            .OrderBy(sql => sql.Name, StringComparer.Ordinal);
    }

    /// <summary>The constants that the API's source hands to <c>Dialect.Page(…)</c> or <c>Dialect.Top(…)</c>.</summary>
    private static HashSet<string> IdentifiersPassedTo(string dialectMethod)
    {
        var call = new Regex($@"\.{dialectMethod}\(\s*(?:[A-Za-z_][\w.]*\.)?([A-Za-z_]\w*Sql)\s*\)");
        return Directory.EnumerateFiles(Path.Combine(RepoRoot, "src", "FinanceSupermarket.Api"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(path => call.Matches(File.ReadAllText(path)).Select(match => match.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static string NameOf(Type type) =>
        (type.FullName ?? type.Name).Replace("FinanceSupermarket.Api.", "", StringComparison.Ordinal).Replace('+', '.');

    private static readonly Regex TableClause = new(@"^\s*(WHERE|ORDER\s+BY|GROUP\s+BY|HAVING|((LEFT|RIGHT|FULL)(\s+OUTER)?|INNER|CROSS)?\s*JOIN)\b",
        RegexOptions.IgnoreCase);
    private static readonly Regex FromClause = new(@"^\s*FROM\b", RegexOptions.IgnoreCase);
    private static readonly Regex Condition = new(@"^\s*(AND|OR)\b", RegexOptions.IgnoreCase);

    /// <summary>A shared clause (a handler's FROM … or WHERE … part) is parsed where it is used: after a SELECT, a FROM, or inside a WHERE.</summary>
    private static string AsStatement(string sql) =>
        FromClause.IsMatch(sql) ? $"SELECT 1 {sql}"
        : TableClause.IsMatch(sql) ? $"SELECT 1 FROM fragment_host {sql}"
        : Condition.IsMatch(sql) ? $"SELECT 1 FROM fragment_host WHERE 1 = 1 {sql}"
        : sql;

    private static void ShouldBeValidTSql(string sql, string what)
    {
        var problems = TSqlProblems(sql);
        if (problems.Count > 0)
            Assert.Fail($"Not valid T-SQL ({what}):{Environment.NewLine}{string.Join(Environment.NewLine, problems)}{Environment.NewLine}--- SQL ---{Environment.NewLine}{sql}");
    }

    private static List<string> TSqlProblems(string sql)
    {
        var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        var problems = errors.Select(error => $"line {error.Line}, column {error.Column}: {error.Message}").ToList();
        if (problems.Count > 0) return problems;
        var portability = new NotTSqlFinder();
        fragment.Accept(portability);
        return portability.Problems;
    }

    /// <summary>
    /// What the parser accepts but SQL Server 2022 would not run: SQLite/PostgreSQL functions (parsed as unknown functions),
    /// boolean literals (parsed as a column named true), PostgreSQL's <c>x::type</c> casts (parsed as CLR type members),
    /// <c>||</c> concatenation (parsed for SQL Server 2025 and Azure SQL only) and ORDER BY inside a subquery, derived
    /// table or CTE without TOP/OFFSET (SQLite and PostgreSQL allow it; SQL Server refuses it with error 1033).
    /// </summary>
    private sealed class NotTSqlFinder : TSqlFragmentVisitor
    {
        private static readonly Dictionary<string, string> Functions = new(StringComparer.OrdinalIgnoreCase)
        {
            ["NOW"] = "SYSUTCDATETIME() or a parameter", ["LENGTH"] = "LEN", ["SUBSTR"] = "SUBSTRING", ["IFNULL"] = "COALESCE",
            ["INSTR"] = "CHARINDEX", ["GROUP_CONCAT"] = "STRING_AGG", ["ARRAY_AGG"] = "STRING_AGG", ["RANDOM"] = "NEWID()",
            ["STRFTIME"] = "a parameter", ["JULIANDAY"] = "a parameter", ["DATETIME"] = "a parameter", ["DATE"] = "CAST(… AS DATE)",
            ["UNIXEPOCH"] = "a parameter", ["TO_CHAR"] = "FORMAT", ["TO_DATE"] = "CAST", ["DATE_TRUNC"] = "the dialect",
            ["DATE_PART"] = "DATEPART", ["PRINTF"] = "FORMAT", ["TOTAL"] = "SUM",
        };

        public List<string> Problems { get; } = [];

        public override void ExplicitVisit(FunctionCall node)
        {
            if (node.CallTarget is null && Functions.TryGetValue(node.FunctionName.Value, out var instead))
                Problems.Add($"line {node.StartLine}: {node.FunctionName.Value}() is not a SQL Server function (use {instead})");
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(UserDefinedTypePropertyAccess node)
        {
            Problems.Add($"line {node.StartLine}: '::' is a PostgreSQL cast here (use CAST(… AS …))");
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(UserDefinedTypeCallTarget node)
        {
            Problems.Add($"line {node.StartLine}: '::' is a PostgreSQL cast here (use CAST(… AS …))");
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(BinaryExpression node)
        {
            if (node.BinaryExpressionType == BinaryExpressionType.Concat)
                Problems.Add($"line {node.StartLine}: '||' concatenation needs SQL Server 2025 (use the dialect, or concatenate in C#)");
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(ScalarSubquery node)
        {
            CheckNestedOrderBy(node.QueryExpression);
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(QueryDerivedTable node)
        {
            CheckNestedOrderBy(node.QueryExpression);
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(CommonTableExpression node)
        {
            CheckNestedOrderBy(node.QueryExpression);
            base.ExplicitVisit(node);
        }

        private void CheckNestedOrderBy(QueryExpression query)
        {
            var top = (query as QuerySpecification)?.TopRowFilter;
            if (query.OrderByClause is not null && query.OffsetClause is null && top is null)
                Problems.Add($"line {query.StartLine}: ORDER BY in a subquery, derived table or CTE needs TOP or OFFSET on SQL Server");
        }

        public override void ExplicitVisit(ColumnReferenceExpression node)
        {
            if (node.MultiPartIdentifier?.Identifiers is [{ QuoteType: QuoteType.NotQuoted } identifier]
                && identifier.Value.ToLowerInvariant() is "true" or "false")
                Problems.Add($"line {node.StartLine}: SQL Server has no boolean literal {identifier.Value} (pass a parameter, or 1/0)");
            base.ExplicitVisit(node);
        }
    }

    private static string FindRepoRoot()
    {
        var start = TestContext.CurrentContext?.TestDirectory ?? AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "FinanceSupermarket.sln"))) return dir.FullName;
        throw new InvalidOperationException($"FinanceSupermarket.sln not found above {start}.");
    }
}
