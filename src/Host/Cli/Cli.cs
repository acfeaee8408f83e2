using System.CommandLine;
using Supervision.Host.Platform;
using Supervision.Host.Setup;
using Supervision.Host.Storage;

namespace Supervision.Host.Cli;

/// <summary>
/// The command line. With no subcommand (or <c>serve</c>) the executable is the web server; each subcommand does
/// one job against the database <c>SUPERVISION_DB</c> names and exits 0 on success, 1 when the job failed, 2 when
/// the command line or configuration is wrong.
/// </summary>
public static class Cli
{
    /// <summary>True when the arguments ask for a subcommand or for help rather than the web server: a first argument
    /// that is not an option (<c>--urls</c>), a setting (<c>urls=…</c>) or <c>serve</c> names a subcommand, known or
    /// not, so a misspelt one is refused instead of starting the server.</summary>
    public static bool Handles(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Length > 0 && (args[0] is "--help" or "-h" or "-?" or "--version" || IsSubcommandWord(args[0]));
    }

    private static bool IsSubcommandWord(string arg) =>
        arg.Length > 0 && arg[0] is not ('-' or '/') && !arg.Contains('=', StringComparison.Ordinal) && arg != "serve";

    /// <summary>Parses and runs a subcommand, writing to the given streams.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = Root(output, error);
        if (args.Length > 0 && IsSubcommandWord(args[0]) && root.Subcommands.All(c => c.Name != args[0]))
        {
            var names = root.Subcommands.Select(c => c.Name).ToList();
            var closest = names.MinBy(n => Distance(n, args[0]))!;
            error.WriteLine($"error: unknown subcommand '{args[0]}'; did you mean '{closest}'? (subcommands: {string.Join(", ", names)}; see --help)");
            return 2;
        }

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line a person (or a script) can act on, not a screen of help.
            error.WriteLine($"error: {parsed.Errors[0].Message} (see --help)");
            return 2;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    // Every subcommand; the server starts only when the first argument names none of them.
    private static RootCommand Root(TextWriter output, TextWriter error) => new(
        "Supervision: deadlines with red/yellow/green lights for disclosure requests and supervision tasks.\n"
        + "Run without a subcommand to start the web server (http://localhost:5080; --urls to change).")
    {
        MigrateCommand(output, error),
        HealthCommand(output, error),
        DeadlineCommand.Create(output, error),
        CalendarCommand.Create(output, error),
        AuditCommands.Definitions(output, error),
        AuditCommands.History(output, error),
        AuditCommands.Board(output, error),
        AuditCommands.Trends(output, error),
        AuditCommands.Overdue(output, error),
        ImportCommand.Create(output, error),
        ReportCommand.Create(output, error),
        AdminCommands.Departments(output, error),
        AdminCommands.Users(output, error),
        AdminCommands.Tokens(output, error),
    };

    // Levenshtein distance, case-insensitive: how far a typed subcommand is from a known one.
    private static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static Command MigrateCommand(TextWriter output, TextWriter error)
    {
        var statusOnly = new Option<bool>("--status") { Description = "List applied and pending migrations; change nothing." };
        var command = new Command("migrate", "Apply pending schema migrations to the database SUPERVISION_DB names.") { statusOnly };
        command.SetAction((parse, ct) => WithServicesAsync(error, async services =>
        {
            var database = services.GetRequiredService<Database>();
            var migrator = services.GetRequiredService<Migrator>();
            output.WriteLine($"Database: {database.Settings.Describe()}");
            if (parse.GetValue(statusOnly))
            {
                var status = await migrator.GetStatusAsync(ct);
                foreach (var applied in status.Applied)
                {
                    output.WriteLine($"  applied  {applied.Version:D4}_{applied.Name}  {applied.AppliedAt:yyyy-MM-dd HH:mm:ss}Z");
                }

                foreach (var pending in status.Pending)
                {
                    output.WriteLine($"  pending  {pending.FileName}");
                }

                foreach (var problem in status.Problems)
                {
                    error.WriteLine($"  problem  {problem}");
                }

                output.WriteLine(status.IsCurrent ? "Schema is current." : "Schema is NOT current.");
                return status.Problems.Count > 0 ? 1 : 0;
            }

            var done = await migrator.MigrateAsync(ct);
            foreach (var migration in done)
            {
                output.WriteLine($"  applied  {migration.FileName}");
            }

            output.WriteLine(done.Count == 0
                ? $"Schema already current (version {Migrator.For(database.Provider)[^1].Version})."
                : $"Applied {done.Count} migration(s); schema at version {Migrator.For(database.Provider)[^1].Version}.");
            return 0;
        }));
        return command;
    }

    private static Command HealthCommand(TextWriter output, TextWriter error)
    {
        var url = new Option<string>("--url")
        {
            Description = "The health endpoint to ask.",
            DefaultValueFactory = _ => "http://localhost:5080/health",
        };
        url.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
            {
                result.AddError($"--url must be an absolute http or https address; got '{text}'.");
            }
        });
        var command = new Command("health", "Ask a running server's /health endpoint; exit 0 when healthy (for container health checks).") { url };
        command.SetAction(async (parse, ct) =>
        {
            var target = new Uri(parse.GetValue(url)!);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            try
            {
                using var response = await http.GetAsync(target, ct);
                output.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                return response.IsSuccessStatusCode ? 0 : 1;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                error.WriteLine($"{target}: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    // Subcommands share the server's configuration and service registrations, without the web server.
    internal static async Task<int> WithServicesAsync(TextWriter error, Func<IServiceProvider, Task<int>> job) =>
        await WithServicesAsync(error, job, migrate: false);

    /// <summary>Like the server, brings the schema up to date first (unless migrations on start are switched off).</summary>
    internal static async Task<int> WithMigratedServicesAsync(TextWriter error, Func<IServiceProvider, Task<int>> job) =>
        await WithServicesAsync(error, job, migrate: true);

    private static async Task<int> WithServicesAsync(TextWriter error, Func<IServiceProvider, Task<int>> job, bool migrate)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddSupervisionEnvironment()
            .Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddSupervisionCore(configuration);
        try
        {
            await using var provider = services.BuildServiceProvider();
            if (migrate && configuration.GetValue(SupervisionConfiguration.MigrateOnStartKey, true))
            {
                await provider.GetRequiredService<Migrator>().MigrateAsync(CancellationToken.None);
            }

            return await job(provider);
        }
        catch (Exception e) when (e is DatabaseSettingsException or InvalidOperationException or Supervision.Engine.Reports.ScoringRulesException)
        {
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is MigrationException or System.Data.Common.DbException)
        {
            // A read-only command on a database behind this build fails on a missing table: say what to do.
            error.WriteLine($"error: {e.Message}{(migrate || e is MigrationException ? string.Empty : " (if the schema is not current, run: migrate)")}");
            return 1;
        }
    }
}
