using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Reflection;
using FinanceSupermarket.Api.Infrastructure.Auth;
using FinanceSupermarket.Api.Infrastructure.Database;
using Microsoft.Extensions.Hosting;

namespace FinanceSupermarket.Cli;

/// <summary>
/// The API's own host, built by running its Program up to <c>builder.Build()</c> and stopping it there — the way
/// WebApplicationFactory and dotnet-ef do it. Commands that need the API's services (mediator, handlers, validators)
/// then get exactly the registrations the API runs with, without a second copy of Program.cs here.
/// The host is never started: no server, no migrations or seeding from Program.cs.
/// </summary>
public static class ApiHost
{
    /// <summary>The API's host with the command line's content root, environment, provider and connection string.</summary>
    public static IHost Build(ParseResult parse)
    {
        var configuration = PlatformSettings.Read(parse);
        var args = new List<string>
        {
            "--contentRoot", PlatformSettings.ContentRootOf(parse), "--applicationName", "FinanceSupermarket.Api",
            "--environment", PlatformSettings.Environment(parse).EnvironmentName,
        };
        if (parse.GetValue(PlatformSettings.Provider) is { } provider) args.Add($"--{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}={provider}");
        if (parse.GetValue(PlatformSettings.ConnectionString) is { } connectionString)
            args.AddRange([$"--{DatabaseOptions.Section}:{nameof(DatabaseOptions.ConnectionString)}", connectionString]);
        // These commands sign no token; a throwaway key lets the API's start-up checks pass outside Development without one.
        if (string.IsNullOrEmpty(configuration[$"{AuthOptions.Section}:{nameof(AuthOptions.SigningKey)}"]))
            args.Add($"--{AuthOptions.Section}:{nameof(AuthOptions.SigningKey)}={Convert.ToHexString(RandomNumberGenerator.GetBytes(32))}");
        return Build(args);
    }

    public static IHost Build(IReadOnlyList<string> args)
    {
        IHost? built = null;
        using var subscription = DiagnosticListener.AllListeners.Subscribe(new Observer<DiagnosticListener>(listener =>
        {
            if (listener.Name != "Microsoft.Extensions.Hosting") return;
            listener.Subscribe(new Observer<KeyValuePair<string, object?>>(e =>
            {
                if (e.Key != "HostBuilt" || e.Value is not IHost host || built is not null) return;
                built = host;
                throw new StopBeforeRun();
            }));
        }));

        var entryPoint = typeof(DatabaseMigrator).Assembly.EntryPoint
                         ?? throw new InvalidOperationException("The API assembly has no entry point.");
        try
        {
            entryPoint.Invoke(null, [args.ToArray()]);
        }
        catch (TargetInvocationException e) when (e.InnerException is StopBeforeRun)
        {
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
        return built ?? throw new InvalidOperationException("The API's Program finished without building its host.");
    }

    private sealed class StopBeforeRun : Exception;

    private sealed class Observer<T>(Action<T> onNext) : IObserver<T>
    {
        public void OnNext(T value) => onNext(value);
        public void OnCompleted() { }
        public void OnError(Exception error) { }
    }
}
