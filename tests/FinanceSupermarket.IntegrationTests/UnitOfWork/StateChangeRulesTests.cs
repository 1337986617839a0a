using System.Reflection;
using System.Text.RegularExpressions;
using FinanceSupermarket.Api.Features.Statistics;
using FinanceSupermarket.Api.Features.Workflow;

namespace FinanceSupermarket.IntegrationTests.UnitOfWork;

/// <summary>The rules that keep a state change said once, checked on the API's own code and SQL.</summary>
public sealed class StateChangeRulesTests
{
    private static readonly Assembly Api = typeof(Transitions).Assembly;

    /// <summary>Every SQL text the API runs: its <c>const string …Sql</c> fields and the transition table's updates.</summary>
    private static IEnumerable<(string Name, string Sql)> ApiSql() =>
        Api.GetTypes()
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .Where(field => field is { IsLiteral: true } && field.FieldType == typeof(string) && field.Name.EndsWith("Sql", StringComparison.Ordinal))
                .Select(field => ($"{type.FullName}.{field.Name}", (string)field.GetRawConstantValue()!)))
            .Concat(Transitions.OfRequests.Where(t => t.Sql is not null).Select(t => ($"request transition {t.Event}", t.Sql!)))
            .Concat(Transitions.OfDispatches.Where(t => t.Sql is not null).Select(t => ($"dispatch transition {t.Event}", t.Sql!)));

    [Test]
    public void Only_RequestFigures_writes_the_statistics_columns()
    {
        var writers = ApiSql()
            .Where(sql => !sql.Name.StartsWith(typeof(RequestFigures).FullName + ".", StringComparison.Ordinal))
            .SelectMany(sql => RequestFigures.Columns.Where(column => Writes(sql.Sql, column)).Select(column => $"{sql.Name} writes {column}"))
            .ToArray();

        writers.ShouldBeEmpty();
    }

    [Test]
    public void The_statistics_column_check_sees_a_write_of_each_column()
    {
        foreach (var column in RequestFigures.Columns)
        {
            Writes($"UPDATE financing_requests SET status = 'x', {column} = @Value WHERE id = @Id", column).ShouldBeTrue(column);
            Writes($"INSERT INTO financing_requests (id, {column}) VALUES (@Id, @Value)", column).ShouldBeTrue(column);
        }
    }

    [Test]
    public void Every_transition_takes_its_step_from_states_it_names_and_is_listed()
    {
        var declared = typeof(Transitions).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(field => field.GetValue(null)).OfType<object>()
            .Where(value => value is RequestTransition or DispatchTransition).ToArray();
        declared.Length.ShouldBe(Transitions.OfRequests.Count() + Transitions.OfDispatches.Count(), "every transition is in OfRequests or OfDispatches");
        foreach (var transition in Transitions.OfRequests.Where(t => t.From.Length > 0))
            transition.Sql.ShouldNotBeNull().ShouldContain("WHERE id = @Id AND status IN (", customMessage: transition.Event);
        foreach (var transition in Transitions.OfDispatches.Where(t => t.From.Length > 0))
            transition.Sql.ShouldNotBeNull().ShouldContain("WHERE id = @Id AND status = ", customMessage: transition.Event);
    }

    [Test]
    public void No_feature_opens_a_transaction_of_its_own()
    {
        var features = Path.Combine(RepoRoot(), "src", "FinanceSupermarket.Api", "Features");
        var opening = Directory.EnumerateFiles(features, "*.cs", SearchOption.AllDirectories)
            .Where(file => Regex.IsMatch(File.ReadAllText(file), @"BeginTransaction|InTransactionAsync|TransactionScope"))
            .Select(file => Path.GetRelativePath(features, file))
            .ToArray();

        opening.ShouldBeEmpty("commands run in the unit of work's transaction (Infrastructure/UnitOfWork)");
    }

    private static bool Writes(string sql, string column)
    {
        var update = Regex.Match(sql, @"UPDATE\s+financing_requests\s+SET\s+(?<set>.*?)(\sWHERE\s|$)", RegexOptions.Singleline | RegexOptions.IgnoreCase);
        if (update.Success && Regex.IsMatch(update.Groups["set"].Value, $@"\b{column}\s*=")) return true;
        var insert = Regex.Match(sql, @"INSERT\s+INTO\s+financing_requests\s*\((?<columns>[^)]*)\)", RegexOptions.IgnoreCase);
        return insert.Success && Regex.IsMatch(insert.Groups["columns"].Value, $@"\b{column}\b");
    }

    private static string RepoRoot()
    {
        var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "FinanceSupermarket.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("The repository root (FinanceSupermarket.sln) was not found above the test folder.");
    }
}
