namespace FinanceSupermarket.IntegrationTests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls until the condition holds (background jobs run on their own threads), failing after a bounded wait.</summary>
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
