using System.Security.Claims;
using System.Text.Json;
using Mediator;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Engine.Workflows;
using Supervision.Host.People;
using Supervision.Host.Platform;

namespace Supervision.Host.Import;

/// <summary>An upload in a list: what it is, who sent it, what the dry run found, and what confirming it did.</summary>
public sealed record ImportSummary(long Id, string FileName, string PlanName, string Status, string UploadedBy, DateTimeOffset UploadedAt,
    string? ConfirmedBy, DateTimeOffset? ConfirmedAt, int Items, int TaskRows, int UnknownUnits, int Warnings, int? Created);

/// <summary>An upload with its whole dry-run report and, once confirmed, every task row's outcome.</summary>
public sealed record ImportDetail(ImportSummary Import, PlanReport Report, ImportResult? Result);

/// <summary>What confirming created: every task row's outcome and the departments made for unknown units.</summary>
public sealed record ImportResult(IReadOnlyList<ImportedTask> Tasks, IReadOnlyList<string> CreatedUnits);

/// <summary>The body of a confirmation: create unknown units; what undated rows become (year-end, ongoing, skip).</summary>
public sealed record ImportConfirmation(bool CreateUnits = false, string? Undated = null);

/// <summary>
/// Plan imports on the board (supervisors): <c>POST /api/imports</c> takes a plan file (multipart <c>file</c>, optional
/// <c>year</c> and <c>plan</c>), stores it and answers with the dry run, writing no task; <c>POST
/// /api/imports/{id}/confirm</c> creates the tasks from exactly the stored file, once (a second confirmation is 409);
/// unknown units refuse it (422, listed) unless confirmed with <c>createUnits</c>; rows without a deadline are due at
/// the plan year's end unless <c>undated</c> says <c>ongoing</c> or <c>skip</c>. <c>GET /api/imports</c> lists the
/// recent uploads, <c>GET /api/imports/{id}</c> gives one with its report and outcome.
/// </summary>
public static class ImportsApi
{
    internal static readonly JsonSerializerOptions Json = PlanImports.OutcomeJson;

    public static IEndpointRouteBuilder MapImports(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/imports").WithTags("Imports").RequireAuthorization("supervisor");
        api.MapPost("/", UploadAsync).DisableAntiforgery();
        api.MapGet("/", (ClaimsPrincipal user, Actors actors, ImportStore imports, CancellationToken ct, int limit = 20) => Answer.Read(async () =>
        {
            if (limit is < 1 or > 200)
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, "limit: 1 to 200");
            }

            var actor = await actors.ForAsync(user, ct);
            return TypedResults.Ok((await imports.ListAsync(limit, actor.Role == Role.Admin ? null : actor.Scope, ct)).Select(Summary).ToList());
        }));
        api.MapGet("/{id:long}", (long id, ClaimsPrincipal user, Actors actors, ImportStore imports, UserStore users, CancellationToken ct) =>
            Answer.Found(async () => TypedResults.Ok(Detail(await VisibleAsync(id, user, actors, imports, users, ct)))));
        api.MapPost("/{id:long}/confirm", ConfirmAsync);
        return endpoints;
    }

    private static async Task<Results<Created<ImportDetail>, InvalidProblem, TooLargeProblem, RefusedProblem>> UploadAsync(HttpContext context, ClaimsPrincipal user, Actors actors, ISender sender, CancellationToken ct)
    {
        // Plan files may be larger than the API's 1 MiB bodies: up to the importer's limit plus the form around it.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = PlanFiles.MaxBytes + (64 * 1024);
        }

        if (context.Request.ContentLength > PlanFiles.MaxBytes + (64 * 1024))
        {
            return new TooLargeProblem("Request too large", $"file: {context.Request.ContentLength / 1024.0 / 1024:0.0} MB; a plan file is at most {PlanFiles.MaxBytes / 1024 / 1024} MB");
        }

        try
        {
            return await PreviewAsync(context, user, actors, sender, ct);
        }
        catch (Exception e) when (Answer.Refusal(e, StatusCodes.Status400BadRequest, StatusCodes.Status422UnprocessableEntity) is { } refused)
        {
            return refused.Status == StatusCodes.Status400BadRequest ? new InvalidProblem(refused.Title, refused.Detail) : new RefusedProblem(refused.Title, refused.Detail);
        }
    }

    // The upload read, checked and previewed (nothing created).
    private static async Task<Created<ImportDetail>> PreviewAsync(HttpContext context, ClaimsPrincipal user, Actors actors, ISender sender, CancellationToken ct)
    {
        if (!context.Request.HasFormContentType)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, "file: send the plan as multipart/form-data with a 'file' part");
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(ct);
        }
        catch (Exception e) when (e is InvalidDataException or IOException && e is not OperationCanceledException)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"file: the upload could not be read ({e.Message}); a plan file is at most {PlanFiles.MaxBytes / 1024 / 1024} MB");
        }

        var file = form.Files.GetFile("file") ?? throw new WorkflowRefusedException(RefusalKind.Invalid, "file: required (the plan: .xlsx, .xls, .docx, .csv, .tsv or .txt)");
        if (file.Length > PlanFiles.MaxBytes)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"file: {file.Length / 1024.0 / 1024:0.0} MB; a plan file is at most {PlanFiles.MaxBytes / 1024 / 1024} MB");
        }

        int? year = null;
        if (form.TryGetValue("year", out var yearText) && !string.IsNullOrWhiteSpace(yearText))
        {
            year = int.TryParse(yearText, System.Globalization.CultureInfo.InvariantCulture, out var y) && y is >= 2000 and <= 2099
                ? y
                : throw new WorkflowRefusedException(RefusalKind.Invalid, $"year: '{yearText}' is not a year from 2000 to 2099");
        }

        var name = SafeName(file.FileName);
        byte[] content;
        await using (var stream = file.OpenReadStream())
        using (var buffer = new MemoryStream())
        {
            await stream.CopyToAsync(buffer, ct);
            content = buffer.ToArray();
        }

        var stored = await sender.Send(new PreviewPlan(await actors.ForAsync(user, ct), name, content, year, form.TryGetValue("plan", out var given) ? given.ToString() : null), ct);
        return TypedResults.Created($"/api/imports/{stored.Id}", Detail(stored));
    }

    // An import uploaded outside the caller's office answers as one that does not exist (scope before state).
    private static async Task<ImportRecord> VisibleAsync(long id, ClaimsPrincipal user, Actors actors, ImportStore imports, UserStore users, CancellationToken ct) =>
        await ConfirmImportHandler.VisibleAsync(imports, users, await actors.ForAsync(user, ct), id, ct);

    // A plan of up to Supervision:Imports:InlineTasks task rows is confirmed in place (200 with the import); a larger
    // one by a background job (202 with its address), checked first for what can be refused at once.
    private static async Task<Results<Results<Ok<ImportDetail>, Accepted<JobAccepted>>, InvalidProblem, ForbiddenProblem, NotFoundProblem, ConflictProblem, RefusedProblem>> ConfirmAsync(long id, ImportConfirmation? body, ClaimsPrincipal user,
        ImportStore imports, UserStore users, ISender sender, Actors actors, IBackgroundJobs jobs, IConfiguration configuration, CancellationToken ct)
    {
        try
        {
            var record = await VisibleAsync(id, user, actors, imports, users, ct);
            var work = new ConfirmImport(id, user.Identity!.Name!, body?.CreateUnits ?? false, body?.Undated);
            var report = JsonSerializer.Deserialize<PlanReport>(record.Report, Json)!;
            if (record.Status == "previewed" && UndatedTasksText.Parse(body?.Undated) is not null
                && report.TaskRows > configuration.GetValue(ConfirmImportHandler.InlineTasksKey, ConfirmImportHandler.DefaultInlineTasks))
            {
                return (Results<Ok<ImportDetail>, Accepted<JobAccepted>>)jobs.Enqueue(work with { InBackground = true }).Accepted();
            }

            return (Results<Ok<ImportDetail>, Accepted<JobAccepted>>)TypedResults.Ok(await sender.Send(work, ct));
        }
        catch (UnknownUnitsException e)
        {
            return new RefusedProblem("Units not found", e.Message, new Dictionary<string, object?> { ["refused"] = e.Refused });
        }
        catch (Exception e) when (Answer.Refusal(e, 400, 403, 404, 409, 422) is { } refusal)
        {
            return Answer.Refused<Results<Ok<ImportDetail>, Accepted<JobAccepted>>>(refusal);
        }
    }

    internal static PlanFileRead Read(byte[] content, string name, int? year)
    {
        try
        {
            return PlanFiles.Read(content, name, year);
        }
        catch (InvalidDataException e)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"file: {e.Message}");
        }
    }

    // The name as shown and stored: no folders, no control characters, not too long.
    private static string SafeName(string? uploaded)
    {
        var name = Path.GetFileName((uploaded ?? string.Empty).Replace('\\', '/'));
        name = new string(name.Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (name.Length == 0)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, "file: the upload has no file name (its extension says what kind of file it is)");
        }

        return name.Length <= 200 ? name : string.Concat(name.AsSpan(0, 180), Path.GetExtension(name).AsSpan(0, Math.Min(20, Path.GetExtension(name).Length)));
    }

    private static ImportSummary Summary(ImportRecord r)
    {
        var report = JsonSerializer.Deserialize<PlanReport>(r.Report, Json)!;
        var result = r.Outcome is null ? null : JsonSerializer.Deserialize<ImportResult>(r.Outcome, Json);
        return new ImportSummary(r.Id, r.FileName, r.PlanName, r.Status, r.UploadedBy, r.UploadedAt, r.ConfirmedBy, r.ConfirmedAt,
            report.Items.Count, report.TaskRows, report.UnknownUnits.Count, report.Warnings.Count,
            result?.Tasks.Count(t => t.Outcome is ImportOutcomes.Created or ImportOutcomes.AwaitingEvent));
    }

    internal static ImportDetail Detail(ImportRecord r) => new(
        Summary(r),
        JsonSerializer.Deserialize<PlanReport>(r.Report, Json)!,
        r.Outcome is null ? null : JsonSerializer.Deserialize<ImportResult>(r.Outcome, Json));
}
