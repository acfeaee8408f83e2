namespace Supervision.Engine.Tests.Import;

/// <summary>Files beside the tests: the repository's own (seeds/) and the published plans in ../shared/seed-documents.</summary>
internal static class Repository
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Supervision.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Supervision.sln not found above the tests.");
        }
    }

    /// <summary>A published plan's text; a clear failure when the folder is absent (./test.sh skips these tests then).</summary>
    public static string SeedDocument(string name)
    {
        var path = Path.Combine(Root, "..", "shared", "seed-documents", name);
        return File.Exists(path) ? File.ReadAllText(path) : throw new FileNotFoundException($"{path} is missing: the seed documents are needed for these tests (./test.sh skips them where the folder is absent).");
    }
}
