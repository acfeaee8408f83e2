using Supervision.Engine.Escalation;
using Supervision.Engine.Items;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;

namespace Supervision.Engine.Tests.Escalation;

public sealed class EscalationRulesTests
{
    private const long Province = 1;
    private const long City = 2;
    private const long Bureau = 3;
    private const long Orphan = 9;

    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    // The shipped definitions' ladder: yellow to the handlers, red also to the lead, seriously overdue to the lead and
    // the supervising office.
    private static readonly EscalationLadder Shipped = new(
        [Recipient.Handler], [Recipient.Handler, Recipient.Lead], [Recipient.Lead, Recipient.SupervisingOffice]);

    // A province office with supervisors, a city government without any, and a bureau under the city with handlers and
    // a lead; a department outside the tree.
    private static readonly OrgChart Chart = new(
        new Dictionary<long, Department>
        {
            [Province] = new() { Id = Province, Name = "省政府办公厅" },
            [City] = new() { Id = City, Name = "市政府", ParentId = Province },
            [Bureau] = new() { Id = Bureau, Name = "市司法局", ParentId = City },
        },
        new HashSet<(long, Role)> { (Province, Role.Supervisor), (Bureau, Role.Handler), (Bureau, Role.Lead), (City, Role.Lead) });

    private static readonly WorkRef Request = new(7, null, Bureau);
    private static readonly WorkRef Assignment = new(7, 12, Bureau);

    private static EscalationTrigger.LightTurned Turned(Light from, Light to, bool fromSerious = false, bool toSerious = false, WorkRef? work = null, EscalationLadder? ladder = null) =>
        new(work ?? Request, from, to, fromSerious, toSerious, new DateOnly(2025, 10, 30), null, ladder ?? Shipped);

    private static NoticeTarget.People People(long department, Role role, bool copy = false) => new(department, role, copy);

    private static NoticeTarget.Channels Channels(long department) => new(department);

    [Fact]
    public void Green_to_yellow_tells_the_departments_channels_and_the_people_of_the_yellow_level()
    {
        var notice = Assert.Single(EscalationRules.Decide(Turned(Light.Green, Light.Yellow), Chart));

        Assert.Equal(NoticeKind.Yellow, notice.Kind);
        Assert.Equal("light:7:0:yellow:2025-10-30", notice.Cause);
        Assert.Equal("light-changed:yellow", notice.Event);
        Assert.Equal(new NoticeAbout(7, Bureau, Light.Yellow, false, new DateOnly(2025, 10, 30), null, null), notice.About);
        Assert.Equal([Channels(Bureau), People(Bureau, Role.Handler)], notice.To);
    }

    [Fact]
    public void Turning_red_tells_the_red_level_and_straight_from_green_skips_the_yellow_one()
    {
        var fromYellow = Assert.Single(EscalationRules.Decide(Turned(Light.Yellow, Light.Red), Chart));
        var fromGreen = Assert.Single(EscalationRules.Decide(Turned(Light.Green, Light.Red), Chart));

        Assert.Equal((NoticeKind.Red, "light:7:0:red:2025-10-30", "light-changed:red"), (fromYellow.Kind, fromYellow.Cause, fromYellow.Event));
        Assert.Equal([Channels(Bureau), People(Bureau, Role.Handler), People(Bureau, Role.Lead)], fromYellow.To);
        Assert.Equal(fromYellow.Cause, fromGreen.Cause);
        Assert.Equal(fromYellow.To, fromGreen.To);
    }

    [Fact]
    public void Becoming_seriously_overdue_climbs_to_the_nearest_office_above_that_has_supervisors()
    {
        var notice = Assert.Single(EscalationRules.Decide(Turned(Light.Red, Light.Red, toSerious: true), Chart));

        Assert.Equal((NoticeKind.SeriouslyOverdue, "light:7:0:seriously-overdue:2025-10-30"), (notice.Kind, notice.Cause));
        Assert.True(notice.About!.SeriouslyOverdue);
        // The city government above the bureau has no supervisor: the province office's are told.
        Assert.Equal([Channels(Bureau), People(Bureau, Role.Lead), People(Province, Role.Supervisor)], notice.To);
    }

    [Fact]
    public void A_light_that_jumps_several_levels_at_once_reaches_each_in_order()
    {
        var notices = EscalationRules.Decide(Turned(Light.Green, Light.Red, toSerious: true, work: Assignment), Chart);

        Assert.Equal([NoticeKind.Red, NoticeKind.SeriouslyOverdue], notices.Select(n => n.Kind));
        Assert.Equal(["light:7:12:red:2025-10-30", "light:7:12:seriously-overdue:2025-10-30"], notices.Select(n => n.Cause));
    }

    [Theory]
    [InlineData(Light.Yellow, Light.Green)]
    [InlineData(Light.Red, Light.Yellow)]
    [InlineData(Light.Red, Light.Green)]
    [InlineData(Light.Green, Light.Green)]
    [InlineData(Light.Yellow, Light.Yellow)]
    [InlineData(Light.Red, Light.Red)]
    [InlineData(Light.Yellow, Light.DoneOnTime)]
    [InlineData(Light.Red, Light.DoneLate)]
    [InlineData(Light.DoneOnTime, Light.Yellow)]
    public void A_light_that_moves_back_stays_or_closes_tells_no_one(Light from, Light to)
    {
        Assert.Empty(EscalationRules.Decide(Turned(from, to), Chart));
        Assert.Empty(EscalationRules.Decide(Turned(from, to, fromSerious: true, toSerious: true), Chart));
    }

    [Fact]
    public void Every_move_of_a_light_reaches_exactly_the_levels_it_crosses()
    {
        // The naive oracle: which levels a light is at, before and after; a level is told when it is newly reached,
        // except that yellow counts only coming from green (a red light put back to yellow tells no one).
        foreach (var from in Enum.GetValues<Light>())
        {
            foreach (var to in Enum.GetValues<Light>())
            {
                foreach (var (fromSerious, toSerious) in new[] { (false, false), (false, true), (true, true), (true, false) })
                {
                    var expected = new List<NoticeKind>();
                    if (from == Light.Green && to == Light.Yellow)
                    {
                        expected.Add(NoticeKind.Yellow);
                    }

                    if (from != Light.Red && to == Light.Red)
                    {
                        expected.Add(NoticeKind.Red);
                    }

                    if (!fromSerious && toSerious)
                    {
                        expected.Add(NoticeKind.SeriouslyOverdue);
                    }

                    var notices = EscalationRules.Decide(Turned(from, to, fromSerious, toSerious), Chart);

                    Assert.Equal(expected, notices.Select(n => n.Kind));
                    Assert.All(notices, n => Assert.Equal(Channels(Bureau), n.To[0]));
                    Assert.Equal(notices.Count, notices.Select(n => n.Cause).Distinct().Count());
                }
            }
        }
    }

    [Fact]
    public void The_deadline_is_in_the_cause_so_a_new_deadline_may_notify_again()
    {
        var day = EscalationRules.Decide(Turned(Light.Green, Light.Yellow), Chart)[0];
        var extended = EscalationRules.Decide(Turned(Light.Green, Light.Yellow) with { DueOn = new DateOnly(2025, 11, 13) }, Chart)[0];
        var instant = EscalationRules.Decide(Turned(Light.Green, Light.Yellow) with { DueOn = null, DueAt = new DateTimeOffset(2026, 11, 25, 17, 0, 0, Cst) }, Chart)[0];
        var none = EscalationRules.Decide(Turned(Light.Green, Light.Yellow) with { DueOn = null }, Chart)[0];

        Assert.Equal("light:7:0:yellow:2025-11-13", extended.Cause);
        Assert.NotEqual(day.Cause, extended.Cause);
        Assert.Equal("light:7:0:yellow:1795597200", instant.Cause);
        Assert.Equal("light:7:0:yellow:-", none.Cause);
    }

    [Fact]
    public void A_level_names_each_role_once_and_the_supervising_office_only_where_there_is_one()
    {
        var ladder = new EscalationLadder([Recipient.Handler, Recipient.SupervisingOffice, Recipient.Handler], [], []);
        var orphan = Turned(Light.Green, Light.Yellow, work: new WorkRef(7, null, Orphan), ladder: ladder);
        var top = Turned(Light.Green, Light.Yellow, work: new WorkRef(7, null, Province), ladder: ladder);

        Assert.Equal([Channels(Bureau), People(Bureau, Role.Handler), People(Province, Role.Supervisor)], EscalationRules.Decide(Turned(Light.Green, Light.Yellow, ladder: ladder), Chart)[0].To);
        Assert.Equal([Channels(Orphan), People(Orphan, Role.Handler)], EscalationRules.Decide(orphan, Chart)[0].To);
        Assert.Equal([Channels(Province), People(Province, Role.Handler)], EscalationRules.Decide(top, Chart)[0].To);
        // A level that names no one still goes to the department's channels.
        Assert.Equal([Channels(Bureau)], EscalationRules.Decide(Turned(Light.Yellow, Light.Red, ladder: ladder), Chart)[0].To);
    }

    [Fact]
    public void A_step_limit_turning_yellow_or_red_tells_the_handlers_and_copies_the_lead()
    {
        var yellow = Assert.Single(EscalationRules.Decide(new EscalationTrigger.StepLightTurned(Request, Light.Green, Light.Yellow, "step:review", new DateOnly(2025, 10, 9)), Chart));
        var red = Assert.Single(EscalationRules.Decide(new EscalationTrigger.StepLightTurned(Assignment, null, Light.Red, "pause:third-party-consultation", new DateOnly(2025, 10, 30)), Chart));

        Assert.Equal((NoticeKind.StepYellow, "step:7:0:step:review:step-yellow:2025-10-09", "step-light-changed"), (yellow.Kind, yellow.Cause, yellow.Event));
        Assert.Equal(new NoticeAbout(7, Bureau, Light.Yellow, false, new DateOnly(2025, 10, 9), null, "step:review"), yellow.About);
        Assert.Equal([People(Bureau, Role.Handler), People(Bureau, Role.Lead, copy: true)], yellow.To);
        Assert.Equal((NoticeKind.StepRed, "step:7:12:pause:third-party-consultation:step-red:2025-10-30"), (red.Kind, red.Cause));
    }

    [Theory]
    [InlineData(Light.Red, Light.Red)]
    [InlineData(Light.Yellow, Light.Yellow)]
    [InlineData(Light.Red, Light.Green)]
    [InlineData(Light.Yellow, Light.Green)]
    [InlineData(Light.Red, null)]
    [InlineData(null, null)]
    [InlineData(null, Light.Green)]
    public void A_step_limit_that_stays_or_goes_back_tells_no_one(Light? from, Light? to)
    {
        Assert.False(EscalationRules.StepLightEscalates(from, to));
        Assert.Empty(EscalationRules.Decide(new EscalationTrigger.StepLightTurned(Request, from, to, "step:review", new DateOnly(2025, 10, 9)), Chart));
    }

    // Red to yellow too: the limit measured is another one by then (a new step or pause), close to its own end.
    [Theory]
    [InlineData(null, Light.Yellow)]
    [InlineData(Light.Green, Light.Red)]
    [InlineData(Light.Yellow, Light.Red)]
    [InlineData(Light.Red, Light.Yellow)]
    public void A_step_limit_turning_to_a_new_yellow_or_red_escalates(Light? from, Light? to) => Assert.True(EscalationRules.StepLightEscalates(from, to));

    [Fact]
    public void The_nightly_run_urges_an_overdue_assignment_to_its_channels_and_handlers_copying_the_lead()
    {
        var day = new DateOnly(2025, 11, 3);
        var notice = Assert.Single(EscalationRules.Decide(new EscalationTrigger.OverdueDay(Assignment, day, Light.Red, false, false, new DateOnly(2025, 10, 30), null), Chart));

        Assert.Equal((NoticeKind.Urging, "urging:7:12:2025-11-03", "overdue-run:2025-11-03"), (notice.Kind, notice.Cause, notice.Event));
        Assert.Equal(new NoticeAbout(7, Bureau, Light.Red, false, new DateOnly(2025, 10, 30), null, null), notice.About);
        Assert.Equal([Channels(Bureau), People(Bureau, Role.Handler), People(Bureau, Role.Lead, copy: true)], notice.To);
    }

    [Fact]
    public void A_seriously_overdue_assignment_is_also_put_to_the_supervising_office_when_there_is_one()
    {
        var day = new DateOnly(2025, 11, 10);
        var serious = new EscalationTrigger.OverdueDay(Assignment, day, Light.Red, false, true, new DateOnly(2025, 10, 30), null);

        var notices = EscalationRules.Decide(serious, Chart);
        var alone = EscalationRules.Decide(serious with { Work = new WorkRef(7, 12, Orphan) }, Chart);

        Assert.Equal([NoticeKind.Urging, NoticeKind.Supervision], notices.Select(n => n.Kind));
        Assert.Equal("supervision:7:12:2025-11-10", notices[1].Cause);
        Assert.Equal("overdue-run:2025-11-10", notices[1].Event);
        Assert.Equal([People(Province, Role.Supervisor)], notices[1].To);
        Assert.True(notices[1].About!.SeriouslyOverdue);
        Assert.Equal([NoticeKind.Urging], alone.Select(n => n.Kind));
    }

    [Theory]
    [InlineData(Light.Red, true)]
    [InlineData(Light.Yellow, false)]
    [InlineData(Light.Green, false)]
    [InlineData(Light.DoneLate, false)]
    public void The_nightly_run_urges_nothing_paused_or_not_red(Light light, bool paused)
    {
        var day = new DateOnly(2025, 11, 3);
        Assert.Empty(EscalationRules.Decide(new EscalationTrigger.OverdueDay(Assignment, day, light, paused, true, day, null), Chart));
    }

    [Fact]
    public void The_nightly_run_urges_a_step_past_its_own_limit_to_the_handlers_copying_the_lead()
    {
        var day = new DateOnly(2025, 11, 3);
        var notice = Assert.Single(EscalationRules.Decide(new EscalationTrigger.StepOverdueDay(Assignment, day, Light.Red, "pause:third-party-consultation", new DateOnly(2025, 10, 31)), Chart));

        Assert.Equal((NoticeKind.StepUrging, "step-urging:7:12:pause:third-party-consultation:2025-11-03", "overdue-run:2025-11-03"), (notice.Kind, notice.Cause, notice.Event));
        Assert.Equal(new NoticeAbout(7, Bureau, Light.Red, false, new DateOnly(2025, 10, 31), null, "pause:third-party-consultation"), notice.About);
        Assert.Equal([People(Bureau, Role.Handler), People(Bureau, Role.Lead, copy: true)], notice.To);
        Assert.Empty(EscalationRules.Decide(new EscalationTrigger.StepOverdueDay(Assignment, day, Light.Yellow, "step:review", day), Chart));
        Assert.Empty(EscalationRules.Decide(new EscalationTrigger.StepOverdueDay(Assignment, day, null, null, null), Chart));
    }

    [Fact]
    public void A_circulation_goes_to_its_offices_supervisors_and_channels()
    {
        var notice = Assert.Single(EscalationRules.Decide(new EscalationTrigger.Circulated(5, City), Chart));

        Assert.Equal((NoticeKind.Circulation, "circulation:5", "circulation:5"), (notice.Kind, notice.Cause, notice.Event));
        Assert.Null(notice.About);
        Assert.Equal([People(City, Role.Supervisor), Channels(City)], notice.To);
    }

    [Fact]
    public void The_supervising_office_is_the_nearest_staffed_one_strictly_above()
    {
        var looped = new OrgChart(
            new Dictionary<long, Department> { [1] = new() { Id = 1, Name = "甲", ParentId = 2 }, [2] = new() { Id = 2, Name = "乙", ParentId = 1 } },
            new HashSet<(long, Role)>());

        Assert.Equal(Province, Chart.NearestAbove(Bureau, Role.Supervisor));
        Assert.Equal(City, Chart.NearestAbove(Bureau, Role.Lead));
        Assert.Null(Chart.NearestAbove(Province, Role.Supervisor));
        Assert.Null(Chart.NearestAbove(Orphan, Role.Supervisor));
        Assert.Null(looped.NearestAbove(1, Role.Supervisor));
    }

    [Fact]
    public void Notice_kinds_keep_their_stored_codes()
    {
        Assert.Equal(
            ["yellow", "red", "seriously-overdue", "step-yellow", "step-red", "urging", "supervision", "step-urging", "circulation"],
            Enum.GetValues<NoticeKind>().Select(k => k.Code()));
    }

    [Theory]
    [InlineData(NoticeKind.Yellow, "yellow", false)]
    [InlineData(NoticeKind.Red, "red", false)]
    [InlineData(NoticeKind.SeriouslyOverdue, "serious", false)]
    [InlineData(NoticeKind.StepYellow, "yellow", true)]
    [InlineData(NoticeKind.StepRed, "red", true)]
    [InlineData(NoticeKind.Urging, "red", false)]
    [InlineData(NoticeKind.Supervision, "serious", false)]
    [InlineData(NoticeKind.StepUrging, "red", true)]
    [InlineData(NoticeKind.Circulation, null, false)]
    public void A_notice_kind_reports_its_light_for_the_pages_and_whether_it_is_a_step_limits(NoticeKind kind, string? light, bool stepLimit)
    {
        Assert.Equal(light, NoticeKinds.LightOf(kind.Code()));
        Assert.Equal(stepLimit, NoticeKinds.OfStepLimit(kind.Code()));
    }
}
