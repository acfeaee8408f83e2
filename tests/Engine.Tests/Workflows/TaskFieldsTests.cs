using Supervision.Engine.Workflows;

namespace Supervision.Engine.Tests.Workflows;

/// <summary>A task's fields read by name from a registration's fields and from the payload they are stored in, and
/// role codes read where roles live.</summary>
public sealed class TaskFieldsTests
{
    [Fact]
    public void A_tasks_fields_read_the_same_from_its_registration_and_from_its_stored_payload()
    {
        var given = new Dictionary<string, string>
        {
            ["content"] = "完善行政执法协调监督工作体系",
            ["plan"] = "2025年政务公开工作要点",
            ["planItem"] = "3",
            ["leadDepartments"] = "市司法局",
            ["responsibleDepartments"] = "市财政局、市教育局",
            ["deadline"] = "长期坚持",
            ["reportCadence"] = "quarterly",
            ["startsAfter"] = "新规出台",
        };
        var expected = new TaskFields("完善行政执法协调监督工作体系", "2025年政务公开工作要点", "3", "市司法局", "市财政局、市教育局", "长期坚持", "quarterly", "新规出台");

        Assert.Equal(expected, TaskFields.From(given));
        Assert.Equal(expected, TaskFields.FromPayload(System.Text.Json.JsonSerializer.Serialize(given)));
    }

    [Fact]
    public void Fields_not_given_or_not_text_are_null()
    {
        var fields = TaskFields.FromPayload("""{"content":"任务","deadline":null,"planItem":3}""");

        Assert.Equal(new TaskFields("任务", null, null, null, null, null, null, null), fields);
        Assert.Equal(new TaskFields(null, null, null, "市司法局", null, null, null, null), TaskFields.From(new Dictionary<string, string> { ["leadDepartments"] = "市司法局", ["applicant"] = "李某" }));
    }

    [Theory]
    [InlineData("handler", Role.Handler)]
    [InlineData("lead", Role.Lead)]
    [InlineData("supervisor", Role.Supervisor)]
    [InlineData("admin", Role.Admin)]
    public void Role_codes_are_read_as_written(string code, Role role)
    {
        Assert.True(Roles.TryParse(code, out var read));
        Assert.Equal(role, read);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Handler")]
    [InlineData("clerk")]
    public void Anything_else_is_not_a_role(string? code) => Assert.False(Roles.TryParse(code, out _));
}
