using System.Text.Json;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;

namespace Supervision.Engine.Workflows;

/// <summary>What the engine needs from outside: the clock context (calendar and zone), department names for
/// messages, and resolving department names written in fields.</summary>
public sealed record WorkflowContext(ClockContext Clock, Func<long, string> DepartmentName, Func<string, long?> ResolveDepartment)
{
    /// <summary>The clock context with a definition's extension cap.</summary>
    public ClockContext ClockFor(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Clock with { ExtensionCap = definition.Clock.Policy.ExtensionCap };
    }
}

/// <summary>
/// A new item as registration decides it, ready to store: the item at its first step with its deadline, light and step
/// limit; the clock it starts (a request's; null for a task, whose clocks are its assignments'); the assignments it
/// starts with, each with its own deadline and step limit; and its <c>registered</c> entry with the light it shows.
/// </summary>
public sealed record Registration(SupervisedItem Item, ClockEvent.Started? Start, IReadOnlyList<AddedAssignment> Assignments, HistoryEntry History);

/// <summary>
/// The workflow rules as pure decisions. Each operation checks the item's state, the definition and the actor
/// (role and department) and either returns a <see cref="Decision"/> for storage to apply in one transaction, or
/// throws a <see cref="WorkflowRefusedException"/> saying why not ("this step belongs to 市司法局", "extension would exceed 20
/// working days").
/// </summary>
public static partial class WorkflowEngine
{
    /// <summary>The task field naming the event its deadline counts from (新规出台); its clocks start when it is recorded.</summary>
    public const string StartsAfterField = TaskFields.StartsAfterField;

    /// <summary>The assigning field giving the day the event of <see cref="StartsAfterField"/> happened.</summary>
    public const string EventOnField = "eventOn";

    /// <summary>The field of a restarting outcome giving the day the corrected application was received (article 30).</summary>
    public const string CorrectedOnField = "correctedOn";

    /// <summary>The field giving the day a reply went out: a request's timeliness is judged by it (article 33).</summary>
    public const string ReplyDateField = "replyDate";

    /// <summary>History actions of an extension asked for by a handler and decided by a lead (article 33).</summary>
    public const string ExtensionRequested = "extension-requested", ExtensionApproved = "extension-approved", ExtensionRejected = "extension-rejected";

    /// <summary>Deadline words that mean an ongoing task (长期坚持, 持续推进), reported on each cycle.</summary>
    public static readonly string[] OngoingWords = ["ongoing", "长期坚持", "持续推进", "实时"];

    private static readonly JsonSerializerOptions PayloadJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The longest title accepted.</summary>
    public const int MaxTitleLength = 500;

    /// <summary>The longest field value accepted (an application's content, a reply's grounds).</summary>
    public const int MaxFieldLength = 20_000;

    /// <summary>Registers a disclosure request or a supervision task: the start step is completed with its only outcome.</summary>
    public static Registration Register(WorkflowDefinition definition, Actor actor, string title, long departmentId, IReadOnlyDictionary<string, string> fields, DateTimeOffset now, WorkflowContext context)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, "title: required");
        }

        if (title.Length > MaxTitleLength)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"title: at most {MaxTitleLength} characters");
        }

        var start = definition.Step(definition.Start)!;
        var payload = CheckFields(start.Outcomes.Count == 1 ? [.. start.Fields, .. start.Outcomes[0].Fields] : start.Fields, fields, context);
        var today = context.Clock.DayOf(now);
        DateOnly startDay = today;
        TimeLimit? limit = definition.Clock.Limit;
        List<long> leads = [];
        List<long> responsible = [];
        TaskFields? task = null;
        if (definition.Kind == ItemKind.Request)
        {
            if (payload.TryGetValue("receivedOn", out var received))
            {
                startDay = ParseDay(received);
                if (startDay > today)
                {
                    throw new WorkflowRefusedException(RefusalKind.Invalid, $"receivedOn: {received} is in the future");
                }
            }
        }
        else
        {
            task = TaskFields.From(payload);
            leads = Departments(task.LeadDepartments, context);
            responsible = Departments(task.ResponsibleDepartments, context).Except(leads).ToList();
            if (leads.Count > 0)
            {
                departmentId = leads[0];
            }

            limit = TaskLimit(task.Deadline);
        }

        // Every department the item will belong to must be the registrar's: a supervising office registers tasks only
        // for the departments below it (a task led from outside its subtree was accepted, and then withdrawable by it).
        foreach (var department in leads.Concat(responsible).Append(departmentId).Distinct())
        {
            CheckActor(actor, start, department, context);
        }

        var outcome = start.Outcomes.Count == 1 ? start.Outcomes[0] : throw new WorkflowRefusedException(RefusalKind.Rule, $"the start step '{start.Id}' must have exactly one outcome");
        var step = outcome.To;
        ClockEvent.Started? started = definition.Kind == ItemKind.Request && limit is not null
            ? new ClockEvent.Started(now, startDay, limit)
            : null;
        var item = new SupervisedItem
        {
            Kind = definition.Kind,
            Title = title.Trim(),
            DepartmentId = departmentId,
            DefinitionId = definition.Id,
            DefinitionVersion = definition.Version,
            Step = step,
            ReceivedOn = startDay,
            // Chinese as written, not \u-escaped: the stored fields are searched as text on both databases.
            Payload = JsonSerializer.Serialize(payload, PayloadJson),
        };
        var assignments = definition.Kind == ItemKind.Request
            ? [new NewAssignment(departmentId, AssignmentRole.Handling, step, null)]
            : new List<NewAssignment>();
        if (definition.Kind == ItemKind.Task && definition.Step(step) is { PerAssignment: true })
        {
            // A task that goes straight to its departments (no separate assigning step): one assignment per lead and
            // responsible department, each with its own clock, as assigning would make them.
            if (task?.StartsAfter is not null)
            {
                throw new WorkflowRefusedException(RefusalKind.Rule, $"{StartsAfterField}: a task counted from an event needs an assigning step to record the event; definition '{definition.Key}' assigns at registration");
            }

            var assignmentLimit = limit ?? CycleOf(task?.ReportCadence);
            assignments.AddRange(leads.Select(d => new NewAssignment(d, AssignmentRole.Lead, step, new ClockEvent.Started(now, today, assignmentLimit)))
                .Concat(responsible.Select(d => new NewAssignment(d, AssignmentRole.Responsible, step, new ClockEvent.Started(now, today, assignmentLimit)))));
        }

        var history = new HistoryEntry
        {
            At = now,
            Actor = actor.Login,
            Action = "registered",
            FromStep = start.Id,
            ToStep = step,
            Detail = JsonSerializer.Serialize(new { definition = definition.Key, outcome = outcome.Id, fields = payload, limit = limit?.ToString() ?? (definition.Kind == ItemKind.Task ? "ongoing" : null) }),
        };
        return Registered(definition, item, started, assignments, history, now, context);
    }

    /// <summary>True for a task without a deadline, reported on each cycle.</summary>
    public static bool IsOngoing(SupervisedItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Kind != ItemKind.Task)
        {
            return false;
        }

        return TaskFields.FromPayload(item.Payload).Deadline is { } deadline && TaskLimit(deadline) is null;
    }

    private static (StepDefinition Step, AssignmentState? Assignment) Current(WorkflowDefinition definition, InstanceState state, string? expectedStep, long? assignmentId, WorkflowContext context, bool itemLevel = false)
    {
        if (state.Closed)
        {
            throw new WorkflowRefusedException(RefusalKind.Conflict, $"item {state.Item.Id} is closed ({state.Item.Step})");
        }

        if (assignmentId is { } id)
        {
            var assignment = state.Assignments.FirstOrDefault(a => a.Id == id)
                ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"assignment: {id} is not an assignment of item {state.Item.Id}");
            if (assignment.Closed)
            {
                throw new WorkflowRefusedException(RefusalKind.Conflict, $"the assignment of {context.DepartmentName(assignment.DepartmentId)} is closed");
            }

            if (expectedStep is not null && assignment.Step != expectedStep)
            {
                throw new WorkflowRefusedException(RefusalKind.Conflict, $"step '{expectedStep}' is already done: the assignment of {context.DepartmentName(assignment.DepartmentId)} is at '{assignment.Step}'");
            }

            var step = definition.Step(assignment.Step)!;
            if (state.Item.Kind == ItemKind.Task && !step.PerAssignment)
            {
                throw new WorkflowRefusedException(RefusalKind.Invalid, $"step '{step.Id}' is not done per assignment");
            }

            return (step, state.Item.Kind == ItemKind.Task ? assignment : null);
        }

        var current = definition.Step(state.Item.Step)!;
        if (current.PerAssignment && state.Item.Kind == ItemKind.Task && !itemLevel)
        {
            throw new WorkflowRefusedException(RefusalKind.Invalid, $"assignment: step '{current.Id}' is done per department; say which assignment ({string.Join(", ", state.Assignments.Where(a => !a.Closed).Select(a => $"{a.Id} {context.DepartmentName(a.DepartmentId)}"))})");
        }

        if (expectedStep is not null && current.Id != expectedStep)
        {
            throw new WorkflowRefusedException(RefusalKind.Conflict, $"step '{expectedStep}' is already done: item {state.Item.Id} is at '{current.Id}'");
        }

        return (current, null);
    }

    private static void Allowed(StepDefinition step, StepAction action)
    {
        if (!step.Allows(action))
        {
            throw new WorkflowRefusedException(RefusalKind.Rule, $"'{action.ToString().ToLowerInvariant()}' is not allowed at step '{step.Id}' ({step.Name.Zh})");
        }
    }
}
