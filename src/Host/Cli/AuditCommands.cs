using System.CommandLine;
using Supervision.Host.Items;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Host.Cli;

/// <summary><c>definitions validate [dir]</c>, <c>history verify</c>, <c>history digest</c>, <c>board verify|recount</c>, <c>trends reconstruct</c>, <c>overdue run</c>.</summary>
internal static class AuditCommands
{
    public static Command Definitions(TextWriter output, TextWriter error)
    {
        var folder = new Argument<string?>("dir") { Description = "The folder to check (default: the workflows folder the server reads).", Arity = ArgumentArity.ZeroOrOne };
        var validate = new Command("validate", "Check every workflow definition in a folder; print each problem with file and JSON path; exit 1 on any.") { folder };
        validate.SetAction(parse =>
        {
            var dir = parse.GetValue(folder) ?? Path.Combine(AppContext.BaseDirectory, "workflows");
            var (definitions, problems) = DefinitionCatalog.ReadFolder(dir);
            foreach (var problem in problems)
            {
                error.WriteLine(problem.ToString());
            }

            foreach (var definition in definitions)
            {
                output.WriteLine($"ok  {definition.File}: {definition.Definition.Key} ({definition.Definition.Title.Zh}, {definition.Definition.Steps.Count} steps)");
                foreach (var warning in definition.Definition.Warnings)
                {
                    output.WriteLine($"warning  {warning}");
                }
            }

            var warnings = definitions.Sum(d => d.Definition.Warnings.Count);
            output.WriteLine((problems.Count == 0 ? $"{definitions.Count} definitions, no problems." : $"{problems.Count} problem(s).")
                + (warnings > 0 ? $" {warnings} warning(s): loaded as written; check each is meant." : string.Empty));
            return problems.Count == 0 ? 0 : 1;
        });
        return new Command("definitions", "Workflow definitions.") { validate };
    }

    public static Command History(TextWriter output, TextWriter error)
    {
        var verify = new Command("verify", "Recompute every item's history chain and compare with the latest digest; exit 1 naming the first broken entry.");
        verify.SetAction((parse, ct) => Cli.WithServicesAsync(error, async services =>
        {
            var audit = services.GetRequiredService<HistoryAudit>();
            var result = await audit.VerifyAsync(ct);
            await audit.RecordVerificationAsync(result, "command line", ct);
            foreach (var problem in result.Problems)
            {
                error.WriteLine(problem);
            }

            output.WriteLine(result.Intact
                ? $"History intact: {result.Items} items, {result.Entries} entries{(result.DigestTakenAt is { } at ? $", matches the digest of {at:yyyy-MM-dd HH:mm:ss}Z" : ", no digest taken yet")}."
                : $"History BROKEN: {result.Problems.Count} problem(s); first: {result.Problems[0]}");
            return result.Intact ? 0 : 1;
        }));
        var digest = new Command("digest", "Seal the current head of every item's history chain.");
        digest.SetAction((parse, ct) => Cli.WithServicesAsync(error, async services =>
        {
            var (items, entries, hash) = await services.GetRequiredService<HistoryAudit>().TakeDigestAsync(ct);
            output.WriteLine($"Digest {hash[..16]} over {items} items, {entries} entries.");
            return 0;
        }));
        return new Command("history", "Item histories: verify and seal.") { verify, digest };
    }

    /// <summary><c>board verify</c> and <c>board recount</c>: the board's kept counts against the assignments.</summary>
    public static Command Board(TextWriter output, TextWriter error)
    {
        var verify = new Command("verify", "Compare the board's kept counts with a recount of the assignments; exit 1 naming each department and kind that differs.");
        verify.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            var differences = await services.GetRequiredService<BoardCounts>().VerifyAsync(ct);
            foreach (var d in differences)
            {
                error.WriteLine($"department {d.DepartmentId} ({d.Kind}): kept {Figures(d.Kept)}, counted {Figures(d.Counted)}");
            }

            output.WriteLine(differences.Count == 0 ? "Board counts agree with the assignments." : $"Board counts DIFFER for {differences.Count} department and kind row(s); 'board recount' repairs them.");
            return differences.Count == 0 ? 0 : 1;
        }));
        var recount = new Command("recount", "Replace the board's kept counts by a recount of the assignments (writers wait meanwhile).");
        recount.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            var rows = await services.GetRequiredService<BoardCounts>().RebuildAsync(ct);
            output.WriteLine($"Board counts recounted: {rows} department and kind row(s).");
            return 0;
        }));
        return new Command("board", "The light board's kept counts: verify and recount.") { verify, recount };

        static string Figures(DepartmentCounts c) =>
            $"green {c.Green}, yellow {c.Yellow}, red {c.Red} (seriously overdue {c.SeriouslyOverdue}), paused {c.Paused}, done on time {c.DoneOnTime}, late {c.DoneLate}";
    }

    /// <summary><c>trends reconstruct --days N</c>: fill the board's trend for days before the daily job recorded them.</summary>
    public static Command Trends(TextWriter output, TextWriter error)
    {
        var days = new Option<int>("--days") { Description = "How many days before today (1 to 366).", DefaultValueFactory = _ => 28 };
        var reconstruct = new Command("reconstruct", "Reconstruct the daily light counts of past days that have no record, from each item's clock (recorded days are kept).") { days };
        reconstruct.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            var n = parse.GetValue(days);
            if (n is < 1 or > 366)
            {
                error.WriteLine($"--days: {n} is not 1 to 366.");
                return 2;
            }

            var rows = await services.GetRequiredService<Supervision.Host.Escalation.LightDailySnapshots>().ReconstructAsync(n, ct);
            output.WriteLine($"Reconstructed {rows} department and kind rows over the {n} days before today (days already recorded kept).");
            return 0;
        }));
        return new Command("trends", "The light board's daily trend.") { reconstruct };
    }

    /// <summary><c>overdue run [--day yyyy-MM-dd]</c>: the nightly overdue run, now (for a day it did not run, or to time it).</summary>
    public static Command Overdue(TextWriter output, TextWriter error)
    {
        var day = new Option<string?>("--day") { Description = "The office day to run for, yyyy-MM-dd (default: today in the office's time zone). Notices already written for that day are not written again." };
        var run = new Command("run", "Send the overdue run's urging and supervision notices for one day, as the nightly job does.") { day };
        run.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            DateOnly? on = null;
            if (parse.GetValue(day) is { } text)
            {
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var parsed))
                {
                    error.WriteLine($"--day: '{text}' is not a date (yyyy-MM-dd).");
                    return 2;
                }

                on = parsed;
            }

            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (overdue, written) = await services.GetRequiredService<Mediator.ISender>().Send(new Supervision.Host.Escalation.RunOverdueNotices(on), ct);
            output.WriteLine($"Overdue run: {overdue} overdue assignments, {written} notices written, in {watch.Elapsed.TotalSeconds:0.0} s.");
            return 0;
        }));
        return new Command("overdue", "The nightly overdue run.") { run };
    }
}
