// A throwaway PostgreSQL server for integration tests and benchmarks.
//
// Only the BCL is used. The server runs from a private folder under /tmp, listens on a
// free port on 127.0.0.1 with trust authentication and durability switched off (fsync,
// synchronous_commit, full_page_writes), and is removed again by DisposeAsync, by a
// ProcessExit handler, or - if the owning process was killed - by the next StartAsync.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace FinanceSupermarket.Testing;

public sealed class TemporaryPostgresServer : IAsyncDisposable
{
    private const string FolderPrefix = "fs-pg-";
    private const string OwnerFileName = "owner.pid";
    private const string ServiceUser = "postgres";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly EventHandler _onProcessExit;
    private int _disposed;

    private TemporaryPostgresServer(string binDirectory, string rootDirectory, int port, bool runAsServiceUser)
    {
        BinDirectory = binDirectory;
        RootDirectory = rootDirectory;
        Port = port;
        RunsAsServiceUser = runAsServiceUser;
        _onProcessExit = (_, _) => StopAndDeleteSynchronously();
    }

    /// <summary>Host the server listens on.</summary>
    public string Host { get; } = "127.0.0.1";

    /// <summary>TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Folder holding the PostgreSQL binaries that were used (initdb, pg_ctl, createdb...).</summary>
    public string BinDirectory { get; }

    /// <summary>Private temporary folder: data directory, socket and log live here.</summary>
    public string RootDirectory { get; }

    /// <summary>The cluster's data directory.</summary>
    public string DataDirectory => Path.Combine(RootDirectory, "data");

    /// <summary>The server log (pg_ctl -l).</summary>
    public string LogFile => Path.Combine(RootDirectory, "log.txt");

    /// <summary>True when initdb/pg_ctl are run through <c>runuser -u postgres</c> (current user is root).</summary>
    public bool RunsAsServiceUser { get; }

    /// <summary>Connection string to the <c>postgres</c> maintenance database.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    /// <summary>Connection string to <paramref name="database"/> on this server.</summary>
    public string ConnectionStringFor(string database) =>
        $"Host={Host};Port={Port.ToString(CultureInfo.InvariantCulture)};Username={ServiceUser};Database={database};" +
        "Pooling=true;Maximum Pool Size=100;Include Error Detail=true";

    /// <summary>
    /// Creates a private cluster (initdb) and starts it (pg_ctl -w start) on a free port.
    /// Throws <see cref="InvalidOperationException"/> with the tool output and server log if a step fails.
    /// </summary>
    public static async Task<TemporaryPostgresServer> StartAsync(CancellationToken ct = default)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
            throw new PlatformNotSupportedException("TemporaryPostgresServer needs a Unix-like system.");

        var bin = FindBinDirectory();
        var asServiceUser = IsRoot();
        if (asServiceUser && FindOnPath("runuser") is null)
            throw new InvalidOperationException(
                "Running as root, but 'runuser' was not found: initdb and pg_ctl refuse to run as root and must be run as the 'postgres' user.");

        CleanUpAbandonedServers(bin, asServiceUser);

        var baseTemp = System.IO.Directory.Exists("/tmp") ? "/tmp" : Path.GetTempPath();
        var root = Path.Combine(baseTemp, FolderPrefix + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, OwnerFileName),
            Environment.ProcessId.ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);

        try
        {
            if (asServiceUser)
                await RunCheckedAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", root], root, "chown of the temporary folder", null, ct)
                    .ConfigureAwait(false);

            var server = new TemporaryPostgresServer(bin, root, 0, asServiceUser);
            await server.RunToolCheckedAsync("initdb",
                ["-D", server.DataDirectory, "-U", ServiceUser, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                "initdb", ct).ConfigureAwait(false);

            // The port is free when probed, but another process may take it before the server binds it: retry a few times.
            const int attempts = 5;
            for (var attempt = 1; ; attempt++)
            {
                var port = GetFreePort();
                server = new TemporaryPostgresServer(bin, root, port, asServiceUser);
                var result = await server.RunToolAsync("pg_ctl", server.StartArguments(), ct).ConfigureAwait(false);
                if (result.ExitCode == 0)
                    break;

                var log = ReadLogTail(server.LogFile);
                var portTaken = log.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
                    || log.Contains("already in use", StringComparison.OrdinalIgnoreCase);
                if (!portTaken || attempt == attempts)
                    throw StepFailed("pg_ctl start", result, server.LogFile);

                await server.RunToolAsync("pg_ctl", ["-D", server.DataDirectory, "-m", "immediate", "-w", "stop"], ct).ConfigureAwait(false);
            }

            AppDomain.CurrentDomain.ProcessExit += server._onProcessExit;
            try
            {
                await server.WaitUntilReadyAsync(ct).ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            return server;
        }
        catch
        {
            // Nothing is left running if we get here before the server started; if pg_ctl start
            // failed half-way, stop whatever may be there before deleting the folder.
            TryStopCluster(bin, root, asServiceUser);
            TryDeleteDirectory(root);
            throw;
        }
    }

    /// <summary>
    /// Creates a fresh, empty database named <paramref name="name"/> (letters, digits, '_' and '-')
    /// and returns its connection string.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > 63 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            throw new ArgumentException(
                $"Database name '{name}' must be at most 63 characters of ASCII letters, digits, '_' or '-'.", nameof(name));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        // createdb is a client: it runs fine as root and talks to the server over TCP with trust auth.
        var result = await RunProcessAsync(ToolPath("createdb"),
            ["-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", ServiceUser, "-w", "--", name],
            RootDirectory, ClientEnvironment(), ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw StepFailed($"createdb {name}", result, LogFile);

        return ConnectionStringFor(name);
    }

    /// <summary>
    /// Stops the server as an outage would (fast mode: open sessions are ended), keeping its data; <see cref="StartAgainAsync"/>
    /// brings it back on the same port.
    /// </summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await RunToolCheckedAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"], "pg_ctl stop", ct).ConfigureAwait(false);
    }

    /// <summary>Starts a server stopped by <see cref="StopAsync"/> again, and waits until it accepts connections.</summary>
    public async Task StartAgainAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await RunToolCheckedAsync("pg_ctl", StartArguments(), "pg_ctl start", ct).ConfigureAwait(false);
        await WaitUntilReadyAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Stops the server (immediate mode) and deletes its folder. Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;

        try
        {
            var result = await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None)
                .ConfigureAwait(false);
            if (result.ExitCode != 0)
                KillPostmaster(DataDirectory);
        }
        catch
        {
            KillPostmaster(DataDirectory);
        }

        TryDeleteDirectory(RootDirectory);
    }

    public override string ToString() => $"PostgreSQL at {Host}:{Port} ({RootDirectory})";

    // ---------------------------------------------------------------- start / stop helpers

    private string[] StartArguments()
    {
        var options = string.Join(' ',
            "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-k", ShellQuote(RootDirectory),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
            "-c", "max_connections=800");
        return ["-D", DataDirectory, "-o", options, "-l", LogFile, "-w", "-t", "60", "start"];
    }

    private static int GetFreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        var isReady = ToolPath("pg_isready");
        var usePgIsReady = File.Exists(isReady);
        ProcessResult? last = null;

        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (usePgIsReady)
            {
                last = await RunProcessAsync(isReady,
                    ["-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", ServiceUser, "-d", "postgres", "-t", "2"],
                    RootDirectory, ClientEnvironment(), ct).ConfigureAwait(false);
                if (last.ExitCode == 0)
                    return;
            }
            else if (await CanConnectAsync(Host, Port, ct).ConfigureAwait(false))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var detail = last is null ? "no TCP connection could be made" : last.Describe();
                throw new InvalidOperationException(
                    $"PostgreSQL on {Host}:{Port} did not become ready within {ReadyTimeout.TotalSeconds:0} s: {detail}{Environment.NewLine}" +
                    $"--- server log ({LogFile}) ---{Environment.NewLine}{ReadLogTail(LogFile)}");
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    private static async Task<bool> CanConnectAsync(string host, int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await client.ConnectAsync(IPAddress.Parse(host), port, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private void StopAndDeleteSynchronously()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        TryStopCluster(BinDirectory, RootDirectory, RunsAsServiceUser);
        TryDeleteDirectory(RootDirectory);
    }

    /// <summary>Best effort, synchronous: pg_ctl stop -m immediate, else kill the postmaster.</summary>
    private static void TryStopCluster(string bin, string root, bool asServiceUser)
    {
        var data = Path.Combine(root, "data");
        if (!File.Exists(Path.Combine(data, "postmaster.pid")))
            return;
        try
        {
            var (file, args) = Command(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "20", "stop"], asServiceUser);
            var result = RunProcessAsync(file, args, root, null, CancellationToken.None, TimeSpan.FromSeconds(30))
                .GetAwaiter().GetResult();
            if (result.ExitCode == 0)
                return;
        }
        catch
        {
            // fall through to kill
        }
        KillPostmaster(data);
    }

    private static void KillPostmaster(string dataDirectory)
    {
        try
        {
            var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
            if (!File.Exists(pidFile))
                return;
            var firstLine = File.ReadLines(pidFile).FirstOrDefault();
            if (int.TryParse(firstLine, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && pid > 0)
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(); // SIGKILL; the backends notice the postmaster's death and exit.
                process.WaitForExit(5000);
            }
        }
        catch
        {
            // best effort
        }
    }

    /// <summary>
    /// Removes fs-pg-* folders left behind by processes that died without disposing their server
    /// (e.g. a test host killed by a timeout). Folders of live processes are left alone.
    /// </summary>
    private static void CleanUpAbandonedServers(string bin, bool asServiceUser)
    {
        try
        {
            var baseTemp = System.IO.Directory.Exists("/tmp") ? "/tmp" : Path.GetTempPath();
            foreach (var dir in System.IO.Directory.EnumerateDirectories(baseTemp, FolderPrefix + "*"))
            {
                var ownerFile = Path.Combine(dir, OwnerFileName);
                if (!File.Exists(ownerFile))
                    continue;
                if (!int.TryParse(File.ReadAllText(ownerFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var owner))
                    continue;
                if (owner == Environment.ProcessId || IsProcessAlive(owner))
                    continue;

                TryStopCluster(bin, dir, asServiceUser);
                TryDeleteDirectory(dir);
            }
        }
        catch
        {
            // best effort
        }
    }

    private static bool IsProcessAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch
        {
            return true; // unknown: assume alive, leave it alone
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (System.IO.Directory.Exists(path))
                    System.IO.Directory.Delete(path, recursive: true);
                return;
            }
            catch
            {
                Thread.Sleep(200);
            }
        }
    }

    // ---------------------------------------------------------------- locating binaries

    private static string FindBinDirectory()
    {
        var fromEnv = Environment.GetEnvironmentVariable("PG_BIN");
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            if (!HasServerTools(fromEnv))
                throw new InvalidOperationException($"PG_BIN is set to '{fromEnv}', but initdb and pg_ctl were not found there.");
            return Path.GetFullPath(fromEnv);
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (System.IO.Directory.Exists(debianRoot))
        {
            var best = System.IO.Directory.EnumerateDirectories(debianRoot)
                .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: ParseVersion(Path.GetFileName(dir))))
                .Where(x => x.Version is not null && HasServerTools(x.Dir))
                .OrderByDescending(x => x.Version)
                .FirstOrDefault();
            if (best.Dir is not null)
                return best.Dir;
        }

        var initdb = FindOnPath("initdb");
        if (initdb is not null)
        {
            var dir = Path.GetDirectoryName(initdb)!;
            if (HasServerTools(dir))
                return dir;
        }

        throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found: set PG_BIN, install the 'postgresql' package " +
            "(/usr/lib/postgresql/<version>/bin), or put initdb and pg_ctl on PATH.");
    }

    private static Version? ParseVersion(string name)
    {
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var major))
            return new Version(major, 0);
        return Version.TryParse(name, out var version) ? version : null;
    }

    private static bool HasServerTools(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));

    private static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        foreach (var dir in new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" })
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    private string ToolPath(string tool) => Path.Combine(BinDirectory, tool);

    // ---------------------------------------------------------------- running processes

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    private static bool IsRoot()
    {
        if (Environment.UserName == "root")
            return true;
        try
        {
            return GetEffectiveUserId() == 0;
        }
        catch
        {
            return false;
        }
    }

    private static (string File, IReadOnlyList<string> Args) Command(string tool, IReadOnlyList<string> args, bool asServiceUser)
    {
        if (!asServiceUser)
            return (tool, args);
        var wrapped = new List<string> { "-u", ServiceUser, "--", tool };
        wrapped.AddRange(args);
        return (FindOnPath("runuser") ?? "runuser", wrapped);
    }

    /// <summary>Runs initdb/pg_ctl (server tools that refuse root) as the postgres user when we are root.</summary>
    private Task<ProcessResult> RunToolAsync(string tool, IReadOnlyList<string> args, CancellationToken ct)
    {
        var (file, wrappedArgs) = Command(ToolPath(tool), args, RunsAsServiceUser);
        return RunProcessAsync(file, wrappedArgs, RootDirectory, ServerEnvironment(), ct);
    }

    private async Task RunToolCheckedAsync(string tool, IReadOnlyList<string> args, string step, CancellationToken ct)
    {
        var result = await RunToolAsync(tool, args, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw StepFailed(step, result, LogFile);
    }

    private static async Task RunCheckedAsync(string file, IReadOnlyList<string> args, string workingDirectory, string step,
        string? logFile, CancellationToken ct)
    {
        var result = await RunProcessAsync(file, args, workingDirectory, null, ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw StepFailed(step, result, logFile);
    }

    /// <summary>Environment for initdb/pg_ctl: C locale, no PG* variables inherited from the caller.</summary>
    private static Dictionary<string, string?> ServerEnvironment() => new()
    {
        ["LC_ALL"] = "C",
        ["LANG"] = "C",
        ["PGDATA"] = null,
        ["PGPORT"] = null,
        ["PGHOST"] = null,
        ["PGUSER"] = null,
        ["PGOPTIONS"] = null,
    };

    private static Dictionary<string, string?> ClientEnvironment() => new()
    {
        ["PGPASSWORD"] = null,
        ["PGSERVICE"] = null,
        ["PGOPTIONS"] = null,
        ["PGSSLMODE"] = null,
        ["PGCONNECT_TIMEOUT"] = "10",
    };

    private static async Task<ProcessResult> RunProcessAsync(string file, IReadOnlyList<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment, CancellationToken ct, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file)
        {
            // The postgres user cannot enter root's working directory: run from the (chowned) temp folder.
            WorkingDirectory = System.IO.Directory.Exists(workingDirectory) ? workingDirectory : "/",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null)
                    info.Environment.Remove(key);
                else
                    info.Environment[key] = value;
            }
        }

        var commandLine = file + " " + string.Join(' ', args.Select(ShellQuote));
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"Could not start '{commandLine}': {e.Message}", e);
        }
        process.StandardInput.Close();

        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout ?? StepTimeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch { /* already gone */ }
            ct.ThrowIfCancellationRequested();
            throw new TimeoutException($"'{commandLine}' did not finish within {(timeout ?? StepTimeout).TotalSeconds:0} s.");
        }

        // pg_ctl start detaches the server with its output redirected to the log, so the pipes close here.
        var outputs = await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None)
            .ConfigureAwait(false);
        return new ProcessResult(commandLine, process.ExitCode, outputs[0], outputs[1]);
    }

    private static InvalidOperationException StepFailed(string step, ProcessResult result, string? logFile)
    {
        var message = new StringBuilder()
            .Append("TemporaryPostgresServer: ").Append(step).Append(" failed.").AppendLine()
            .AppendLine(result.Describe());
        if (logFile is not null && File.Exists(logFile))
            message.Append("--- server log (").Append(logFile).Append(") ---").AppendLine().AppendLine(ReadLogTail(logFile));
        return new InvalidOperationException(message.ToString());
    }

    private static string ReadLogTail(string logFile, int maxChars = 8000)
    {
        try
        {
            if (!File.Exists(logFile))
                return "(no log file)";
            using var stream = new FileStream(logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            return text.Length <= maxChars ? text : "..." + text[^maxChars..];
        }
        catch (Exception e)
        {
            return $"(could not read log: {e.Message})";
        }
    }

    private static string ShellQuote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@%+".Contains(c))
            ? value
            : "'" + value.Replace("'", "'\\''") + "'";

    private sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
    {
        public string Describe()
        {
            var text = new StringBuilder()
                .Append("$ ").AppendLine(CommandLine)
                .Append("exit code: ").Append(ExitCode.ToString(CultureInfo.InvariantCulture)).AppendLine();
            if (!string.IsNullOrWhiteSpace(StandardOutput))
                text.AppendLine("--- stdout ---").AppendLine(StandardOutput.TrimEnd());
            if (!string.IsNullOrWhiteSpace(StandardError))
                text.AppendLine("--- stderr ---").AppendLine(StandardError.TrimEnd());
            return text.ToString().TrimEnd();
        }
    }
}
