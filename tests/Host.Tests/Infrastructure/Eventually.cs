namespace Supervision.Host.Tests.Infrastructure;

/// <summary>Waiting for something a running server must do: a liveness bound (three minutes), never a performance
/// limit; the tests assert what happened, not how fast.</summary>
public static class Eventually
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    /// <summary>Polls the condition until it holds (true) or patience runs out (false).</summary>
    public static Task<bool> UntilAsync(Func<bool> condition) => UntilAsync(() => Task.FromResult(condition()));

    /// <inheritdoc cref="UntilAsync(Func{bool})"/>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        for (var waited = TimeSpan.Zero; waited < Patience; waited += TimeSpan.FromMilliseconds(100))
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return await condition();
    }

    /// <summary>The end of a server's output, for a failure message.</summary>
    public static string Tail(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= 4_000 ? text : "…" + text[^4_000..];
    }
}
