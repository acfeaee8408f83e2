using Mediator;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Escalation;

/// <summary>
/// The nightly overdue run for a day (today in the office's zone when null): a notice up the escalation ladder for
/// every item and assignment overdue that day, each at most once however often the run is repeated. Answers how
/// many were overdue and how many notices were written. Commits in chunks of its own (a province has many).
/// </summary>
public sealed record RunOverdueNotices(DateOnly? On = null) : ICommand<OverdueRunFigures>, IOwnTransactions;

/// <summary>What a run found overdue and how many notices it wrote (none for those already sent).</summary>
public sealed record OverdueRunFigures(int Overdue, int Written);

public sealed class RunOverdueNoticesHandler(OverdueRun run) : ICommandHandler<RunOverdueNotices, OverdueRunFigures>
{
    public async ValueTask<OverdueRunFigures> Handle(RunOverdueNotices command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var (overdue, written) = await run.RunWithFiguresAsync(command.On, cancellationToken);
        return new OverdueRunFigures(overdue, written);
    }
}

/// <summary>Records a day's light counts per department and kind for the trends chart (today when null); running it
/// again for the same day writes nothing new. Answers how many rows were written.</summary>
public sealed record RecordDailyLights(DateOnly? Day = null) : ICommand<int>, IOwnTransactions;

public sealed class RecordDailyLightsHandler(LightDailySnapshots snapshots) : ICommandHandler<RecordDailyLights, int>
{
    public async ValueTask<int> Handle(RecordDailyLights command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await snapshots.RecordAsync(command.Day, cancellationToken);
    }
}
