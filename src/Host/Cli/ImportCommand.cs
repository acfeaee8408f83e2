using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Supervision.Engine.Import;
using Supervision.Host.Import;
using Supervision.Host.People;
using Supervision.Host.Storage;

namespace Supervision.Host.Cli;

/// <summary>
/// <c>import FILE [--year YYYY] [--dry-run] [--json] [--directory FILE] [--as LOGIN] [--plan NAME] [--create-units]</c>:
/// reads a work plan (a decomposition table or a prose plan: workbook, Word, CSV or text) and reports what it holds: items and task rows, the tasks that would be created with
/// their section, lead and responsible units (matched against the stored departments and the directory's groups)
/// and deadlines as read beside the original text, and every warning with its line and field.
/// </summary>
internal static class ImportCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string>("file") { Description = "The plan: a workbook (.xlsx, .xls), a Word document (.docx), CSV, or text (.txt, .tsv; UTF-8 or GB18030) holding a decomposition table or a prose plan." };
        var year = new Option<int?>("--year") { Description = "The plan's year, when its title does not say." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be created; change nothing." };
        var json = new Option<bool>("--json") { Description = "The report as JSON (items with number, title, lead, responsible, deadlines; warnings)." };
        var directory = new Option<string?>("--directory") { Description = "A department directory file (seeds/departments format) whose groups (各区县（市）政府, …) expand to departments." };
        var actAs = new Option<string?>("--as") { Description = "The supervisor registering the tasks (needed to create them)." };
        var planName = new Option<string?>("--plan") { Description = "The plan's name the tasks carry (default: the document's title)." };
        var createUnits = new Option<bool>("--create-units") { Description = "Create the units the plan names that no department matches (under the supervisor's department) instead of refusing." };
        var undated = new Option<string?>("--undated") { Description = "Rows the plan gives no deadline: year-end (due at the end of the plan's year; the default), ongoing (reported quarterly) or skip." };
        var command = new Command("import", "Read a work plan and create its supervision tasks (or, with --dry-run, report them).") { file, year, dryRun, json, directory, actAs, planName, createUnits, undated };
        command.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                error.WriteLine($"{path}: no such file.");
                return 2;
            }

            if (UndatedTasksText.Parse(parse.GetValue(undated)) is not { } undatedTasks)
            {
                error.WriteLine($"--undated: '{parse.GetValue(undated)}' is not {UndatedTasksText.Choices}.");
                return 2;
            }

            var creating = !parse.GetValue(dryRun);
            if (creating && string.IsNullOrWhiteSpace(parse.GetValue(actAs)))
            {
                error.WriteLine("--as: name the supervisor registering the tasks (or use --dry-run to only see the report).");
                return 2;
            }

            PlanFileRead read;
            try
            {
                if (new FileInfo(path).Length > PlanFiles.MaxBytes)
                {
                    error.WriteLine($"{path}: larger than {PlanFiles.MaxBytes / 1024 / 1024} MB; not a plan this importer reads.");
                    return 2;
                }

                read = PlanFiles.Read(await File.ReadAllBytesAsync(path, ct), path, parse.GetValue(year));
            }
            catch (InvalidDataException e)
            {
                error.WriteLine(e.Message);
                return 2;
            }

            var plan = read.Plan;
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
                var name = parse.GetValue(planName) ?? (plan.Title is { } t ? PlanReader.PlanName(t) : Path.GetFileNameWithoutExtension(path));
                ImportOutcome done;
                try
                {
                    var actor = await services.GetRequiredService<Supervision.Host.People.Actors>().ForAsync(parse.GetValue(actAs)!, ct);
                    done = await services.GetRequiredService<Mediator.ISender>().Send(new ImportPlan(actor, plan, name, groups, parse.GetValue(createUnits), Undated: undatedTasks), ct);
                }
                catch (Exception e) when (e is Supervision.Engine.Workflows.WorkflowRefusedException or KeyNotFoundException or DuplicateNameException or Supervision.Engine.Calendars.CalendarRangeException)
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

                    error.WriteLine("Add the missing departments (departments add NAME [--parent NAME] [--alias NAME]), fix the directory's groups, or import with --create-units.");
                    return 1;
                }

                foreach (var unit in done.CreatedUnits)
                {
                    output.WriteLine($"department created: {unit}");
                }

                foreach (var task in done.Tasks)
                {
                    output.WriteLine($"{task.Outcome,-16} {task.Number,4}  line {task.Line,-5} {task.Title}{(task.ItemId is { } id ? $"  (item {id})" : string.Empty)}{(task.Reason is null ? string.Empty : $": {task.Reason}")}");
                }

                output.WriteLine($"{path}: plan '{name}': {done.Tasks.Count(t => t.Outcome == ImportOutcomes.Created)} tasks created and assigned, "
                    + $"{done.Tasks.Count(t => t.Outcome == ImportOutcomes.AwaitingEvent)} awaiting their event, "
                    + $"{done.Tasks.Count(t => t.Outcome == ImportOutcomes.AlreadyImported)} already imported, {done.Tasks.Count(t => t.Outcome == ImportOutcomes.NotCreated)} not created.");
                return 0;
            }

            var report = PlanReport.Of(path, read, new UnitDirectory(stored, groups));
            if (parse.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(report, Json));
                return 0;
            }

            output.WriteLine($"{path}: {plan.Title ?? "(no title)"} — {plan.Year}, read as {read.Layout}{(read.Encoding is "GB18030" ? " (GB18030 text)" : string.Empty)}: {plan.Items.Count} items, {report.TaskRows} task rows (dry run: nothing created)");
            var section = string.Empty;
            foreach (var item in report.Items)
            {
                if (item.Section != section)
                {
                    section = item.Section;
                    output.WriteLine(section);
                }

                output.WriteLine($"  {item.Number}. {item.Title}  (line {item.Line})");
                foreach (var task in item.Tasks)
                {
                    var due = task.Deadline.Read.Count == 0 ? "none" : string.Join("; ", task.Deadline.Read.Select(PlanReport.Words));
                    output.WriteLine($"     - {Shorten(task.Text)}");
                    output.WriteLine($"       牵头 {Or(string.Join(" ", task.Lead))} | 责任 {Or(string.Join(" ", task.Responsible))} | 时限 {due}{(task.Deadline.Original.Trim().Length > 0 ? $" ← '{task.Deadline.Original.Trim()}'" : string.Empty)}");
                }
            }

            foreach (var u in report.UnknownUnits)
            {
                output.WriteLine($"unknown unit: {u.Name} (first at line {u.FirstLine}); add it with: departments add {u.Name} (or import with --create-units)");
            }

            foreach (var w in report.Warnings)
            {
                output.WriteLine($"warning: {path}:{w.Line}: {w.Field}: {w.Message}");
            }

            return 0;
        }));
        return command;
    }

    private static string Or(string text) => text.Length == 0 ? "—" : text;

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 60), "…");
}
