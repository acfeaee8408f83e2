using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mediator;

namespace Supervision.Host.Pipeline;

/// <summary>
/// Last before the handler: each message's name, outcome and duration, as a debug log line and as the metrics
/// <c>supervision.messages</c> (count by message and outcome) and <c>supervision.message.duration</c> (milliseconds).
/// Refusals are outcomes, not errors: they are counted by kind and logged at debug level like successes.
/// </summary>
public sealed class LoggingBehavior<TMessage, TResponse>(ILogger<LoggingBehavior<TMessage, TResponse>> logger) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        var name = typeof(TMessage).Name;
        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            return await next(message, cancellationToken);
        }
        catch (Exception e)
        {
            outcome = e.GetType().Name;
            throw;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            MessageMetrics.Record(name, outcome, elapsed);
            logger.LogDebug("{Message} {Outcome} in {Elapsed} ms", name, outcome, elapsed.TotalMilliseconds);
        }
    }
}

/// <summary>The pipeline's meters (<c>Supervision.Messages</c>).</summary>
internal static class MessageMetrics
{
    private static readonly Meter Meter = new("Supervision.Messages");
    private static readonly Counter<long> Count = Meter.CreateCounter<long>("supervision.messages", description: "Commands and queries handled, by message and outcome.");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("supervision.message.duration", unit: "ms", description: "Time to handle a command or query.");

    public static void Record(string message, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "message", message }, { "outcome", outcome } };
        Count.Add(1, tags);
        Duration.Record(elapsed.TotalMilliseconds, tags);
    }
}
