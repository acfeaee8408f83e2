using Supervision.Engine.Clocks;
using Supervision.Engine.Reports;
using Supervision.Host.Calendars;
using Supervision.Host.Platform;

namespace Supervision.Host.Reports;

/// <summary>
/// The monthly circulation (通报), run on the 1st by Quartz: for each supervising office (a department with an active
/// supervisor), the previous month's statistics and scores of its departments, stored and sent once
/// (<see cref="Circulations"/>): a second run, or a second Host, finds the month circulated and sends nothing.
/// </summary>
public sealed class MonthlyCirculation(CirculationStore store, Circulations circulations, CalendarService calendars, OfficeTimeZone zone, TimeProvider clock, ILogger<MonthlyCirculation> logger)
{
    /// <summary>Circulates <paramref name="month"/> (the previous month when null); returns how many notices were newly written.</summary>
    public async Task<int> RunAsync(DateOnly? month, CancellationToken cancellationToken)
    {
        var context = new ClockContext(calendars.Current, zone.Zone);
        var today = context.DayOf(clock.GetUtcNow());
        var period = ReportPeriod.MonthOf(month ?? new DateOnly(today.Year, today.Month, 1).AddMonths(-1));
        var offices = await store.SupervisingOfficesAsync(cancellationToken);

        var written = 0;
        foreach (var office in offices)
        {
            var (circulation, created, notices) = await circulations.GenerateAsync(office, period, monthly: true, "system", send: true, cancellationToken);
            written += notices;
            logger.LogInformation("Circulation {Id} of {Office} for {Month:yyyy-MM}: {State}, {Notices} notices", circulation.Id, circulation.Office, period.From, created ? "generated" : "already there", notices);
        }

        return written;
    }
}
