using System.Diagnostics;
using System.Reflection;

namespace FinanceSupermarket.IntegrationTests.Contract;

/// <summary>
/// The contract's tools outside .NET: the pinned npm packages of tools/api-lint (Redocly, Spectral, Prism), installed there
/// with `npm ci` (.ci/run does so before the tests), and the document the build generated (the test project's csproj).
/// </summary>
public static class ApiLintTools
{
    public static string Folder { get; } = Path.Combine(RepositoryRoot(), "tools", "api-lint");

    /// <summary>The document the host's own OpenAPI service wrote at build time, from which the client was generated.</summary>
    public static string BuildTimeDocument { get; } = typeof(ApiLintTools).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "ContractDocument").Value!;

    public sealed record Run(int ExitCode, string Output, string Errors);

    /// <summary>Starts one of the packages' commands (node_modules/.bin) in tools/api-lint.</summary>
    public static Process Start(string command, params string[] args)
    {
        var executable = Path.Combine(Folder, "node_modules", ".bin", command);
        if (!File.Exists(executable))
            Assert.Fail($"{executable} is missing: run `npm ci --prefix tools/api-lint` once (Node.js 20 or later), as .ci/run does.");
        var start = new ProcessStartInfo(executable) { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // No update notices or telemetry: the tools must not need the network.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        return Process.Start(start)!;
    }

    public static async Task<Run> RunAsync(string command, params string[] args)
    {
        using var process = Start(command, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await output, await errors);
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "FinanceSupermarket.sln"))) return folder.FullName;
        throw new InvalidOperationException("The repository root (FinanceSupermarket.sln) is not above " + AppContext.BaseDirectory);
    }
}
