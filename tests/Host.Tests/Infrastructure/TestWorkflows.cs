namespace Supervision.Host.Tests.Infrastructure;

/// <summary>Workflow definitions for servers under test: the shipped ones plus the minute-level test definitions.</summary>
public static class TestWorkflows
{
    /// <summary>The test definitions alone (Scheduling/workflows, copied beside the tests).</summary>
    public static string TestOnly => Path.Combine(AppContext.BaseDirectory, "escalation-workflows");

    /// <summary>A fresh folder holding the shipped and the test definitions, for <c>Supervision:WorkflowsDirectory</c>.</summary>
    public static string ShippedAndTest()
    {
        var folder = Path.Combine(Path.GetTempPath(), "supervision-tests", "workflows-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "workflows"), "*.json").Concat(Directory.GetFiles(TestOnly, "*.json")))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        return folder;
    }
}
