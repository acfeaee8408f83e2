using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Engine.Workflows;
using Supervision.Host.People;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Health;

/// <summary>A verification of the history chains: items and entries checked, the problems found (each naming the
/// first broken entry of an item), and when the digest compared with was taken.</summary>
public sealed record HistoryVerified(bool Intact, int Items, long Entries, IReadOnlyList<string> Problems, DateTimeOffset? DigestTakenAt);

/// <summary>
/// Recomputes every item's history chain and compares it with the items' versions and the latest digest, as
/// <c>history verify</c> does on the command line: <c>POST /api/history/verify</c>, an administrator's or a
/// supervisor's, as a background job (at a million items it reads every entry). It only reads, so it is safe to run
/// twice.
/// </summary>
[BackgroundWork("history-verify")]
public sealed record VerifyHistory(string RequestedBy) : IQuery<HistoryVerified>, IBackgroundWork;

public sealed class VerifyHistoryHandler(Actors actors, HistoryAudit audit) : IQueryHandler<VerifyHistory, HistoryVerified>
{
    public async ValueTask<HistoryVerified> Handle(VerifyHistory query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if ((await actors.ForAsync(query.RequestedBy, cancellationToken)).Role is not (Role.Admin or Role.Supervisor))
        {
            throw new WorkflowRefusedException(RefusalKind.Forbidden, $"'{query.RequestedBy}' is neither an administrator nor a supervisor any more");
        }

        var result = await audit.VerifyAsync(cancellationToken);
        await audit.RecordVerificationAsync(result, query.RequestedBy, cancellationToken);
        return new HistoryVerified(result.Intact, result.Items, result.Entries, result.Problems, result.DigestTakenAt);
    }
}

/// <summary><c>POST /api/history/verify</c>: 202 with the verification's job.</summary>
public static class HistoryApi
{
    public static IEndpointRouteBuilder MapHistoryVerification(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/history/verify", Accepted<JobAccepted> (System.Security.Claims.ClaimsPrincipal user, IBackgroundJobs jobs) =>
                jobs.Enqueue(new VerifyHistory(user.Identity!.Name!)).Accepted())
            .WithTags("Jobs")
            .RequireAuthorization(p => p.RequireRole("admin", "supervisor"));
        return endpoints;
    }
}
