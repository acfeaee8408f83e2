using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Host.Platform;

namespace Supervision.Host.Jobs;

/// <summary>
/// <c>GET /api/jobs/{id}</c>: the state of background work the API handed off with <c>202</c> (its <c>Location</c>):
/// queued, running with progress, succeeded with the result, failed with the reason. Administrators and supervisors
/// read every such job; anyone else only the jobs they asked for (another's is not found, as if it did not exist).
/// </summary>
public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/jobs").WithTags("Jobs");
        api.MapGet("/{id}", Results<Ok<JobView>, NotFoundProblem> (string id, ClaimsPrincipal user, JobStates jobs) =>
            jobs.Read(id) is { } job && (user.IsInRole("admin") || user.IsInRole("supervisor") || string.Equals(job.RequestedBy, user.Identity?.Name, StringComparison.Ordinal))
                ? TypedResults.Ok(job)
                : new NotFoundProblem("Not found", $"No background job {id} that you may see."));
        return endpoints;
    }
}
