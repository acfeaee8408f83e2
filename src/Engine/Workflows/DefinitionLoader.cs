using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;

namespace Supervision.Engine.Workflows;

/// <summary>One problem in a definition file: where (file and JSON path) and what, in plain words.</summary>
public sealed record DefinitionProblem(string File, string Path, string Message)
{
    public override string ToString() => $"{File}: {Path}: {Message}";
}

/// <summary>
/// Reads a workflow definition from its JSON text and checks it, reporting every problem at once: missing or
/// malformed fields, unknown properties, an outcome leading to an unknown step, unreachable steps, no terminal step,
/// a cycle without exit, an unknown role, action or recipient, a limit that does not parse, an extension cap over
/// the legal cap (20 working days for disclosure requests, article 33). What it allows but an office should do
/// knowingly (a disclosure request pausing for a reason the law does not give) comes back as
/// <see cref="WorkflowDefinition.Warnings"/>.
/// </summary>
public static partial class DefinitionLoader
{
    /// <summary>The legal cap on extensions of disclosure requests (article 33).</summary>
    public static readonly TimeLimit.WorkingDays DisclosureExtensionCap = new(20);

    private static readonly string[] TopProperties = ["$schema", "id", "version", "kind", "title", "clock", "start", "steps", "escalation"];
    private static readonly string[] ClockProperties = ["limit", "yellow", "stepYellow", "seriouslyOverdueAfter", "extensionCap", "pauseReasons"];
    private static readonly string[] StepProperties = ["id", "name", "role", "limit", "limitFrom", "outcomes", "actions", "fields", "terminal", "perAssignment"];
    private static readonly string[] OutcomeProperties = ["id", "name", "to", "clock", "result", "fields"];

    // The pauses the law gives a disclosure request: consultation of third parties (art. 32) and of other agencies
    // (art. 34), and the wait for a correction asked for at review (art. 30). Others are warned about, not refused.
    private static readonly PauseReason[] LawfulRequestPauses = [PauseReason.ThirdPartyConsultation, PauseReason.AgencyConsultation, PauseReason.AwaitingCorrection];
    private static readonly string[] FieldProperties = ["name", "label", "type", "required", "choices"];

    /// <summary>The property names each object of a definition may have, for checking the JSON Schema against the loader.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> KnownProperties { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        ["definition"] = TopProperties,
        ["clock"] = ClockProperties,
        ["step"] = StepProperties,
        ["outcome"] = OutcomeProperties,
        ["field"] = FieldProperties,
    };

    /// <summary>Reads and checks one definition. Returns null with the problems when it cannot be used.</summary>
    public static (WorkflowDefinition? Definition, IReadOnlyList<DefinitionProblem> Problems) Load(string json, string file)
    {
        ArgumentNullException.ThrowIfNull(json);
        var p = new Problems(file);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            return (null, [new DefinitionProblem(file, $"line {e.LineNumber + 1}", $"not valid JSON: {e.Message}")]);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                p.Add("$", "a definition is a JSON object");
                return (null, p.List);
            }

            Unknown(root, "$", TopProperties, p);
            var id = Text(root, "id", "$", p);
            if (id is not null && !IdPattern().IsMatch(id))
            {
                p.Add("$.id", $"'{id}' is not an id: use lower-case letters, digits and dashes, starting with a letter");
            }

            var version = root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= 1 ? n : 0;
            if (version == 0)
            {
                p.Add("$.version", "missing or not a whole number from 1");
            }

            var kindText = Text(root, "kind", "$", p);
            ItemKind kind = default;
            if (kindText is not null && !ItemKinds.TryParse(kindText, out kind))
            {
                p.Add("$.kind", $"'{kindText}' is not a kind; expected 'request' or 'task'");
            }

            var title = Local(root, "title", "$", p);
            var clock = ReadClock(root, kind, kindText is not null && ItemKinds.TryParse(kindText, out _), p);
            var steps = ReadSteps(root, clock, p);
            var start = Text(root, "start", "$", p);
            if (start is not null && steps.Count > 0 && steps.All(s => s.Id != start))
            {
                p.Add("$.start", $"unknown step '{start}'");
            }

            CheckGraph(steps, start, p);
            var escalation = ReadEscalation(root, p);
            if (p.List.Count > 0)
            {
                return (null, p.List);
            }

            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json.ReplaceLineEndings("\n"))));
            return (new WorkflowDefinition(id!, version, kind, title!, clock!, start!, steps, escalation, hash) { Warnings = Warnings(kind, clock!, file) }, p.List);
        }
    }

    private static List<DefinitionProblem> Warnings(ItemKind kind, ClockDefinition clock, string file)
    {
        var warnings = new List<DefinitionProblem>();
        if (kind != ItemKind.Request)
        {
            return warnings;
        }

        for (var i = 0; i < clock.PauseReasons.Count; i++)
        {
            var reason = clock.PauseReasons[i].Reason;
            if (!LawfulRequestPauses.Contains(reason))
            {
                warnings.Add(new DefinitionProblem(file, $"$.clock.pauseReasons[{i}]",
                    $"pause reason '{Clock.ReasonCode(reason)}' is not one the law gives a disclosure request (third-party-consultation, article 32; agency-consultation, article 34; awaiting-correction, article 30): time paused for it does not count against the 20 working days of article 33; keep it only if your office means to"));
            }
        }

        return warnings;
    }

    private static ClockDefinition? ReadClock(JsonElement root, ItemKind kind, bool kindKnown, Problems p)
    {
        if (!root.TryGetProperty("clock", out var clock) || clock.ValueKind != JsonValueKind.Object)
        {
            p.Add("$.clock", "missing: the overall clock (limit, yellow rule, extension cap, pause reasons)");
            return null;
        }

        Unknown(clock, "$.clock", ClockProperties, p);
        TimeLimit? limit = null;
        if (clock.TryGetProperty("limit", out _))
        {
            limit = Limit(clock, "limit", "$.clock", p);
        }
        else if (kindKnown && kind == ItemKind.Request)
        {
            p.Add("$.clock.limit", "missing: a disclosure request needs its overall limit (article 33: 20 working days)");
        }

        YellowRule? yellow = new YellowRule.Never();
        if (Text(clock, "yellow", "$.clock", p, required: false) is { } yellowText && !ClockPolicy.TryParseYellow(yellowText, out yellow, out var yellowError))
        {
            p.Add("$.clock.yellow", yellowError!);
        }

        int? serious = null;
        if (clock.TryGetProperty("seriouslyOverdueAfter", out _))
        {
            if (Limit(clock, "seriouslyOverdueAfter", "$.clock", p) is { } after)
            {
                if (after is TimeLimit.WorkingDays w)
                {
                    serious = w.Count;
                }
                else
                {
                    p.Add("$.clock.seriouslyOverdueAfter", $"'{after}': seriously overdue is counted in working days");
                }
            }
        }

        TimeLimit? cap = null;
        if (clock.TryGetProperty("extensionCap", out _))
        {
            cap = Limit(clock, "extensionCap", "$.clock", p);
            if (cap is not null && kindKnown && kind == ItemKind.Request
                && (cap is not TimeLimit.WorkingDays capDays || capDays.Count > DisclosureExtensionCap.Count))
            {
                p.Add("$.clock.extensionCap", $"'{cap}' is over the legal cap: article 33 allows at most {DisclosureExtensionCap} of extension");
            }
        }

        var pauses = new List<PauseRule>();
        if (clock.TryGetProperty("pauseReasons", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                p.Add("$.clock.pauseReasons", "not an array");
            }
            else
            {
                var i = 0;
                foreach (var item in list.EnumerateArray())
                {
                    var at = $"$.clock.pauseReasons[{i++}]";
                    var code = Text(item, "reason", at, p);
                    if (code is null)
                    {
                        continue;
                    }

                    PauseReason reason;
                    try
                    {
                        reason = ClockEventJson.ReasonFrom(code);
                    }
                    catch (FormatException e)
                    {
                        p.Add($"{at}.reason", e.Message);
                        continue;
                    }

                    var pauseLimit = item.TryGetProperty("limit", out _) ? Limit(item, "limit", at, p) : null;
                    pauses.Add(new PauseRule(reason, pauseLimit));
                }
            }
        }

        YellowRule? stepYellow = StepLights.DefaultYellow;
        if (Text(clock, "stepYellow", "$.clock", p, required: false) is { } stepYellowText && !ClockPolicy.TryParseYellow(stepYellowText, out stepYellow, out var stepYellowError))
        {
            p.Add("$.clock.stepYellow", stepYellowError!);
        }

        return yellow is null ? null : new ClockDefinition(limit, new ClockPolicy(new LightPolicy(yellow, serious), cap), pauses) { StepYellow = stepYellow ?? StepLights.DefaultYellow };
    }

    private static LimitBasis LimitFromProblem(Problems p, string path, string text)
    {
        p.Add(path, $"'{text}': a step limit counts from 'step' (the day the step is entered) or 'receipt' (the day the request was received)");
        return LimitBasis.StepStart;
    }

    private static List<StepDefinition> ReadSteps(JsonElement root, ClockDefinition? clock, Problems p)
    {
        var steps = new List<StepDefinition>();
        if (!root.TryGetProperty("steps", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            p.Add("$.steps", "missing or empty: a definition needs steps");
            return steps;
        }

        var ids = new HashSet<string>();
        var i = 0;
        foreach (var element in list.EnumerateArray())
        {
            var at = $"$.steps[{i++}]";
            if (element.ValueKind != JsonValueKind.Object)
            {
                p.Add(at, "a step is an object");
                continue;
            }

            Unknown(element, at, StepProperties, p);
            var id = Text(element, "id", at, p);
            if (id is not null && !ids.Add(id))
            {
                p.Add($"{at}.id", $"step '{id}' is defined twice");
            }

            var name = Local(element, "name", at, p);
            var terminal = element.TryGetProperty("terminal", out var t) && t.ValueKind == JsonValueKind.True;
            var perAssignment = element.TryGetProperty("perAssignment", out var pa) && pa.ValueKind == JsonValueKind.True;
            var role = Role.Handler;
            if (!terminal || element.TryGetProperty("role", out _))
            {
                var roleText = Text(element, "role", at, p);
                if (roleText is not null && !Roles.TryParse(roleText, out role))
                {
                    p.Add($"{at}.role", $"unknown role '{roleText}'; expected handler, lead, supervisor or admin");
                }
            }

            var limit = element.TryGetProperty("limit", out _) ? Limit(element, "limit", at, p) : null;
            var limitFrom = LimitBasis.StepStart;
            if (Text(element, "limitFrom", at, p, required: false) is { } from)
            {
                limitFrom = from switch
                {
                    "step" => LimitBasis.StepStart,
                    "receipt" => LimitBasis.Receipt,
                    _ => LimitFromProblem(p, $"{at}.limitFrom", from),
                };
                if (limit is null)
                {
                    p.Add($"{at}.limitFrom", "given without a limit");
                }
            }

            var outcomes = ReadOutcomes(element, at, terminal, clock, p);
            var actions = ReadActions(element, at, clock, p);
            var fields = ReadFields(element, at, p);
            for (var j = 0; j < outcomes.Count; j++)
            {
                foreach (var twin in outcomes[j].Fields.Where(f => fields.Any(s => s.Name == f.Name)))
                {
                    p.Add($"{at}.outcomes[{j}].fields", $"field '{twin.Name}' is also a field of the step");
                }
            }
            if (id is not null && name is not null)
            {
                steps.Add(new StepDefinition(id, name, role, limit, outcomes, actions, fields, terminal, perAssignment) { LimitFrom = limitFrom });
            }
        }

        return steps;
    }

    private static List<OutcomeDefinition> ReadOutcomes(JsonElement step, string at, bool terminal, ClockDefinition? clock, Problems p)
    {
        var outcomes = new List<OutcomeDefinition>();
        var has = step.TryGetProperty("outcomes", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0;
        if (terminal)
        {
            if (has)
            {
                p.Add($"{at}.outcomes", "a terminal step has no outcomes: reaching it closes the item");
            }

            return outcomes;
        }

        if (!has)
        {
            p.Add($"{at}.outcomes", "missing or empty: a step that is not terminal needs at least one outcome");
            return outcomes;
        }

        var ids = new HashSet<string>();
        var i = 0;
        foreach (var o in list.EnumerateArray())
        {
            var path = $"{at}.outcomes[{i++}]";
            Unknown(o, path, OutcomeProperties, p);
            var id = Text(o, "id", path, p);
            if (id is not null && !ids.Add(id))
            {
                p.Add($"{path}.id", $"outcome '{id}' is defined twice in this step");
            }

            var name = o.TryGetProperty("name", out _) ? Local(o, "name", path, p) : new LocalText(id ?? string.Empty, id ?? string.Empty);
            var to = Text(o, "to", path, p);
            var effect = ClockEffect.None;
            PauseReason? reason = null;
            if (Text(o, "clock", path, p, required: false) is { } clockText)
            {
                var parts = clockText.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                switch (parts[0])
                {
                    case "none": break;
                    case "resume": effect = ClockEffect.Resume; break;
                    case "restart": effect = ClockEffect.Restart; break;
                    case "stop": effect = ClockEffect.Stop; break;
                    case "pause" when parts.Length == 2:
                        effect = ClockEffect.Pause;
                        try
                        {
                            reason = ClockEventJson.ReasonFrom(parts[1]);
                            if (clock is not null && clock.PauseReasons.All(r => r.Reason != reason))
                            {
                                p.Add($"{path}.clock", $"pause reason '{parts[1]}' is not among the clock's pauseReasons");
                            }
                        }
                        catch (FormatException e)
                        {
                            p.Add($"{path}.clock", e.Message);
                        }

                        break;
                    default:
                        p.Add($"{path}.clock", $"'{clockText}' is not a clock effect; expected none, 'pause <reason>', resume, restart or stop");
                        break;
                }
            }

            var result = Text(o, "result", path, p, required: false);
            var fields = ReadFields(o, path, p);
            if (id is not null && to is not null && name is not null)
            {
                outcomes.Add(new OutcomeDefinition(id, name, to, effect, reason, result) { Fields = fields });
            }
        }

        return outcomes;
    }

    private static HashSet<StepAction> ReadActions(JsonElement step, string at, ClockDefinition? clock, Problems p)
    {
        var actions = new HashSet<StepAction>();
        if (!step.TryGetProperty("actions", out var list))
        {
            return actions;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            p.Add($"{at}.actions", "not an array");
            return actions;
        }

        var i = 0;
        foreach (var a in list.EnumerateArray())
        {
            var path = $"{at}.actions[{i++}]";
            var text = a.ValueKind == JsonValueKind.String ? a.GetString()! : string.Empty;
            if (!Enum.TryParse<StepAction>(text, ignoreCase: true, out var action) || !char.IsLower(text.FirstOrDefault()))
            {
                p.Add(path, $"unknown action '{text}'; expected pause, resume, extend, override, transfer, return, report or withdraw");
                continue;
            }

            if (action == StepAction.Pause && clock is not null && clock.PauseReasons.Count == 0)
            {
                p.Add(path, "pausing is allowed here but the clock lists no pauseReasons");
            }

            if (action == StepAction.Extend && clock is not null && clock.Policy.ExtensionCap is null)
            {
                p.Add(path, "extending is allowed here but the clock has no extensionCap");
            }

            actions.Add(action);
        }

        return actions;
    }

    private static List<FieldDefinition> ReadFields(JsonElement step, string at, Problems p)
    {
        var fields = new List<FieldDefinition>();
        if (!step.TryGetProperty("fields", out var list))
        {
            return fields;
        }

        var names = new HashSet<string>();
        var i = 0;
        foreach (var f in list.EnumerateArray())
        {
            var path = $"{at}.fields[{i++}]";
            Unknown(f, path, FieldProperties, p);
            var name = Text(f, "name", path, p);
            if (name is not null && !names.Add(name))
            {
                p.Add($"{path}.name", $"field '{name}' is defined twice in this step");
            }

            var label = f.TryGetProperty("label", out _) ? Local(f, "label", path, p) : new LocalText(name ?? string.Empty, name ?? string.Empty);
            var typeText = Text(f, "type", path, p);
            var type = FieldType.Text;
            if (typeText is not null && !TryFieldType(typeText, out type))
            {
                p.Add($"{path}.type", $"unknown field type '{typeText}'; expected text, date, choice, department or departments");
            }

            var required = f.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.True;
            var choices = f.TryGetProperty("choices", out var c) && c.ValueKind == JsonValueKind.Array
                ? c.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
                : [];
            if (type == FieldType.Choice && choices.Count == 0)
            {
                p.Add($"{path}.choices", "a choice field needs its choices");
            }

            if (name is not null && label is not null)
            {
                fields.Add(new FieldDefinition(name, label, type, required, choices));
            }
        }

        return fields;
    }

    private static void CheckGraph(List<StepDefinition> steps, string? start, Problems p)
    {
        if (steps.Count == 0)
        {
            return;
        }

        var byId = steps.GroupBy(s => s.Id).ToDictionary(g => g.Key, g => g.First());
        for (var i = 0; i < steps.Count; i++)
        {
            for (var j = 0; j < steps[i].Outcomes.Count; j++)
            {
                if (!byId.ContainsKey(steps[i].Outcomes[j].To))
                {
                    p.Add($"$.steps[{i}].outcomes[{j}].to", $"unknown step '{steps[i].Outcomes[j].To}'");
                }
            }
        }

        if (!steps.Any(s => s.Terminal))
        {
            p.Add("$.steps", "no terminal step: mark the step that closes the item with \"terminal\": true");
            return;
        }

        if (start is not null && byId.ContainsKey(start))
        {
            var reached = new HashSet<string> { start };
            var queue = new Queue<string>([start]);
            while (queue.Count > 0)
            {
                foreach (var next in byId[queue.Dequeue()].Outcomes.Select(o => o.To).Where(byId.ContainsKey))
                {
                    if (reached.Add(next))
                    {
                        queue.Enqueue(next);
                    }
                }
            }

            for (var i = 0; i < steps.Count; i++)
            {
                if (!reached.Contains(steps[i].Id))
                {
                    p.Add($"$.steps[{i}]", $"step '{steps[i].Id}' cannot be reached from the start step '{start}'");
                }
            }
        }

        // Steps that can reach a terminal step, found backwards from the terminal steps.
        var closing = new HashSet<string>(steps.Where(s => s.Terminal).Select(s => s.Id));
        bool grew;
        do
        {
            grew = false;
            foreach (var step in steps.Where(s => !closing.Contains(s.Id) && s.Outcomes.Any(o => closing.Contains(o.To))))
            {
                grew |= closing.Add(step.Id);
            }
        }
        while (grew);
        for (var i = 0; i < steps.Count; i++)
        {
            if (!closing.Contains(steps[i].Id) && steps[i].Outcomes.Count > 0)
            {
                p.Add($"$.steps[{i}]", $"from step '{steps[i].Id}' no terminal step can be reached: a cycle without exit");
            }
        }
    }

    private static EscalationLadder ReadEscalation(JsonElement root, Problems p)
    {
        if (!root.TryGetProperty("escalation", out var e) || e.ValueKind != JsonValueKind.Object)
        {
            p.Add("$.escalation", "missing: who is told at yellow, red and seriously overdue");
            return new EscalationLadder([], [], []);
        }

        Unknown(e, "$.escalation", ["yellow", "red", "seriouslyOverdue"], p);
        return new EscalationLadder(Recipients(e, "yellow", p), Recipients(e, "red", p), Recipients(e, "seriouslyOverdue", p));
    }

    private static List<Recipient> Recipients(JsonElement e, string level, Problems p)
    {
        var list = new List<Recipient>();
        if (!e.TryGetProperty(level, out var items))
        {
            return list;
        }

        var i = 0;
        foreach (var item in items.EnumerateArray())
        {
            var text = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            switch (text)
            {
                case "handler": list.Add(Recipient.Handler); break;
                case "lead": list.Add(Recipient.Lead); break;
                case "supervising-office": list.Add(Recipient.SupervisingOffice); break;
                default: p.Add($"$.escalation.{level}[{i}]", $"unknown recipient '{text}'; expected handler, lead or supervising-office"); break;
            }

            i++;
        }

        return list;
    }

    private static bool TryFieldType(string text, out FieldType type)
    {
        type = text switch
        {
            "text" => FieldType.Text,
            "date" => FieldType.Date,
            "choice" => FieldType.Choice,
            "department" => FieldType.Department,
            "departments" => FieldType.Departments,
            _ => (FieldType)(-1),
        };
        return (int)type >= 0;
    }

    private static void Unknown(JsonElement element, string path, IReadOnlyCollection<string> known, Problems p)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in element.EnumerateObject().Where(x => !known.Contains(x.Name)))
        {
            p.Add($"{path}.{property.Name}", $"unknown property '{property.Name}'");
        }
    }

    private static string? Text(JsonElement element, string name, string path, Problems p, bool required = true)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value))
        {
            if (value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()))
            {
                return value.GetString()!.Trim();
            }

            p.Add($"{path}.{name}", "must be a non-empty text");
            return null;
        }

        if (required)
        {
            p.Add($"{path}.{name}", "missing");
        }

        return null;
    }

    private static LocalText? Local(JsonElement element, string name, string path, Problems p)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Object)
        {
            p.Add($"{path}.{name}", "missing: an object with zh (Chinese) and en (English)");
            return null;
        }

        var zh = Text(value, "zh", $"{path}.{name}", p);
        var en = Text(value, "en", $"{path}.{name}", p, required: false) ?? zh;
        return zh is null ? null : new LocalText(zh, en!);
    }

    private static TimeLimit? Limit(JsonElement element, string name, string path, Problems p)
    {
        var text = Text(element, name, path, p);
        if (text is null)
        {
            return null;
        }

        if (TimeLimit.TryParse(text, out var limit, out var error))
        {
            return limit;
        }

        p.Add($"{path}.{name}", error!);
        return null;
    }

    private sealed class Problems(string file)
    {
        public List<DefinitionProblem> List { get; } = [];

        public void Add(string path, string message) => List.Add(new DefinitionProblem(file, path, message));
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex IdPattern();
}
