namespace Supervision.Host.Tests.Import;

/// <summary>The repository's root folder (where Supervision.sln is), for the project's own seed files.</summary>
internal static class RepositoryRoot
{
    public static string Path
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Supervision.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Supervision.sln not found above the tests.");
        }
    }
}
