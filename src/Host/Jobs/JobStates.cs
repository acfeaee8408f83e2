using System.Globalization;
using System.Text.Json;
using Hangfire;
using Hangfire.States;

namespace Supervision.Host.Jobs;

/// <summary>
/// A background job as the API shows it. <see cref="Status"/>: <c>queued</c> (waiting, or waiting for a retry, when
/// <see cref="Attempts"/> says how many failed and <see cref="Error"/> why the last did), <c>running</c> (with
/// <see cref="Progress"/>), <c>succeeded</c> (with <see cref="Result"/>), <c>failed</c> (for good, with
/// <see cref="Error"/>), or <c>deleted</c> (by an administrator on the dashboard).
/// </summary>
public sealed record JobView(
    string Id, string Kind, string Status, string? RequestedBy, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt,
    JobProgressView? Progress, JsonElement? Result, string? Error, int Attempts)
{
    public string Href => $"/api/jobs/{Id}";
}

/// <summary>How far a running job has come: <see cref="Done"/> of <see cref="Total"/> (null: not known in advance).</summary>
public sealed record JobProgressView(long Done, long? Total);

/// <summary>Reads a background job's state from Hangfire's storage (whichever Host runs it).</summary>
public sealed class JobStates(JobStorage storage, WorkKinds kinds)
{
    /// <summary>The job, or null when there is no such job or it is not background work (a recurring run).</summary>
    public JobView? Read(string id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 19 || !id.All(char.IsAsciiDigit))
        {
            return null;
        }

        using var connection = storage.GetConnection();
        var data = connection.GetJobData(id);
        if (data?.Job is not { } job || job.Type != typeof(WorkRunner) || job.Args.Count < 2 || job.Args[0] is not string kind || kinds.TypeOf(kind) is null)
        {
            return null;
        }

        string? requestedBy = null;
        if (job.Args[1] is string work)
        {
            using var parsed = JsonDocument.Parse(work);
            requestedBy = parsed.RootElement.TryGetProperty("requestedBy", out var by) ? by.GetString() : null;
        }

        var state = connection.GetStateData(id);
        var attempts = int.TryParse(connection.GetJobParameter(id, "RetryCount"), NumberStyles.None, CultureInfo.InvariantCulture, out var retries) ? retries : 0;
        var progress = connection.GetJobParameter(id, WorkRunner.ProgressParameter) is { Length: > 0 } p ? JsonSerializer.Deserialize<JobProgressView>(p, WorkRunner.Json) : null;
        var name = state?.Name;
        var stateData = state?.Data ?? new Dictionary<string, string>();
        (string Status, DateTimeOffset? Finished, string? Error) view =
            name == SucceededState.StateName ? ("succeeded", At(stateData, "SucceededAt"), null)
            : name == FailedState.StateName ? ("failed", At(stateData, "FailedAt"), stateData.TryGetValue("ExceptionMessage", out var message) ? message : state!.Reason)
            : name == DeletedState.StateName ? ("deleted", At(stateData, "DeletedAt"), (string?)state!.Reason)
            : name == ProcessingState.StateName ? ("running", null, null)
            : name == ScheduledState.StateName && attempts > 0 ? ("queued", null, (string?)state!.Reason)
            : ("queued", null, null);
        var (status, finished, error) = view;
        JsonElement? result = null;
        if (status == "succeeded" && connection.GetJobParameter(id, WorkRunner.ResultParameter) is { Length: > 0 } stored)
        {
            using var parsed = JsonDocument.Parse(stored);
            result = parsed.RootElement.Clone();
        }

        return new JobView(id, kind, status, requestedBy, new DateTimeOffset(DateTime.SpecifyKind(data.CreatedAt, DateTimeKind.Utc)), finished,
            status == "succeeded" ? null : progress, result, error, attempts);
    }

    private static DateTimeOffset? At(IDictionary<string, string> data, string key) =>
        data.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value) ? new DateTimeOffset(DateTime.SpecifyKind(Hangfire.Common.JobHelper.DeserializeDateTime(value), DateTimeKind.Utc)) : null;
}
