using System.Diagnostics;
using FinanceSupermarket.Api.Infrastructure.Database;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FinanceSupermarket.Benchmarks;

/// <summary>
/// The API's own Program, run in this process on a loopback port with the given command-line arguments: the same host,
/// middleware and background jobs as in production, with no test harness in between. The host is caught as it is built
/// (the way WebApplicationFactory and the CLI do it) so that it can be asked for its address and services, and stopped.
/// </summary>
internal sealed class InProcessApi : IAsyncDisposable
{
    private readonly Thread _thread;

    private InProcessApi(IHost host, Thread thread, Uri address)
    {
        Host = host;
        _thread = thread;
        Address = address;
    }

    public IHost Host { get; }
    public Uri Address { get; }
    public T Service<T>() where T : notnull => Host.Services.GetRequiredService<T>();

    public static async Task<InProcessApi> StartAsync(IReadOnlyList<string> args)
    {
        var built = new TaskCompletionSource<IHost>(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = DiagnosticListener.AllListeners.Subscribe(new Observer<DiagnosticListener>(listener =>
        {
            if (listener.Name == "Microsoft.Extensions.Hosting")
                listener.Subscribe(new Observer<KeyValuePair<string, object?>>(e =>
                {
                    if (e is { Key: "HostBuilt", Value: IHost host }) built.TrySetResult(host);
                }));
        }));

        var entryPoint = typeof(Db).Assembly.EntryPoint ?? throw new InvalidOperationException("The API assembly has no entry point.");
        var thread = new Thread(() =>
        {
            try
            {
                entryPoint.Invoke(null, [args.ToArray()]);
                ended.TrySetResult();
            }
            catch (Exception exception)
            {
                var cause = exception.InnerException ?? exception;
                built.TrySetException(cause);
                ended.TrySetException(cause);
            }
        }) { IsBackground = true, Name = "api" };
        thread.Start();

        var host = await built.Task;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => started.TrySetResult());
        if (await Task.WhenAny(started.Task, ended.Task) != started.Task)
        {
            await ended.Task;   // rethrows what stopped it
            throw new InvalidOperationException("The API stopped before it started.");
        }
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InProcessApi(host, thread, new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)));
    }

    public ValueTask DisposeAsync()
    {
        Host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        _thread.Join(TimeSpan.FromSeconds(30));
        return ValueTask.CompletedTask;
    }

    private sealed class Observer<T>(Action<T> onNext) : IObserver<T>
    {
        public void OnNext(T value) => onNext(value);
        public void OnCompleted() { }
        public void OnError(Exception error) { }
    }
}
