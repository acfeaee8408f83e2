using Supervision.Host.Import;
using Xunit.Abstractions;

namespace Supervision.Host.Tests.Reliability;

/// <summary>
/// Every hostile plan file is refused by the importer's reader, naming the file and what is wrong, after a bounded
/// amount of memory: a zip bomb is not inflated past the guard's limit, entities are never expanded, 100,000 rows are
/// never all read. Memory is counted as the bytes the reading thread allocated (the reader is synchronous), so the
/// figure is exact and not disturbed by other tests running at once.
/// </summary>
public sealed class HostileFilesTests(ITestOutputHelper output)
{
    /// <summary>The most one refusal may allocate: a plan file is at most 10 MB, and reading one fully takes far less.</summary>
    public const long MaxAllocatedBytes = 256L * 1024 * 1024;

    [Fact]
    public void Every_hostile_plan_file_is_refused_naming_the_file_and_why_after_bounded_allocation()
    {
        var failures = new List<string>();
        var most = 0L;
        foreach (var file in HostileFiles.All)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var e = Record.Exception(() => PlanFiles.Read(file.Content, file.Name, null));
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            most = Math.Max(most, allocated);
            output.WriteLine($"{file}: {allocated / 1024.0 / 1024:0.0} MB allocated: {e?.GetType().Name}: {e?.Message}");
            if (e is not InvalidDataException || !e.Message.StartsWith(file.Name + ": ", StringComparison.Ordinal) || !e.Message.Contains(file.Expected, StringComparison.Ordinal))
            {
                failures.Add($"{file}: expected '{file.Expected}', got {e?.GetType().Name}: {e?.Message}");
            }

            if (allocated > MaxAllocatedBytes)
            {
                failures.Add($"{file}: {allocated / 1024 / 1024} MB allocated (at most {MaxAllocatedBytes / 1024 / 1024} MB)");
            }
        }

        output.WriteLine($"{HostileFiles.All.Count} files, at most {most / 1024.0 / 1024:0.0} MB allocated by one");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
