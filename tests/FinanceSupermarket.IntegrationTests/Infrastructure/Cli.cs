using System.Diagnostics;

namespace FinanceSupermarket.IntegrationTests.Infrastructure;

/// <summary>
/// The command line (tools/FinanceSupermarket.Cli) run as an operator runs it: its own process, its exit code and output.
/// The test project builds it (a project reference that references no assembly) in the configuration the tests run in.
/// </summary>
public static class Cli
{
    public sealed record Run(int ExitCode, string Output, string Errors);

    public static async Task<Run> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (testOutput.Name, testOutput.Parent!.Name);
        var repository = testOutput.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var cli = Path.Combine(repository, "tools", "FinanceSupermarket.Cli", "bin", configuration, framework, "FinanceSupermarket.Cli.dll");
        File.Exists(cli).ShouldBeTrue($"{cli} is built with the tests");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repository };
        start.ArgumentList.Add(cli);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach (var (key, value) in environment) start.Environment[key] = value;

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await output, await errors);
    }
}
