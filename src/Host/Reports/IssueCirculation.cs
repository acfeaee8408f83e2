using Mediator;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;

namespace Supervision.Host.Reports;

/// <summary>
/// A supervisor issues a circulation (通报) of their office for a period (<c>From</c>–<c>To</c>, yyyy-MM-dd; the
/// current month so far when both are missing), sending it to the office's departments when <c>Send</c>. The
/// circulation and its notices are written together.
/// </summary>
public sealed record IssueCirculation(Actor Actor, string? From, string? To, bool Send) : ICommand<IssuedCirculation>, IOwnTransactions;

/// <summary>The circulation issued and how many notices carry it.</summary>
public sealed record IssuedCirculation(Circulation Circulation, int Notices);

public sealed class IssueCirculationHandler(Circulations circulations, ReportData data, TimeProvider clock) : ICommandHandler<IssueCirculation, IssuedCirculation>
{
    public async ValueTask<IssuedCirculation> Handle(IssueCirculation command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var period = ReportsApi.Period(command.From, command.To, data, clock);
        var (circulation, _, notices) = await circulations.GenerateAsync(command.Actor.DepartmentId, period, monthly: false, command.Actor.Login, command.Send, cancellationToken);
        return new IssuedCirculation(circulation, notices);
    }
}

/// <summary>The monthly circulations of every office for a month (last month when null), each once.</summary>
public sealed record IssueMonthlyCirculations(DateOnly? Month = null) : ICommand<int>, IOwnTransactions;

public sealed class IssueMonthlyCirculationsHandler(MonthlyCirculation monthly) : ICommandHandler<IssueMonthlyCirculations, int>
{
    public async ValueTask<int> Handle(IssueMonthlyCirculations command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await monthly.RunAsync(command.Month, cancellationToken);
    }
}
