using Supervision.Host.Calendars;
using Supervision.Host.Platform;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Host.Setup;

/// <summary>
/// Brings the schema up to date before the server takes requests (unless <c>Supervision:MigrateOnStart</c> is
/// false, when an operator runs the <c>migrate</c> subcommand instead). A failure stops start-up.
/// </summary>
internal sealed class MigrateOnStart(Migrator migrator, Database database, CalendarService calendars, DefinitionCatalog definitions, IConfiguration configuration, ILogger<MigrateOnStart> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var where = database.Settings.Describe();
        if (!configuration.GetValue(SupervisionConfiguration.MigrateOnStartKey, true))
        {
            logger.LogInformation("Database {Database}: migrations on start are switched off", where);
            if (!(await migrator.GetStatusAsync(cancellationToken)).IsCurrent)
            {
                // The server still starts, reports 503 on /health and works from the shipped calendar until migrated.
                logger.LogWarning("Database {Database} is not migrated; run the 'migrate' subcommand", where);
                return;
            }

            await LoadAsync(cancellationToken);
            return;
        }

        var applied = await migrator.MigrateAsync(cancellationToken);
        foreach (var name in applied.Select(m => m.FileName))
        {
            logger.LogInformation("Applied migration {Migration}", name);
        }

        var version = Migrator.For(database.Provider)[^1].Version;
        logger.LogInformation("Database {Database} is at schema version {Version}", where, version);

        await LoadAsync(cancellationToken);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        // The calendar in force, with the years entered at run time; finishes any recomputation a crash interrupted.
        var calendar = await calendars.LoadAsync(cancellationToken);
        logger.LogInformation("Calendar {Calendar} version {Version}, years {Years}", calendar.Name, calendar.Version, string.Join(",", calendar.LoadedYears));

        // The workflow definitions; a broken file stops start-up with the full report.
        var loaded = await definitions.LoadAsync(cancellationToken);
        logger.LogInformation("Workflow definitions from {Folder}: {Definitions}", definitions.Directory, string.Join(", ", loaded.Select(d => d.Key)));
        foreach (var warning in loaded.SelectMany(d => d.Warnings))
        {
            // Loaded as written, but an office should mean it (a disclosure request pausing for a reason the law does not give).
            logger.LogWarning("Workflow definition warning: {Warning}", warning);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
