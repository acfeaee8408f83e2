using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Supervision.Engine.Reports;
using Supervision.Host.People;
using Supervision.Host.Reports;

namespace Supervision.Host.Cli;

/// <summary>
/// <c>report [--from D] [--to D] [--format json|xlsx|csv] [--ledger] [--table T] [--department NAME] [--output FILE]</c>:
/// the statistics and scores (or the ledger, 台账) over a period for every department or one department and those under
/// it, as JSON, a workbook or CSV — the same figures as the API and the board.
/// </summary>
internal static class ReportCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string[] Tables = ["departments", "scores", "workflows", "plans", "items"];

    public static Command Create(TextWriter output, TextWriter error)
    {
        var from = new Option<string?>("--from") { Description = "The first office day (yyyy-MM-dd; default the 1st of this month)." };
        var to = new Option<string?>("--to") { Description = "The last office day (yyyy-MM-dd; default today)." };
        var format = new Option<string>("--format") { Description = "json (default), xlsx or csv.", DefaultValueFactory = _ => "json" };
        var ledger = new Option<bool>("--ledger") { Description = "The ledger (台账: every assignment with its dates, light and history) instead of the statistics." };
        var table = new Option<string>("--table") { Description = "For csv statistics: departments (default), scores, workflows, plans or items.", DefaultValueFactory = _ => "departments" };
        var department = new Option<string?>("--department") { Description = "Only this department (name or alias) and those under it (default: all)." };
        var file = new Option<string?>("--output") { Description = "Write to this file (needed for xlsx; default standard output)." };
        var command = new Command("report", "Statistics, scores or the ledger over a period, as JSON, xlsx or CSV.") { from, to, format, ledger, table, department, file };
        command.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            var kind = parse.GetValue(format)!.ToLowerInvariant();
            if (kind is not ("json" or "xlsx" or "csv"))
            {
                error.WriteLine($"--format: '{kind}' is not json, xlsx or csv.");
                return 2;
            }

            var path = parse.GetValue(file);
            if (kind == "xlsx" && string.IsNullOrWhiteSpace(path))
            {
                error.WriteLine("--output: a workbook is written to a file; name one (e.g. --output 统计.xlsx).");
                return 2;
            }

            var tableIndex = Array.IndexOf(Tables, parse.GetValue(table));
            if (tableIndex < 0)
            {
                error.WriteLine($"--table: '{parse.GetValue(table)}' is not {string.Join(", ", Tables)}.");
                return 2;
            }

            await services.GetRequiredService<Supervision.Host.Calendars.CalendarService>().LoadAsync(ct);
            await services.GetRequiredService<Supervision.Host.Workflows.DefinitionCatalog>().LoadAsync(ct);
            var data = services.GetRequiredService<ReportData>();
            ReportPeriod period;
            try
            {
                period = Supervision.Host.Reports.ReportsApi.Period(parse.GetValue(from), parse.GetValue(to), data, services.GetRequiredService<TimeProvider>());
            }
            catch (Supervision.Engine.Workflows.WorkflowRefusedException e)
            {
                error.WriteLine($"--{e.Message}");
                return 2;
            }

            var departments = services.GetRequiredService<DepartmentStore>();
            var all = await departments.ListAsync(ct);
            IReadOnlySet<long> scope = all.Select(d => d.Id).ToHashSet();
            if (parse.GetValue(department) is { } name)
            {
                var root = await departments.FindByNameAsync(name, ct);
                if (root is null)
                {
                    error.WriteLine($"--department: no department named '{name}'.");
                    return 2;
                }

                scope = all.Subtree(root.Id);
            }

            var reports = services.GetRequiredService<ReportService>();
            object json;
            IReadOnlyList<ExportTable> tables;
            if (parse.GetValue(ledger))
            {
                var (records, details) = await data.LoadWithDetailsAsync(period, scope.ToList(), ct);
                var history = await data.HistoryAsync(records.Select(r => r.ItemId).Distinct().ToList(), ct);
                tables = ReportTables.Ledger(period, records, details, await reports.DepartmentsAsync(ct), history, data.Context);
                json = tables.ToDictionary(t => t.Name, t => t.Rows.Select(r => t.Headings.Zip(r).ToDictionary(p => p.First, p => p.Second is DateOnly d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : p.Second)).ToList());
            }
            else
            {
                var statistics = await reports.StatisticsAsync(period, scope, ct);
                tables = ReportTables.Statistics(statistics);
                json = statistics;
            }

            try
            {
                await using var stream = path is null ? null : File.Create(path);
                switch (kind)
                {
                    case "xlsx":
                        Exports.WriteXlsx(stream!, tables, string.Create(CultureInfo.InvariantCulture,
                            $"{parse.GetValue(department)}{(parse.GetValue(ledger) ? "台账" : "统计")}（{period.From:yyyy-MM-dd}至{period.To:yyyy-MM-dd}）"));
                        break;
                    case "csv" when stream is not null:
                        await stream.WriteAsync(Exports.CsvBytes(tables[parse.GetValue(ledger) ? 0 : tableIndex]), ct);
                        break;
                    case "csv":
                        Exports.WriteCsv(output, tables[parse.GetValue(ledger) ? 0 : tableIndex]);
                        break;
                    default:
                        var text = JsonSerializer.Serialize(json, Json);
                        if (stream is null)
                        {
                            output.WriteLine(text);
                        }
                        else
                        {
                            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), ct);
                        }

                        break;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"--output: {path}: {e.Message}");
                return 1;
            }

            if (path is not null)
            {
                output.WriteLine($"{path}: {(parse.GetValue(ledger) ? "ledger" : "statistics")} {period.From:yyyy-MM-dd}..{period.To:yyyy-MM-dd} written ({kind}).");
            }

            return 0;
        }));
        return command;
    }
}
