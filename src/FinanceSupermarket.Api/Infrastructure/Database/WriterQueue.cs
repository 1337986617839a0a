namespace FinanceSupermarket.Api.Infrastructure.Database;

/// <summary>
/// A node's write transactions in line, first come first served, where the database takes one writer at a time
/// (<see cref="SqlDialect.CreateWriterQueue"/>: SQLite). Without it a writer that found the file's lock taken slept in
/// SQLite's busy handler (1 to 100 ms a try) and the lock stood free while work waited: at 150 requests/s the workflow's
/// steps fell behind by seconds with the CPU half idle. Past the wait, the provider's busy error (a 503 with Retry-After).
/// </summary>
public sealed class WriterQueue(TimeSpan wait, Func<Exception> busy)
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task EnterAsync(CancellationToken cancellationToken = default)
    {
        if (!await _turn.WaitAsync(wait, cancellationToken)) throw busy();
    }

    public void Leave() => _turn.Release();
}
