using System.Reflection;
using System.Text.Json;
using Hangfire;
using Hangfire.Server;
using Hangfire.States;
using Mediator;
using Supervision.Host.Platform;

namespace Supervision.Host.Jobs;

/// <summary>
/// The kinds of background work this build knows: every <see cref="IBackgroundWork"/> of the Host carrying
/// <see cref="BackgroundWorkAttribute"/>. A stored job names its work by kind, never by a type name read from storage,
/// so nothing but these types is ever made from a job's arguments.
/// </summary>
public sealed class WorkKinds
{
    private readonly Dictionary<string, Type> _types;
    private readonly Dictionary<Type, string> _kinds;

    public WorkKinds()
    {
        var types = typeof(WorkKinds).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: false } && typeof(IBackgroundWork).IsAssignableFrom(t))
            .Select(t => (Type: t, Kind: t.GetCustomAttribute<BackgroundWorkAttribute>()?.Kind ?? throw new InvalidOperationException($"{t.Name} is background work without a [BackgroundWork] kind")))
            .ToList();
        _types = types.ToDictionary(t => t.Kind, t => t.Type, StringComparer.Ordinal);
        _kinds = types.ToDictionary(t => t.Type, t => t.Kind);
    }

    public IEnumerable<string> All => _types.Keys;

    public string KindOf(Type type) => _kinds.TryGetValue(type, out var kind) ? kind : throw new ArgumentException($"{type.Name} is not background work", nameof(type));

    public Type? TypeOf(string kind) => _types.GetValueOrDefault(kind);
}

/// <summary>Thrown when background work is refused (the requester lost the right, the thing is gone): the job fails at once, without retries.</summary>
public sealed class JobRefusedException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Runs one piece of background work as a Hangfire job: the work (by kind and its JSON) is sent through the command
/// pipeline, its result stored with the job. Retried up to three times with Hangfire's backoff when it fails for a
/// passing reason (the database away); refused at once when the product refuses it (a 4xx answer in the API).
/// </summary>
public sealed class WorkRunner(ISender sender, WorkKinds kinds, JobProgress progress, ILogger<WorkRunner> logger)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The job parameter holding the result (the work's answer as JSON).</summary>
    public const string ResultParameter = "result";

    /// <summary>The job parameter holding the progress (<c>{"done":n,"total":m}</c>).</summary>
    public const string ProgressParameter = "progress";

    [JobDisplayName("{0}")]
    [AutomaticRetry(Attempts = 3, ExceptOn = [typeof(JobRefusedException)], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task<string> RunAsync(string kind, string work, PerformContext? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var type = kinds.TypeOf(kind) ?? throw new JobRefusedException($"no background work of kind '{kind}' in this version", new KeyNotFoundException(kind));
        var message = JsonSerializer.Deserialize(work, type, Json) ?? throw new JobRefusedException($"{kind}: empty work", new ArgumentException(work));
        object? result;
        using (progress.Begin(context))
        {
            try
            {
                result = await sender.Send(message, cancellationToken);
            }
            catch (Exception e) when (Problems.Classify(e) is not null)
            {
                logger.LogWarning("Job {Job} ({Kind}) refused: {Reason}", context.BackgroundJob.Id, kind, e.Message);
                throw new JobRefusedException(e.Message, e);
            }
        }

        var json = JsonSerializer.Serialize(result, Json);
        using (var connection = context.Storage.GetConnection())
        {
            connection.SetJobParameter(context.BackgroundJob.Id, ResultParameter, json);
        }

        logger.LogInformation("Job {Job} ({Kind}) done: {Result}", context.BackgroundJob.Id, kind, json);
        return json;
    }
}

/// <summary>Queues background work on Hangfire as a <see cref="WorkRunner"/> job. Hangfire's storage is reached on
/// first use, not when this is made, so a database problem at start-up is reported by the migrations first.</summary>
internal sealed class HangfireBackgroundJobs(IServiceProvider services, WorkKinds kinds) : IBackgroundJobs
{
    public JobTicket Enqueue<TWork>(TWork work)
        where TWork : IBackgroundWork
    {
        ArgumentNullException.ThrowIfNull(work);
        var kind = kinds.KindOf(typeof(TWork));
        var json = JsonSerializer.Serialize(work, WorkRunner.Json);
        var id = services.GetRequiredService<IBackgroundJobClient>().Enqueue<WorkRunner>(runner => runner.RunAsync(kind, json, null, CancellationToken.None));
        return new JobTicket(id, kind);
    }

    public bool IsPending(string jobId)
    {
        using var connection = services.GetRequiredService<JobStorage>().GetConnection();
        var state = connection.GetJobData(jobId)?.State;
        return state is not null && (state == EnqueuedState.StateName || state == ProcessingState.StateName || state == ScheduledState.StateName || state == AwaitingState.StateName);
    }
}

/// <summary>
/// The running job's progress, stored as a job parameter so that any Host can read it: written at most twice a second
/// (and the last report always), from the flow of the job that reports.
/// </summary>
public sealed class JobProgress(TimeProvider clock) : IJobProgress
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(500);
    private readonly AsyncLocal<Sink?> _current = new();

    internal IDisposable Begin(PerformContext context)
    {
        var sink = new Sink(context, clock);
        _current.Value = sink;
        return sink;
    }

    public void Report(long done, long? total) => _current.Value?.Report(done, total);

    private sealed class Sink(PerformContext context, TimeProvider clock) : IDisposable
    {
        private DateTimeOffset _written = DateTimeOffset.MinValue;
        private (long Done, long? Total)? _pending;

        public void Report(long done, long? total)
        {
            _pending = (done, total);
            if (clock.GetUtcNow() - _written >= Every)
            {
                Write();
            }
        }

        public void Dispose()
        {
            if (_pending is not null)
            {
                Write();
            }
        }

        private void Write()
        {
            var (done, total) = _pending!.Value;
            using var connection = context.Storage.GetConnection();
            connection.SetJobParameter(context.BackgroundJob.Id, WorkRunner.ProgressParameter, JsonSerializer.Serialize(new { done, total }, WorkRunner.Json));
            _written = clock.GetUtcNow();
            _pending = null;
        }
    }
}
