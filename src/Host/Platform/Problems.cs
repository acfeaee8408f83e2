using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Supervision.Engine.Calendars;
using Supervision.Engine.Clocks;
using Supervision.Engine.Workflows;
using Supervision.Host.Storage;

namespace Supervision.Host.Platform;

/// <summary>
/// Every error as RFC 7807 problem details: 400 malformed input (naming the field), 401/403 with a reason, 404
/// unknown item, 409 concurrency conflict or step already done, 422 a rule of the workflow or the law, 503 with
/// Retry-After when the database cannot be reached or has gone read-only, 507 when its disk is full.
/// </summary>
public static partial class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        context.Items["problem"] = detail;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = TypeOf(status), Instance = context.Request.Path };
        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[name] = value;
        }

        return context.Response.WriteAsync(JsonSerializer.Serialize(problem, JsonOptions));
    }

    /// <summary>What a 503 for an unreachable database tells the client to wait (Retry-After, seconds).</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>The status and title for a domain exception, or null for an unexpected one.</summary>
    /// <summary>A body that is not JSON of the request's shape, said without the server's type names.</summary>
    public static string PlainJson(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var at = exception.Path is { Length: > 0 } path ? $" at {path}" : string.Empty;
        var message = exception.Message.Split(" Path:")[0];
        var what = message.Contains("could not be converted to", StringComparison.Ordinal)
            ? "the value is not of the kind this field takes (text, a number, true or false, a list or an object)"
            : TypeNames().Replace(message, "a value");
        return $"The body is not valid JSON for this request{at}: {what}";
    }

    /// <summary>A query or route value that could not be read, said by the parameter's name and the kind it takes.</summary>
    public static string PlainBinding(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var bind = BindFailure().Match(message);
        if (bind.Success)
        {
            var name = bind.Groups["name"].Value;
            var kind = bind.Groups["type"].Value.TrimEnd('?') switch
            {
                "int" or "long" or "Int32" or "Int64" => "a whole number",
                "bool" or "Boolean" => "true or false",
                "double" or "decimal" or "Double" or "Decimal" => "a number",
                "DateOnly" => "a date (yyyy-MM-dd)",
                "DateTimeOffset" or "DateTime" => "a date and time (ISO 8601)",
                _ => "a value of the kind it takes",
            };
            return $"{char.ToLowerInvariant(name[0])}{name[1..]}: '{bind.Groups["value"].Value}' is not {kind}";
        }

        return message.StartsWith("Required parameter", StringComparison.Ordinal) && message.Contains("from body", StringComparison.Ordinal)
            ? "A JSON body is required."
            : TypeNames().Replace(message, "a value");
    }

    [System.Text.RegularExpressions.GeneratedRegex("Failed to bind parameter \"(?<type>[^\" ]+) (?<name>[^\" ]+)\" from \"(?<value>[^\"]*)\"")]
    private static partial System.Text.RegularExpressions.Regex BindFailure();

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(System|Supervision|Microsoft)(\.[A-Za-z_][\w`]*)+(\[[^\]]*\])?")]
    private static partial System.Text.RegularExpressions.Regex TypeNames();

    public static (int Status, string Title)? Classify(Exception exception) => exception switch
    {
        WorkflowRefusedException { Kind: RefusalKind.Forbidden } => (StatusCodes.Status403Forbidden, "Forbidden"),
        WorkflowRefusedException { Kind: RefusalKind.Conflict } => (StatusCodes.Status409Conflict, "Conflict"),
        WorkflowRefusedException { Kind: RefusalKind.Invalid } => (StatusCodes.Status400BadRequest, "Invalid request"),
        WorkflowRefusedException => (StatusCodes.Status422UnprocessableEntity, "Refused by a rule"),
        ClockRuleException => (StatusCodes.Status422UnprocessableEntity, "Refused by a rule"),
        Supervision.Engine.Calendars.CalendarRangeException => (StatusCodes.Status422UnprocessableEntity, "Outside the calendar"),
        ConcurrencyException => (StatusCodes.Status409Conflict, "Conflict"),
        KeyNotFoundException => (StatusCodes.Status404NotFound, "Not found"),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (StatusCodes.Status413PayloadTooLarge, "Request too large"),
        BadHttpRequestException or JsonException => (StatusCodes.Status400BadRequest, "Malformed request"),
        CalendarFileException => (StatusCodes.Status400BadRequest, "Invalid calendar year"),
        DuplicateNameException => (StatusCodes.Status409Conflict, "Conflict"),
        IRefusal refusal => (refusal.Status, refusal.Title),
        _ => null,
    };

    private static string TypeOf(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        422 => "https://tools.ietf.org/html/rfc9110#section-15.5.21",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        507 => "https://tools.ietf.org/html/rfc4918#section-11.5",
        _ => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
    };

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>Turns domain exceptions thrown by endpoints into problem details; anything else is a 500 without details.</summary>
internal sealed class DomainExceptionHandler(ILogger<DomainExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var inner = exception is BadHttpRequestException { InnerException: JsonException json } ? json : exception;
        if (inner is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            await Problems.WriteAsync(httpContext, StatusCodes.Status413PayloadTooLarge, "Request too large", $"A request body may have at most {Limits.MaxBodyBytes / 1024} KiB.");
            return true;
        }

        if (DbErrors.IsStorageFull(exception))
        {
            // Not the client's fault and not going away by itself: an administrator must free space. The failed
            // transaction wrote nothing; the same request succeeds once there is room.
            logger.LogError("The database's storage is full ({Method} {Path} refused, nothing written): free disk space. {Error}", httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
            await Problems.WriteAsync(httpContext, StatusCodes.Status507InsufficientStorage, "Storage full",
                "The database's storage is full; nothing was changed. An administrator must free disk space; the same request can then be sent again.");
            return true;
        }

        if (DbErrors.IsReadOnly(exception))
        {
            logger.LogError("The database is read-only ({Method} {Path} refused, nothing written): {Error}", httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
            await UnavailableAsync(httpContext, "Database read-only", "The database cannot be written to right now (its storage is read-only); nothing was changed. Try again later.");
            return true;
        }

        if (DbErrors.IsUnavailable(exception))
        {
            // Fail fast and say when to come back: nothing of the request was written (its transaction never committed).
            logger.LogWarning("Database unavailable on {Method} {Path}: {Error}", httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
            await UnavailableAsync(httpContext, "Database unavailable", $"The database cannot be reached right now; nothing was changed. Try again in {Problems.RetryAfterSeconds} seconds.");
            return true;
        }

        if (Problems.Classify(inner) is not { } problem)
        {
            logger.LogError(exception, "Unexpected error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            await Problems.WriteAsync(httpContext, StatusCodes.Status500InternalServerError, "Internal error", "Something went wrong on the server; it has been logged.");
            return true;
        }

        var detail = inner is JsonException j
            ? Problems.PlainJson(j)
            : inner is BadHttpRequestException ? Problems.PlainBinding(inner.Message) : inner.Message;
        await Problems.WriteAsync(httpContext, problem.Status, problem.Title, detail);
        return true;
    }

    // 503 with the time to come back after: nothing of the request was written.
    private static Task UnavailableAsync(HttpContext httpContext, string title, string detail)
    {
        httpContext.Response.Headers.RetryAfter = Problems.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.WriteAsync(httpContext, StatusCodes.Status503ServiceUnavailable, title, detail);
    }
}
