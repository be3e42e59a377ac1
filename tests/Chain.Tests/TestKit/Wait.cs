namespace Chain.Tests.TestKit;

public static class Wait
{
    /// <summary>Polls until the condition holds; fails with the description after the timeout. Generous by default for a loaded 2-core machine.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string description, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for: {description}");
            await Task.Delay(50);
        }
    }
}
