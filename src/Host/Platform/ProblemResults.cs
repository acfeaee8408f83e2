using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace Supervision.Host.Platform;

/// <summary>
/// A refusal an endpoint answers with, as problem details (<c>application/problem+json</c>), written exactly as the
/// exception handler writes one. Each status is its own type, so an endpoint's <c>Results&lt;…&gt;</c> union says
/// which refusals it may give, and the OpenAPI document lists them from the union.
/// </summary>
public abstract class ProblemAnswer(int status, string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null) : IResult, IStatusCodeHttpResult
{
    public int StatusCode { get; } = status;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public string Title { get; } = title;

    public string Detail { get; } = detail;

    /// <summary>Members beside the standard ones (a list of what was refused).</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; } = extensions;

    public Task ExecuteAsync(HttpContext httpContext) => Problems.WriteAsync(httpContext, StatusCode, Title, Detail, Extensions);

    /// <summary>Declares the status in the endpoint's metadata (what the OpenAPI document reads).</summary>
    protected static void Declare(EndpointBuilder builder, int status)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
    }
}

/// <summary>429: too many attempts; <c>Retry-After</c> says in how many seconds to try again.</summary>
public sealed class TooManyProblem(string title, string detail, TimeSpan retryAfter) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    int? IStatusCodeHttpResult.StatusCode => StatusCodes.Status429TooManyRequests;

    public TimeSpan RetryAfter { get; } = retryAfter;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var seconds = (long)Math.Ceiling(Math.Max(1, RetryAfter.TotalSeconds));
        httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.WriteAsync(httpContext, StatusCodes.Status429TooManyRequests, title, detail, new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status429TooManyRequests, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
    }
}

/// <summary>400: a field of the request is missing or wrong; the detail names it.</summary>
public sealed class InvalidProblem(string title, string detail) : ProblemAnswer(StatusCodes.Status400BadRequest, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status400BadRequest);
}

/// <summary>401: not signed in, or the password, token or session is not valid.</summary>
public sealed class UnauthorizedProblem(string title, string detail) : ProblemAnswer(StatusCodes.Status401Unauthorized, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status401Unauthorized);
}

/// <summary>403: the caller's role or department may not do this.</summary>
public sealed class ForbiddenProblem(string title, string detail) : ProblemAnswer(StatusCodes.Status403Forbidden, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status403Forbidden);
}

/// <summary>404: no such thing, or none the caller may know of (the same words for both).</summary>
public sealed class NotFoundProblem(string title, string detail) : ProblemAnswer(StatusCodes.Status404NotFound, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status404NotFound);
}

/// <summary>409: the state moved on (a stale version, a step already done, a name taken).</summary>
public sealed class ConflictProblem(string title, string detail) : ProblemAnswer(StatusCodes.Status409Conflict, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status409Conflict);
}

/// <summary>413: the upload is larger than the limit.</summary>
public sealed class TooLargeProblem(string title, string detail) : ProblemAnswer(StatusCodes.Status413PayloadTooLarge, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status413PayloadTooLarge);
}

/// <summary>415: the body is not of a type the route reads (it says which).</summary>
public sealed class UnsupportedProblem(string title, string detail) : ProblemAnswer(StatusCodes.Status415UnsupportedMediaType, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status415UnsupportedMediaType);
}

/// <summary>422: a rule refuses it (the regulations, the clock, the calendar's range).</summary>
public sealed class RefusedProblem(string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    : ProblemAnswer(StatusCodes.Status422UnprocessableEntity, title, detail, extensions), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status422UnprocessableEntity);
}

/// <summary>
/// Runs an endpoint's work and answers a refusal it raises (scope, validation, a stale version, a rule: see
/// <see cref="Problems.Classify"/>) as the matching member of the endpoint's union. Anything else (an unreachable
/// database, a bug) goes on to the exception handler.
/// </summary>
public static class Answer
{
    /// <summary>A read of one thing: found, or 404.</summary>
    public static async Task<Results<TOk, NotFoundProblem>> Found<TOk>(Func<Task<TOk>> work)
        where TOk : IResult
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            return await work();
        }
        catch (Exception e) when (Refusal(e, StatusCodes.Status404NotFound) is { } p)
        {
            return new NotFoundProblem(p.Title, p.Detail);
        }
    }

    /// <summary>A read with query parameters: the answer, or 400 naming the parameter.</summary>
    public static async Task<Results<TOk, InvalidProblem>> Read<TOk>(Func<Task<TOk>> work)
        where TOk : IResult
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            return await work();
        }
        catch (Exception e) when (Refusal(e, StatusCodes.Status400BadRequest) is { } p)
        {
            return new InvalidProblem(p.Title, p.Detail);
        }
    }

    /// <summary>A read of one thing with parameters: the answer, 400 naming the parameter, or 404.</summary>
    public static async Task<Results<TOk, InvalidProblem, NotFoundProblem>> ReadOne<TOk>(Func<Task<TOk>> work)
        where TOk : IResult
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            return await work();
        }
        catch (Exception e) when (Refusal(e, StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound) is { } p)
        {
            return p.Status == StatusCodes.Status400BadRequest ? new InvalidProblem(p.Title, p.Detail) : new NotFoundProblem(p.Title, p.Detail);
        }
    }

    /// <summary>A command: done, or refused as invalid (400), unknown or out of scope (404), in conflict with the
    /// state (409) or by a rule (422). A 403 of a command is decided by role before this (the pipeline's scope).</summary>
    public static async Task<Results<TOk, InvalidProblem, ForbiddenProblem, NotFoundProblem, ConflictProblem, RefusedProblem>> Command<TOk>(Func<Task<TOk>> work)
        where TOk : IResult
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            return await work();
        }
        catch (Exception e) when (Refusal(e, 400, 403, 404, 409, 422) is { } p)
        {
            return Refused<TOk>(p);
        }
    }

    /// <summary>A command's refusal as the member of its union that says it.</summary>
    public static Results<TOk, InvalidProblem, ForbiddenProblem, NotFoundProblem, ConflictProblem, RefusedProblem> Refused<TOk>((int Status, string Title, string Detail) p)
        where TOk : IResult => p.Status switch
        {
            StatusCodes.Status400BadRequest => new InvalidProblem(p.Title, p.Detail),
            StatusCodes.Status403Forbidden => new ForbiddenProblem(p.Title, p.Detail),
            StatusCodes.Status404NotFound => new NotFoundProblem(p.Title, p.Detail),
            StatusCodes.Status409Conflict => new ConflictProblem(p.Title, p.Detail),
            _ => new RefusedProblem(p.Title, p.Detail),
        };

    /// <summary>The refusal's status, title and words when it is one of the <paramref name="declared"/> statuses;
    /// null otherwise (the exception handler answers it: malformed JSON, an unreachable database, a bug).</summary>
    public static (int Status, string Title, string Detail)? Refusal(Exception e, params int[] declared) =>
        e is not BadHttpRequestException and not System.Text.Json.JsonException
        && Problems.Classify(e) is { } problem && declared.Contains(problem.Status)
            ? (problem.Status, problem.Title, e.Message)
            : null;
}
