namespace Supervision.Host.Platform;

/// <summary>
/// Records every attempt to act through the API (any method but GET and HEAD): who, what, the status, allowed or
/// not, and the refusal's reason. Written after the response is produced, in a transaction of its own, so a refused
/// action's rollback does not take its record with it; the response is finished only once its record is committed.
/// </summary>
internal sealed class AccessLog(RequestDelegate next, AccessLogWriter writer, TimeProvider clock)
{
    private const string DetailKey = "access-detail";

    /// <summary>Says what an administrative change changed, for its access log entry (never a password or a secret).</summary>
    public static void Describe(HttpContext context, string what)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[DetailKey] = what.Length > 2000 ? what[..2000] + "…" : what;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || !context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        await next(context);
        var status = context.Response.StatusCode;
        await writer.WriteAsync(new AccessEntry(
            clock.GetUtcNow(),
            context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name! : "anonymous",
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            status,
            status < 400,
            status is 401 or 403 or 409 or 422 ? context.Items["problem"] as string : null,
            status < 400 ? context.Items[DetailKey] as string : null));
    }
}

/// <summary>One attempt to act, as the access log keeps it.</summary>
internal sealed record AccessEntry(DateTimeOffset At, string Actor, string Method, string Path, int Status, bool Allowed, string? Reason, string? Detail = null);

/// <summary>
/// Writes access log entries in groups: while one group is being committed, the entries of requests finishing
/// meanwhile gather and go in the next, in one statement and one commit. Each request still waits until its own entry
/// is committed (a lone request costs one insert, as before); under concurrent writes the log costs one commit per
/// group instead of one per request. A failure to write is logged, never turned into the request's failure.
/// </summary>
internal sealed class AccessLogWriter(AccessLogStore store, ILogger<AccessLogWriter> logger)
{
    private readonly Lock _gate = new();
    private List<(AccessEntry Entry, TaskCompletionSource Done)> _pending = [];
    private bool _writing;

    /// <summary>Completes once the entry is committed (or its group failed and was logged).</summary>
    public Task WriteAsync(AccessEntry entry)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _pending.Add((entry, done));
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            _ = Task.Run(WriteGroupsAsync);
        }

        return done.Task;
    }

    private async Task WriteGroupsAsync()
    {
        while (true)
        {
            List<(AccessEntry Entry, TaskCompletionSource Done)> group;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _writing = false;
                    return;
                }

                group = _pending;
                _pending = [];
            }

            try
            {
                await store.AppendAsync(group.Select(g => g.Entry).ToList(), CancellationToken.None);
            }
            catch (Exception e)
            {
                // Whatever went wrong, the waiting requests are released and the next group is tried.
                logger.LogError(e, "Could not record {Count} access log entries, first {Method} {Path}", group.Count, group[0].Entry.Method, group[0].Entry.Path);
            }

            foreach (var (_, done) in group)
            {
                done.TrySetResult();
            }
        }
    }
}
