using System.Reflection;
using System.Text;
using DbUp.Engine;
using DbUp.Engine.Transactions;

namespace FinanceSupermarket.Api.Infrastructure.Database;

/// <summary>
/// A provider's migrations, embedded in this assembly: the tokenised scripts of database/common/ (one set for every
/// provider, see <see cref="SqlDialect.MigrationVariables"/>) and the provider-only scripts of database/&lt;provider&gt;/,
/// in the order of their file names.
/// </summary>
public sealed class MigrationScripts(DatabaseProvider provider) : IScriptProvider
{
    private const string Resources = "FinanceSupermarket.Api.database.";
    private const string Common = "common";

    /// <summary>The folder of the provider's own scripts, e.g. database/postgresql/.</summary>
    public static string ProviderFolder(DatabaseProvider provider) => provider.ToString().ToLowerInvariant();

    /// <summary>
    /// Each script is journalled as FinanceSupermarket.Api.database.&lt;provider&gt;.&lt;file&gt;, common ones included: the
    /// name DbUp gave it when every provider folder held its own copy of every script. A database migrated before the
    /// copies became database/common/ therefore finds every script applied and runs none again. Keep these names.
    /// </summary>
    public IReadOnlyList<SqlScript> Scripts()
    {
        var assembly = typeof(MigrationScripts).Assembly;
        var journalPrefix = $"{Resources}{ProviderFolder(provider)}.";
        var scripts = assembly.GetManifestResourceNames()
            .Where(name => name.EndsWith(".sql", StringComparison.Ordinal)
                           && (name.StartsWith($"{Resources}{Common}.", StringComparison.Ordinal) || name.StartsWith(journalPrefix, StringComparison.Ordinal)))
            .Select(name => new SqlScript(journalPrefix + FileName(name), Read(assembly, name)))
            .OrderBy(script => script.Name, StringComparer.Ordinal)
            .ToArray();
        var twice = scripts.GroupBy(script => script.Name).FirstOrDefault(group => group.Count() > 1);
        if (twice is not null)
            throw new InvalidOperationException($"{twice.Key} is both in database/{Common}/ and in database/{ProviderFolder(provider)}/.");
        return scripts;
    }

    public IEnumerable<SqlScript> GetScripts(IConnectionManager connectionManager) => Scripts();

    /// <summary>"0001_initial.sql" of "FinanceSupermarket.Api.database.common.0001_initial.sql".</summary>
    private static string FileName(string resource)
    {
        var folderEnd = resource.IndexOf('.', Resources.Length);
        return resource[(folderEnd + 1)..];
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
