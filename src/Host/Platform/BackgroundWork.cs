namespace Supervision.Host.Platform;

/// <summary>
/// Work an office asks for that outlasts a request (recomputing every open item after a calendar year changed,
/// confirming a large plan import, recounting the board, verifying the history chains): a command sent through the
/// pipeline like any other, but from a background job (see <c>Jobs/</c>), so the API answers <c>202</c> with the job's
/// address at once. The job may be delivered more than once (a server killed mid-way, a job still running when its
/// invisibility timeout ends): every handler of such work is safe to run twice and writes nothing twice. Work names
/// its requester by login, not by a resolved actor, so the job checks the person's rights as they are when it runs.
/// The command line sends the same commands and waits for them.
/// </summary>
public interface IBackgroundWork
{
    /// <summary>Who asked for it (a login); the job's record names them.</summary>
    string RequestedBy { get; }
}

/// <summary>Names a type of <see cref="IBackgroundWork"/> as its jobs are known (the API's <c>kind</c>, the dashboard's job name).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class BackgroundWorkAttribute(string kind) : Attribute
{
    public string Kind { get; } = kind;
}

/// <summary>An exception a feature throws to refuse something with its own words (a 4xx in the API, a job failed at
/// once without retries).</summary>
public interface IRefusal
{
    /// <summary>The HTTP status the refusal is answered with.</summary>
    int Status { get; }

    /// <summary>The problem's title.</summary>
    string Title { get; }
}

/// <summary>The queue background work goes to; answers with the job's ticket.</summary>
public interface IBackgroundJobs
{
    /// <summary>Queues <paramref name="work"/> under its kind (registered with the work's type).</summary>
    JobTicket Enqueue<TWork>(TWork work)
        where TWork : IBackgroundWork;

    /// <summary>Whether the job is still to run or running (false: unknown, succeeded, failed for good or deleted).</summary>
    bool IsPending(string jobId);
}

/// <summary>A queued job: its id, its kind and where its state is read.</summary>
public sealed record JobTicket(string Id, string Kind)
{
    public string Href => $"/api/jobs/{Id}";

    /// <summary>The answer of an endpoint that handed its work to this job: 202, <c>Location</c> the job's address.</summary>
    public Microsoft.AspNetCore.Http.HttpResults.Accepted<JobAccepted> Accepted() =>
        Microsoft.AspNetCore.Http.TypedResults.Accepted(Href, new JobAccepted(Id, Kind, "queued", Href));
}

/// <summary>The body of a <c>202</c>: the job that does the work, and where to read how it goes.</summary>
public sealed record JobAccepted(string Id, string Kind, string Status, string Href);

/// <summary>
/// How far the running job has come; handlers of background work report through it as they go. Outside a job (the
/// command line, a request) reports go nowhere.
/// </summary>
public interface IJobProgress
{
    /// <summary><paramref name="done"/> of <paramref name="total"/> (null: not known in advance).</summary>
    void Report(long done, long? total);
}

/// <summary>Progress that goes nowhere: the command line waits for its work and says the result when it is done.</summary>
public sealed class NoJobProgress : IJobProgress
{
    public void Report(long done, long? total)
    {
    }
}
