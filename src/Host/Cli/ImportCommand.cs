using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Supervision.Engine.Import;
using Supervision.Host.Storage;

namespace Supervision.Host.Cli;

/// <summary>
/// <c>import FILE [--year YYYY] [--dry-run] [--json] [--directory FILE]</c>: reads a work plan (a decomposition table
/// or a prose plan, as text) and reports what it holds: items and task rows, the tasks that would be created with
/// their section, lead and responsible units (matched against the stored departments and the directory's groups)
/// and deadlines as read beside the original text, and every warning with its line and field.
/// </summary>
internal static class ImportCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The plan: a workbook (.xlsx, .xls) or UTF-8 text (.txt, .tsv) holding a decomposition table or a prose plan." };
        var year = new Option<int?>("--year") { Description = "The plan's year, when its title does not say." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be created; change nothing." };
        var json = new Option<bool>("--json") { Description = "The report as JSON (items with number, title, lead, responsible, deadlines; warnings)." };
        var directory = new Option<string?>("--directory") { Description = "A department directory file (seeds/departments format) whose groups (各区县（市）政府, …) expand to departments." };
        var actAs = new Option<string?>("--as") { Description = "The supervisor registering the tasks (needed to create them)." };
        var planName = new Option<string?>("--plan") { Description = "The plan's name the tasks carry (default: the document's title)." };
        var command = new Command("import", "Read a work plan and create its supervision tasks (or, with --dry-run, report them).") { file, year, dryRun, json, directory, actAs, planName };
        command.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                error.WriteLine($"{path}: no such file.");
                return 2;
            }

            var extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is ".docx" or ".doc")
            {
                error.WriteLine($"{path}: {extension} files are not read yet; save the document as text (.txt) or its table as a workbook (.xlsx) and import that.");
                return 2;
            }

            if (parse.GetValue(year) is { } y && y is < 2000 or > 2099)
            {
                error.WriteLine($"--year: {y} is not 2000 to 2099.");
                return 2;
            }

            var creating = !parse.GetValue(dryRun);
            if (creating && string.IsNullOrWhiteSpace(parse.GetValue(actAs)))
            {
                error.WriteLine("--as: name the supervisor registering the tasks (or use --dry-run to only see the report).");
                return 2;
            }

            string layout;
            PlanDocument plan;
            if (extension is ".xlsx" or ".xls")
            {
                try
                {
                    await using var stream = File.OpenRead(path);
                    (layout, plan) = ("Workbook", PlanTable.Read(Supervision.Host.Import.Spreadsheets.Read(stream, path), parse.GetValue(year)));
                }
                catch (InvalidDataException e)
                {
                    error.WriteLine(e.Message);
                    return 2;
                }
            }
            else
            {
                string text;
                try
                {
                    text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(await File.ReadAllBytesAsync(path, ct));
                }
                catch (DecoderFallbackException)
                {
                    error.WriteLine($"{path}: not UTF-8 text; save it as UTF-8 and import again.");
                    return 2;
                }

                var read = PlanReader.Read(text, parse.GetValue(year));
                (layout, plan) = (read.Layout.ToString(), read.Plan);
            }

            var stored = await services.GetRequiredService<DepartmentStore>().ListAsync(ct);
            var groups = new Dictionary<string, IReadOnlyList<string>>();
            if (parse.GetValue(directory) is { } directoryFile)
            {
                try
                {
                    groups = UnitDirectoryFile.Parse(await File.ReadAllTextAsync(directoryFile, ct), directoryFile).Groups.ToDictionary(g => g.Key, g => g.Value);
                }
                catch (Exception e) when (e is UnitDirectoryFileException or IOException)
                {
                    error.WriteLine(e.Message);
                    return 2;
                }
            }

            if (creating)
            {
                // As the server does at start: the calendar and the workflow definitions in force.
                await services.GetRequiredService<Supervision.Host.Calendars.CalendarService>().LoadAsync(ct);
                await services.GetRequiredService<Supervision.Host.Workflows.DefinitionCatalog>().LoadAsync(ct);
                var name = parse.GetValue(planName) ?? plan.Title ?? Path.GetFileNameWithoutExtension(path);
                Supervision.Host.Import.ImportOutcome done;
                try
                {
                    var actor = await services.GetRequiredService<Supervision.Host.Workflows.ItemWorkflows>().ActorAsync(parse.GetValue(actAs)!, ct);
                    done = await services.GetRequiredService<Supervision.Host.Import.PlanImports>().ApplyAsync(plan, name, actor, groups, ct);
                }
                catch (Exception e) when (e is Supervision.Engine.Workflows.WorkflowRefusedException or KeyNotFoundException)
                {
                    error.WriteLine($"{path}: nothing imported: {e.Message}");
                    return 2;
                }

                if (done.Refused.Count > 0)
                {
                    error.WriteLine($"{path}: nothing imported:");
                    foreach (var reason in done.Refused)
                    {
                        error.WriteLine($"  {reason}");
                    }

                    error.WriteLine("Add the missing departments (departments add NAME [--parent NAME] [--alias NAME]) or fix the directory's groups, then import again.");
                    return 1;
                }

                foreach (var task in done.Tasks)
                {
                    output.WriteLine($"{task.Outcome,-16} {task.Number,4}  line {task.Line,-5} {task.Title}{(task.ItemId is { } id ? $"  (item {id})" : string.Empty)}{(task.Reason is null ? string.Empty : $": {task.Reason}")}");
                }

                output.WriteLine($"{path}: plan '{name}': {done.Created} tasks created, {done.Tasks.Count(t => t.Outcome == "already-imported")} already imported, {done.Tasks.Count(t => t.Outcome == "not-created")} not created.");
                return 0;
            }

            var units = new UnitDirectory(stored, groups);
            var unknown = plan.Items.SelectMany(i => i.Tasks.SelectMany(t => units.Match(t.Lead).Concat(units.Match(t.Responsible)).OfType<UnitMatch.Unknown>().Select(u => (u.Text, t.Line))))
                .GroupBy(u => u.Text, StringComparer.Ordinal).Select(g => new { name = g.Key, firstLine = g.Min(x => x.Line) }).ToList();
            var report = new
            {
                file = path,
                layout,
                title = plan.Title,
                year = plan.Year,
                items = plan.Items.Select(i => new
                {
                    number = i.Number,
                    title = i.Title,
                    section = i.Section,
                    line = i.Line,
                    lead = i.Tasks.SelectMany(t => units.Split(t.Lead)).Distinct().ToList(),
                    responsible = i.Tasks.SelectMany(t => units.Split(t.Responsible)).Distinct().ToList(),
                    deadlines = i.Tasks.SelectMany(t => t.Deadline.Deadlines).Distinct().Select(Deadline).ToList(),
                    tasks = i.Tasks.Select(t => new
                    {
                        line = t.Line,
                        text = t.Text,
                        lead = units.Split(t.Lead),
                        responsible = units.Split(t.Responsible),
                        deadline = new { original = t.Deadline.Original, read = t.Deadline.Deadlines.Select(Deadline).ToList() },
                    }).ToList(),
                }).ToList(),
                unknownUnits = unknown,
                warnings = plan.Warnings.Select(w => new { line = w.Line, field = w.Field, message = w.Message }).ToList(),
            };
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(report, Json));
                return 0;
            }

            output.WriteLine($"{path}: {plan.Title ?? "(no title)"} — {plan.Year}, read as {layout}: {plan.Items.Count} items, {plan.Items.Sum(i => i.Tasks.Count)} task rows (dry run: nothing created)");
            var section = string.Empty;
            foreach (var item in plan.Items)
            {
                if (item.Section != section)
                {
                    section = item.Section;
                    output.WriteLine(section);
                }

                output.WriteLine($"  {item.Number}. {item.Title}  (line {item.Line})");
                foreach (var task in item.Tasks)
                {
                    var due = task.Deadline.Deadlines.Count == 0 ? "none" : string.Join("; ", task.Deadline.Deadlines.Select(Words));
                    output.WriteLine($"     - {Shorten(task.Text)}");
                    output.WriteLine($"       牵头 {Or(task.Lead)} | 责任 {Or(task.Responsible)} | 时限 {due}{(task.Deadline.Original.Length > 0 ? $" ← '{task.Deadline.Original.Trim()}'" : string.Empty)}");
                }
            }

            foreach (var u in unknown)
            {
                output.WriteLine($"unknown unit: {u.name} (first at line {u.firstLine}); add it with: departments add {u.name}");
            }

            foreach (var w in plan.Warnings)
            {
                output.WriteLine($"warning: {path}:{w.Line}: {w.Field}: {w.Message}");
            }

            return 0;
        }));
        return command;
    }

    private static object Deadline(PlanDeadline d) => new
    {
        kind = d.Kind.ToString().ToLowerInvariant(),
        due = d.Due?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        limit = d.Limit?.ToString(),
        @event = d.Event,
        text = d.Text,
    };

    private static string Words(PlanDeadline d) => d.Kind switch
    {
        DeadlineKind.Dated => d.Due!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DeadlineKind.Relative => $"{d.Limit} after {d.Event ?? "the event"}",
        DeadlineKind.Ongoing => "ongoing",
        _ => "continuous",
    };

    private static string Or(string text) => text.Length == 0 ? "—" : text;

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 60), "…");
}
