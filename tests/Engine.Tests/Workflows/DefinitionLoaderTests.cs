using System.Text.Json;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;

namespace Supervision.Engine.Tests.Workflows;

public sealed class DefinitionLoaderTests
{
    private static string Shipped(string name) => Path.Combine(AppContext.BaseDirectory, "workflows", name);

    private static string Broken(string name) => Path.Combine(AppContext.BaseDirectory, "Workflows", "Broken", name);

    private static (WorkflowDefinition? Definition, IReadOnlyList<DefinitionProblem> Problems) LoadFile(string path) =>
        DefinitionLoader.Load(File.ReadAllText(path), Path.GetFileName(path));

    [Fact]
    public void The_disclosure_request_definition_follows_articles_30_to_37()
    {
        var (definition, problems) = LoadFile(Shipped("disclosure-request.json"));

        Assert.Empty(problems);
        Assert.NotNull(definition);
        Assert.Equal(ItemKind.Request, definition.Kind);
        Assert.Equal(new TimeLimit.WorkingDays(20), definition.Clock.Limit);
        Assert.Equal(new YellowRule.RemainingWorkingDays(5), definition.Clock.Policy.Light.Yellow);
        Assert.Equal(new TimeLimit.WorkingDays(20), definition.Clock.Policy.ExtensionCap);
        Assert.Equal(["register", "review", "await-correction", "handle", "reply", "archive"], definition.Steps.Select(s => s.Id));
        Assert.Equal(new TimeLimit.WorkingDays(7), definition.Step("review")!.Limit);
        var correction = definition.Step("review")!.Outcomes.Single(o => o.Id == "correction-requested");
        Assert.Equal((ClockEffect.Pause, PauseReason.AwaitingCorrection), (correction.Clock, correction.PauseReason));
        var corrected = definition.Step("await-correction")!.Outcomes.Single(o => o.Id == "corrected");
        Assert.Equal(ClockEffect.Restart, corrected.Clock);
        Assert.Equal([("correctedOn", FieldType.Date, true)], corrected.Fields.Select(f => (f.Name, f.Type, f.Required)));
        Assert.Equal([PauseReason.ThirdPartyConsultation, PauseReason.AgencyConsultation, PauseReason.AwaitingCorrection], definition.Clock.PauseReasons.Select(r => r.Reason));
        Assert.Empty(definition.Warnings);
        Assert.Equal(8, definition.Step("reply")!.Outcomes.Count);
        Assert.All(definition.Step("reply")!.Outcomes, o => Assert.Equal(ClockEffect.Stop, o.Clock));
        Assert.Contains(new PauseRule(PauseReason.ThirdPartyConsultation, new TimeLimit.WorkingDays(15)), definition.Clock.PauseReasons);
        Assert.True(definition.Step("handle")!.Allows(StepAction.Extend));
        Assert.True(definition.Step("archive")!.Terminal);
        Assert.Equal([Recipient.Lead, Recipient.SupervisingOffice], definition.Escalation.SeriouslyOverdue);
    }

    [Fact]
    public void The_supervision_task_definition_runs_handle_and_review_per_assignment()
    {
        var (definition, problems) = LoadFile(Shipped("supervision-task.json"));

        Assert.Empty(problems);
        Assert.Equal(ItemKind.Task, definition!.Kind);
        Assert.Null(definition.Clock.Limit);
        Assert.Equal(["register", "assign", "handle", "review", "archive"], definition.Steps.Select(s => s.Id));
        Assert.All(["handle", "review", "archive"], id => Assert.True(definition.Step(id)!.PerAssignment));
        Assert.Equal(Role.Supervisor, definition.Step("review")!.Role);
        Assert.Equal("handle", definition.Step("review")!.Outcomes.Single(o => o.Id == "returned").To);
    }

    [Theory]
    [InlineData("unknown-step-in-outcome.json", "$.steps[0].outcomes[0].to", "unknown step 'nowhere'")]
    [InlineData("unreachable-step.json", "$.steps[2]", "step 'b' cannot be reached from the start step 'a'")]
    [InlineData("no-terminal-step.json", "$.steps", "no terminal step")]
    [InlineData("cycle-without-exit.json", "$.steps[2]", "from step 'b' no terminal step can be reached: a cycle without exit")]
    [InlineData("cycle-without-exit.json", "$.steps[3]", "from step 'c' no terminal step can be reached: a cycle without exit")]
    [InlineData("unknown-role.json", "$.steps[0].role", "unknown role 'emperor'")]
    [InlineData("bad-limit.json", "$.clock.limit", "'20 fortnights' is not a time limit")]
    [InlineData("extension-over-cap.json", "$.clock.extensionCap", "over the legal cap: article 33 allows at most 20 working days")]
    [InlineData("duplicate-step.json", "$.steps[1].id", "step 'a' is defined twice")]
    [InlineData("unknown-property.json", "$.stpes", "unknown property 'stpes'")]
    [InlineData("pause-reason-not-listed.json", "$.steps[0].outcomes[0].clock", "pause reason 'third-party-consultation' is not among the clock's pauseReasons")]
    [InlineData("bad-yellow.json", "$.clock.yellow", "'soon' is not a yellow rule")]
    [InlineData("unknown-action.json", "$.steps[0].actions[1]", "unknown action 'teleport'")]
    [InlineData("unknown-recipient.json", "$.escalation.red[0]", "unknown recipient 'mayor'")]
    [InlineData("broken-json.json", "line 5", "not valid JSON")]
    public void Each_broken_definition_gets_the_right_message(string file, string path, string message)
    {
        var (definition, problems) = LoadFile(Broken(file));

        Assert.Null(definition);
        Assert.Contains(problems, p => p.File == file && p.Path == path && p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Articles_30_32_34_a_request_pausing_for_a_reason_the_law_does_not_give_loads_with_a_warning()
    {
        var text = File.ReadAllText(Shipped("disclosure-request.json"))
            .Replace("{ \"reason\": \"awaiting-correction\" }", "{ \"reason\": \"awaiting-correction\" },\n      { \"reason\": \"custom\" }", StringComparison.Ordinal);

        var (definition, problems) = DefinitionLoader.Load(text, "office-request.json");
        var (task, _) = LoadFile(Shipped("supervision-task.json"));

        Assert.Empty(problems);
        var warning = Assert.Single(definition!.Warnings);
        Assert.Equal(("office-request.json", "$.clock.pauseReasons[3]"), (warning.File, warning.Path));
        Assert.Contains("pause reason 'custom' is not one the law gives a disclosure request", warning.Message, StringComparison.Ordinal);
        Assert.Contains(definition.Clock.PauseReasons, r => r.Reason == PauseReason.Custom);
        // A supervision task may pause for its own reasons without a word.
        Assert.Empty(task!.Warnings);
    }

    [Fact]
    public void An_outcome_declares_fields_of_its_own_and_one_twinning_a_step_field_is_a_problem()
    {
        var text = File.ReadAllText(Shipped("disclosure-request.json"))
            .Replace("\"result\": \"already-public\" }", "\"result\": \"already-public\", \"fields\": [{ \"name\": \"replyDate\", \"type\": \"date\" }] }", StringComparison.Ordinal);

        var (definition, problems) = DefinitionLoader.Load(text, "twin.json");

        Assert.Null(definition);
        var problem = Assert.Single(problems);
        Assert.Equal(("$.steps[4].outcomes[0].fields", "field 'replyDate' is also a field of the step"), (problem.Path, problem.Message));
    }

    [Fact]
    public void Every_problem_of_a_file_is_reported_at_once()
    {
        const string json = """
            { "id": "Bad Id", "version": 0, "kind": "petition", "title": { "en": "x" },
              "clock": { "limit": "soon" }, "start": "x", "steps": [], "escalation": {} }
            """;

        var (_, problems) = DefinitionLoader.Load(json, "many.json");

        Assert.Equal(
            ["$.id", "$.version", "$.kind", "$.title.zh", "$.clock.limit", "$.steps"],
            problems.Select(p => p.Path));
        Assert.All(problems, p => Assert.Equal("many.json", p.File));
        Assert.StartsWith("many.json: $.id: 'Bad Id' is not an id", problems[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_schema_names_exactly_the_properties_the_loader_reads()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Shipped("schema.json")));
        var root = schema.RootElement;
        var defs = root.GetProperty("$defs");
        var shapes = new Dictionary<string, JsonElement>
        {
            ["definition"] = root,
            ["clock"] = root.GetProperty("properties").GetProperty("clock"),
            ["step"] = defs.GetProperty("step"),
            ["outcome"] = defs.GetProperty("outcome"),
            ["field"] = defs.GetProperty("field"),
        };

        foreach (var (name, known) in DefinitionLoader.KnownProperties)
        {
            var inSchema = shapes[name].GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
            Assert.Equal(known.Order(StringComparer.Ordinal), inSchema);
            Assert.False(shapes[name].GetProperty("additionalProperties").GetBoolean());
        }
    }

    [Fact]
    public void The_content_hash_changes_with_the_content_and_not_with_line_endings()
    {
        var text = File.ReadAllText(Shipped("disclosure-request.json"));

        var (a, _) = DefinitionLoader.Load(text, "a.json");
        var (b, _) = DefinitionLoader.Load(text.ReplaceLineEndings("\r\n"), "b.json");
        var (c, _) = DefinitionLoader.Load(text.Replace("\"7 working days\"", "\"8 working days\"", StringComparison.Ordinal), "c.json");

        Assert.Equal(a!.ContentHash, b!.ContentHash);
        Assert.NotEqual(a.ContentHash, c!.ContentHash);
    }
}
