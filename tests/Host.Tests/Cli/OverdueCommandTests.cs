using Supervision.Engine.Items;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;
using Supervision.Host.Tests.Workflows;

namespace Supervision.Host.Tests.Cli;

/// <summary><c>overdue run [--day]</c>: the nightly overdue run on demand, for a day it missed or to time it.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class OverdueCommandTests
{
    [Fact]
    public async Task Running_a_day_urges_its_overdue_work_once_and_a_bad_day_is_refused_naming_the_option()
    {
        await using var bed = await WorkflowTestBed.CreateAsync(DatabaseProvider.Sqlite, new DateTimeOffset(2025, 9, 26, 10, 0, 0, TimeSpan.FromHours(8)));
        var item = await bed.Workflows.RegisterAsync(ItemKind.Request, null, await bed.As("zhang"), "逾期申请", bed.Departments["市司法局"],
            new Dictionary<string, string> { ["channel"] = "post", ["receivedOn"] = "2025-09-26", ["applicant"] = "李某", ["content"] = "内容" }, default);
        // Accepted: only the reply deadline is overdue (a review left past its 7 days would be urged as well).
        await bed.Workflows.CompleteAsync(item.Id, await bed.As("zhang"), "review", "accepted", null, new Dictionary<string, string>(), null, default);
        bed.Clock.Advance(new DateTimeOffset(2025, 11, 10, 2, 0, 0, TimeSpan.FromHours(8)) - bed.Clock.GetUtcNow());
        await bed.NewTransitions().ProcessDueAsync(null, default);
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, bed.Database.Settings.ConnectionString);

        var (code, output, _) = await CliRunner.RunAsync("overdue", "run", "--day", "2025-11-10");
        var (againCode, again, _) = await CliRunner.RunAsync("overdue", "run", "--day", "2025-11-10");
        var (badCode, _, error) = await CliRunner.RunAsync("overdue", "run", "--day", "2025-13-01");

        // Seriously overdue by then: the handler, a copy to the lead, and the supervising office.
        Assert.Equal(0, code);
        Assert.Contains("Overdue run: 1 overdue assignments, 3 notices written", output, StringComparison.Ordinal);
        Assert.Equal(0, againCode);
        Assert.Contains("Overdue run: 1 overdue assignments, 0 notices written", again, StringComparison.Ordinal);
        Assert.Equal(2, badCode);
        Assert.Contains("--day: '2025-13-01' is not a date (yyyy-MM-dd).", error, StringComparison.Ordinal);
    }
}
