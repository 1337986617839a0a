namespace FinanceSupermarket.IntegrationTests.Infrastructure;

public static class Eventually
{
    /// <summary>
    /// Polls until the condition holds, failing after a bounded wait. Only for what really runs on its own threads and
    /// timers (a node's Hangfire server, another node's catalog refresher); the workflow's jobs are run by the test itself.
    /// </summary>
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> holds, string what, double seconds = 45)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (holds(value)) return value;
            if (DateTime.UtcNow > deadline) Assert.Fail($"Waited {seconds} s for {what}; last seen: {value}");
            await Task.Delay(100);
        }
    }
}
