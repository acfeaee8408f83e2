using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;

namespace Supervision.Engine.Tests.Workflows;

/// <summary>
/// Who may do what, exhaustively: every role, in and outside the item's department, against every action at the
/// disclosure request's handling step. The city: office 1 above bureaus 2 (the item's) and 3; district office 4
/// (a sibling of the bureaus, not above them).
/// </summary>
public sealed class AuthorizationMatrixTests
{
    private const long Office = 1, Bureau = 2, OtherBureau = 3, District = 4;
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private static readonly DateTimeOffset Now = new(2025, 10, 9, 10, 0, 0, Cst);

    private static readonly WorkflowDefinition Definition = DefinitionLoader.Load(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "workflows", "disclosure-request.json")), "disclosure-request.json").Definition!;

    private static readonly WorkflowContext Context = new(
        new ClockContext(StatutoryCalendar.Calendar, StatutoryCalendar.Shanghai),
        id => id switch { Office => "市政府办公室", Bureau => "市司法局", OtherBureau => "市教育局", _ => "一区政府办" },
        _ => null);

    private static readonly Dictionary<string, Actor> Actors = new()
    {
        ["handler-own"] = new("h1", Role.Handler, Bureau, new HashSet<long> { Bureau }),
        ["handler-other"] = new("h2", Role.Handler, OtherBureau, new HashSet<long> { OtherBureau }),
        ["lead-own"] = new("l1", Role.Lead, Bureau, new HashSet<long> { Bureau }),
        ["lead-other"] = new("l2", Role.Lead, OtherBureau, new HashSet<long> { OtherBureau }),
        ["supervisor-above"] = new("s1", Role.Supervisor, Office, new HashSet<long> { Office, Bureau, OtherBureau, District }),
        ["supervisor-district"] = new("s2", Role.Supervisor, District, new HashSet<long> { District }),
        ["admin"] = new("a1", Role.Admin, Office, new HashSet<long> { Office, Bureau, OtherBureau, District }),
    };

    private static InstanceState AtHandle()
    {
        var start = new ClockEvent.Started(new DateTimeOffset(2025, 9, 26, 10, 0, 0, Cst), new DateOnly(2025, 9, 26), new TimeLimit.WorkingDays(20));
        var clockContext = Context.ClockFor(Definition);
        var item = new SupervisedItem
        {
            Id = 42,
            Kind = ItemKind.Request,
            Title = "申请",
            DepartmentId = Bureau,
            DefinitionId = Definition.Id,
            DefinitionVersion = Definition.Version,
            Step = "handle",
            ReceivedOn = new DateOnly(2025, 9, 26),
            Version = 3,
        };
        return new InstanceState(item, [start], Clock.Fold([start], clockContext), [new AssignmentState(7, Bureau, AssignmentRole.Handling, "handle", false, [], ClockState.NotStarted)]);
    }

    // The same, with a handler's extension request waiting for a lead.
    private static InstanceState AtHandleWithRequest() => AtHandle() with
    {
        PendingExtensions = [new PendingExtension(null, new TimeLimit.WorkingDays(5), "需调取档案", "h1", Now.AddHours(-1))],
    };

    private static readonly Dictionary<string, Func<Actor, Decision>> Actions = new()
    {
        ["complete"] = a => WorkflowEngine.Complete(Definition, AtHandle(), a, "handle", "ready-to-reply", null, new Dictionary<string, string>(), Now, Context),
        ["pause"] = a => WorkflowEngine.ClockAction(Definition, AtHandle(), a, StepAction.Pause, null, new ClockEvent.Paused(Now, PauseReason.ThirdPartyConsultation), Now, Context),
        ["extend"] = a => WorkflowEngine.Extend(Definition, AtHandle(), a, null, new TimeLimit.WorkingDays(5), "理由", Now, Context),
        ["approve-extension"] = a => WorkflowEngine.ApproveExtension(Definition, AtHandleWithRequest(), a, null, Now, Context),
        ["reject-extension"] = a => WorkflowEngine.RejectExtension(Definition, AtHandleWithRequest(), a, null, "理由不充分", Now, Context),
        ["override"] = a => WorkflowEngine.ClockAction(Definition, AtHandle(), a, StepAction.Override, null, new ClockEvent.Overridden(Now, new DateOnly(2025, 12, 31), null, a.Login, "第三十五条"), Now, Context),
        ["transfer"] = a => WorkflowEngine.Transfer(Definition, AtHandle(), a, null, OtherBureau, "理由", Now, Context),
        ["return"] = a => WorkflowEngine.Return(Definition, AtHandle(), a, null, "review", "理由", Now, Context),
        ["report"] = a => WorkflowEngine.Report(Definition, AtHandle(), a, null, "进展", Now, Context),
        ["withdraw"] = a => WorkflowEngine.Withdraw(Definition, AtHandle(), a, "撤回", Now, Context),
    };

    // Allowed: handlers and leads of the handling department (and leads above it) act on its steps (a handler's extend
    // asks, a lead's extends); only a lead decides an extension request (article 33); overrides are for leads and
    // supervising offices above; transfers also for supervising offices above; nobody else.
    [Theory]
    [InlineData("handler-own", "complete pause extend transfer return report withdraw")]
    [InlineData("handler-other", "")]
    [InlineData("lead-own", "complete pause extend approve-extension reject-extension override transfer return report withdraw")]
    [InlineData("lead-other", "")]
    [InlineData("supervisor-above", "override transfer")]
    [InlineData("supervisor-district", "")]
    [InlineData("admin", "")]
    public void Each_role_may_do_exactly_its_actions(string actor, string allowed)
    {
        var expected = allowed.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        foreach (var (action, act) in Actions)
        {
            var refusal = Record.Exception(() => act(Actors[actor]));
            if (expected.Contains(action))
            {
                Assert.True(refusal is null, $"{actor} should be allowed to {action}: {refusal?.Message}");
            }
            else
            {
                var refused = Assert.IsType<WorkflowRefusedException>(refusal);
                Assert.True(refused.Kind == RefusalKind.Forbidden, $"{actor} {action}: expected Forbidden, got {refused.Kind}: {refused.Message}");
                Assert.False(string.IsNullOrWhiteSpace(refused.Message));
            }
        }
    }
}
