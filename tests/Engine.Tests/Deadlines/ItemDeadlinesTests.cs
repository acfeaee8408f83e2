using Supervision.Engine.Calendars;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;

namespace Supervision.Engine.Tests.Deadlines;

/// <summary>
/// The one fold behind every stored deadline (<see cref="ItemDeadlines"/>), closing and the worst of a task's
/// assignments, and what a refresh writes after a calendar change or when a light's instant comes
/// (<see cref="DeadlineRefresh"/>).
/// </summary>
public sealed class ItemDeadlinesTests
{
    private const long Justice = 2, Finance = 3;
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private static readonly ClockContext Context = new(StatutoryCalendar.Calendar, StatutoryCalendar.Shanghai, ClockPolicy.Disclosure.ExtensionCap);

    private static DateTimeOffset At(int year, int month, int day, int hour = 10) => new(year, month, day, hour, 0, 0, Cst);

    private static DateOnly Day(int year, int month, int day) => new(year, month, day);

    private static DeadlineSnapshot Snapshot(Light light, DateOnly? dueOn, DateTimeOffset? next, bool paused = false, bool serious = false) => new(dueOn, null, light, serious, paused, next, 1);

    private static ClockEvent.Started Received(int year, int month, int day) => new(At(year, month, day), Day(year, month, day), new TimeLimit.WorkingDays(20));

    // Unlike the law's provisional 2027 (元旦 Friday 01-01 alone), this notice bridges Thursday 2026-12-31 to New Year.
    private static WorkingCalendar With2027() => StatutoryCalendar.Calendar.WithYear(new CalendarYear(2027,
        [new HolidayPeriod("元旦", "New Year's Day", Day(2026, 12, 31), Day(2027, 1, 3))], [], "test notice for 2027"));

    private static SupervisedItem Item(ItemKind kind, DeadlineSnapshot stored) => stored.ApplyTo(new SupervisedItem
    {
        Id = 42,
        Kind = kind,
        Title = "申请",
        DepartmentId = Justice,
        DefinitionId = kind == ItemKind.Request ? "disclosure-request" : "supervision-task",
        DefinitionVersion = 1,
        Step = "handle",
        ReceivedOn = Day(2026, 12, 15),
    });

    [Theory]
    [InlineData(Light.Green, Light.DoneOnTime)]
    [InlineData(Light.Yellow, Light.DoneOnTime)]
    [InlineData(Light.Red, Light.DoneLate)]
    [InlineData(Light.DoneLate, Light.DoneLate)]
    public void Closed_work_is_done_late_only_when_it_was_red(Light open, Light closed)
    {
        var snapshot = Snapshot(open, Day(2025, 10, 30), At(2025, 10, 23), paused: open == Light.Green);

        var closing = snapshot.Closing(true);

        Assert.Equal(closed, closing.Light);
        Assert.Equal(Day(2025, 10, 30), closing.DueOn);
        Assert.Equal(open.IsClosed() ? snapshot : snapshot with { Light = closed, NextChangeAt = null, Paused = false }, closing);
        Assert.Same(snapshot, snapshot.Closing(false));
    }

    [Fact]
    public void A_tasks_deadline_is_the_worst_light_and_the_earliest_day_and_change_of_its_open_assignments()
    {
        var late = Snapshot(Light.Red, Day(2025, 10, 31), At(2025, 11, 14), serious: false);
        var later = Snapshot(Light.Yellow, Day(2025, 10, 20), At(2025, 11, 1), paused: true);
        var early = Snapshot(Light.Green, Day(2025, 11, 14), At(2025, 11, 7));
        var closedEarlier = Snapshot(Light.DoneLate, Day(2025, 10, 1), null);

        var worst = DeadlineSnapshot.Worst([(late, false), (later, false), (early, false), (closedEarlier, true)], 7);

        Assert.Equal(Light.Red, worst.Light);
        Assert.Equal(Day(2025, 10, 20), worst.DueOn);
        Assert.Equal(At(2025, 11, 1), worst.NextChangeAt);
        Assert.False(worst.Paused);
        Assert.True(DeadlineSnapshot.Worst([(later, false), (later with { Light = Light.Green }, false)], 7).Paused);
        // Seriously overdue outranks plain red.
        Assert.True(DeadlineSnapshot.Worst([(late, false), (late with { SeriouslyOverdue = true, DueOn = Day(2025, 12, 1) }, false)], 7).SeriouslyOverdue);
    }

    [Fact]
    public void A_task_with_every_assignment_closed_is_done_late_when_any_was_and_green_without_any()
    {
        var onTime = Snapshot(Light.DoneOnTime, Day(2025, 10, 31), null);
        var late = Snapshot(Light.DoneLate, Day(2025, 10, 20), null);

        Assert.Equal(DeadlineSnapshot.None(7) with { Light = Light.DoneLate }, DeadlineSnapshot.Worst([(onTime, true), (late, true)], 7));
        Assert.Equal(DeadlineSnapshot.None(7) with { Light = Light.DoneOnTime }, DeadlineSnapshot.Worst([(onTime, true)], 7));
        Assert.Equal(DeadlineSnapshot.None(7), DeadlineSnapshot.Worst([], 7));
    }

    [Fact]
    public void An_assignment_without_a_clock_shows_its_items_and_one_with_a_clock_its_own()
    {
        var stored = Snapshot(Light.Red, Day(2020, 1, 1), null);

        var folded = ItemDeadlines.Fold([Received(2025, 9, 26)], false,
            [new DeadlineHolder(7, Justice, [], stored, false), new DeadlineHolder(8, Finance, [Received(2025, 10, 9)], null, false), new DeadlineHolder(9, Finance, [], null, true)],
            ClockPolicy.Disclosure, Context, At(2025, 9, 29));

        Assert.Equal(Day(2025, 10, 30), folded.Item.DueOn);
        Assert.Equal(folded.Item, folded.Assignments[0]);
        Assert.Equal(Day(2025, 11, 5), folded.Assignments[1].DueOn);
        Assert.Equal(folded.Item with { Light = Light.DoneOnTime, NextChangeAt = null }, folded.Assignments[2]);
    }

    [Fact]
    public void Without_any_clock_an_assignment_keeps_what_is_stored_and_a_task_shows_the_worst()
    {
        var stored = Snapshot(Light.Yellow, Day(2025, 10, 31), At(2025, 10, 31));

        var folded = ItemDeadlines.Fold([], false, [new DeadlineHolder(7, Justice, [], stored, false), new DeadlineHolder(8, Finance, [], null, false)], ClockPolicy.Disclosure, Context, At(2025, 10, 27));

        Assert.Equal(stored, folded.Assignments[0]);
        Assert.Equal(DeadlineSnapshot.None(Context.Calendar.Version), folded.Assignments[1]);
        Assert.Equal(stored with { CalendarVersion = 1 }, folded.Item with { CalendarVersion = 1 });
    }

    [Fact]
    public void After_a_calendar_change_a_refresh_moves_the_due_day_of_a_request_and_its_handling_assignment()
    {
        var now = At(2026, 12, 15);
        var (registered, _) = ClockedItems.Register(Item(ItemKind.Request, DeadlineSnapshot.None(0)), Received(2026, 12, 15), ClockPolicy.Disclosure, Context, "clerk", now);
        Assert.Equal(Day(2027, 1, 13), registered.DueOn);
        var calendar = With2027();

        var refresh = DeadlineRefresh.Plan(registered, [Received(2026, 12, 15)], ClockPolicy.Disclosure,
            [new DeadlineHolder(7, Justice, [], DeadlineSnapshot.Of(registered), false)], calendar, StatutoryCalendar.Shanghai, now, "deadline-recomputed");

        Assert.True(refresh.Changed);
        Assert.Equal(Day(2027, 1, 14), refresh.Item!.DueOn);
        Assert.Equal(calendar.Version, refresh.Item.CalendarVersion);
        var (assignment, fresh) = Assert.Single(refresh.Assignments);
        Assert.Equal((7L, Day(2027, 1, 14)), (assignment, fresh.DueOn));
        Assert.Empty(refresh.Lights);
        Assert.Equal("deadline-recomputed", refresh.Entry!.Action);
        Assert.Null(refresh.Entry.ToLight);
        Assert.Contains("\"toDueOn\":\"2027-01-14\"", refresh.Entry.Detail, StringComparison.Ordinal);

        // Run again on the stored result: nothing to write.
        var again = DeadlineRefresh.Plan(refresh.Item, [Received(2026, 12, 15)], ClockPolicy.Disclosure,
            [new DeadlineHolder(7, Justice, [], fresh, false)], calendar, StatutoryCalendar.Shanghai, now, "deadline-recomputed");
        Assert.False(again.Changed);
        Assert.Null(again.Item);
        Assert.Empty(again.Assignments);
    }

    [Fact]
    public void After_a_calendar_change_a_refresh_moves_only_the_task_assignments_that_reach_into_the_changed_days()
    {
        var now = At(2026, 12, 15);
        var before = StatutoryCalendar.Calendar;
        var reaching = ItemDeadlines.Fold([Received(2026, 12, 1)], false, [], ClockPolicy.Disclosure, Context, now).Item;
        var crossing = ItemDeadlines.Fold([Received(2026, 12, 15)], false, [], ClockPolicy.Disclosure, Context, now).Item;
        var task = Item(ItemKind.Task, DeadlineSnapshot.Worst([(reaching, false), (crossing, false)], before.Version));
        Assert.Equal(Day(2026, 12, 29), task.DueOn);

        var refresh = DeadlineRefresh.Plan(task, [], ClockPolicy.Disclosure,
            [new DeadlineHolder(7, Justice, [Received(2026, 12, 1)], reaching, false), new DeadlineHolder(8, Finance, [Received(2026, 12, 15)], crossing, false)],
            With2027(), StatutoryCalendar.Shanghai, now, "deadline-recomputed");

        var (moved, fresh) = Assert.Single(refresh.Assignments);
        Assert.Equal((8L, Day(2027, 1, 14)), (moved, fresh.DueOn));
        // The task still shows its earliest day: nothing of the item itself to write.
        Assert.Null(refresh.Item);
        Assert.False(refresh.Changed);
    }

    [Fact]
    public void When_its_instant_comes_a_refresh_records_the_light_that_moved()
    {
        var (request, _) = ClockedItems.Register(Item(ItemKind.Request, DeadlineSnapshot.None(0)), Received(2025, 9, 26), ClockPolicy.Disclosure, Context, "clerk", At(2025, 9, 26));
        var at = request.NextChangeAt!.Value;

        var refresh = DeadlineRefresh.Plan(request, [Received(2025, 9, 26)], ClockPolicy.Disclosure, [], StatutoryCalendar.Calendar, StatutoryCalendar.Shanghai, at, "light-changed");

        Assert.Equal(new LightMove(null, Justice, Light.Green, Light.Yellow, false, false, Day(2025, 10, 30), null), Assert.Single(refresh.Lights));
        Assert.Equal((Light.Green, Light.Yellow), (refresh.Entry!.FromLight, refresh.Entry.ToLight));
        Assert.Equal(Light.Yellow, refresh.Item!.Light);
        Assert.True(refresh.Item.NextChangeAt > at);

        // A task's lights move on its assignments: the assignment's is recorded, not the item's.
        var stored = DeadlineSnapshot.Of(request);
        var task = Item(ItemKind.Task, stored);
        var byAssignment = DeadlineRefresh.Plan(task, [], ClockPolicy.Disclosure, [new DeadlineHolder(7, Finance, [Received(2025, 9, 26)], stored, false)],
            StatutoryCalendar.Calendar, StatutoryCalendar.Shanghai, at, "light-changed");
        Assert.Equal(new LightMove(7, Finance, Light.Green, Light.Yellow, false, false, Day(2025, 10, 30), null), Assert.Single(byAssignment.Lights));
        Assert.Equal(Light.Yellow, byAssignment.Item!.Light);
    }

    [Fact]
    public void A_clock_event_stopping_the_clock_closes_the_item_and_a_refused_one_says_why()
    {
        var (request, _) = ClockedItems.Register(Item(ItemKind.Request, DeadlineSnapshot.None(0)), Received(2025, 9, 26), ClockPolicy.Disclosure, Context, "clerk", At(2025, 9, 26));

        var (stopped, entry) = ClockedItems.Apply(request, [Received(2025, 9, 26)], new ClockEvent.Stopped(At(2025, 10, 10)), ClockPolicy.Disclosure, Context, "clerk", At(2025, 10, 10));
        var refused = Assert.Throws<ClockRuleException>(() =>
            ClockedItems.Apply(request, [Received(2025, 9, 26)], new ClockEvent.Extended(At(2025, 10, 10), new TimeLimit.WorkingDays(21), "主任", "太多"), ClockPolicy.Disclosure, Context, "clerk", At(2025, 10, 10)));

        Assert.Equal(At(2025, 10, 10), stopped.ClosedAt);
        Assert.Equal(Light.DoneOnTime, stopped.Light);
        Assert.Null(stopped.NextChangeAt);
        Assert.Equal(("clock-stopped", Light.Green, Light.DoneOnTime), (entry.Action, entry.FromLight!.Value, entry.ToLight!.Value));
        Assert.Equal("Extension would exceed 20 working days: 0 already used, 21 requested.", refused.Message);
    }
}
