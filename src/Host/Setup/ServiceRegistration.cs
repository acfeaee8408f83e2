using Mediator;
using Supervision.Host.Board;
using Supervision.Host.Calendars;
using Supervision.Host.Items;
using Supervision.Host.People;
using Supervision.Host.Pipeline;
using Supervision.Host.Platform;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

namespace Supervision.Host.Setup;

/// <summary>The services every entry point (server and subcommands) shares.</summary>
public static class ServiceRegistration
{
    /// <summary>Registers the clock, the office time zone, the database and the stores.</summary>
    public static IServiceCollection AddSupervisionCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // The one place the system clock is referenced; everything else takes TimeProvider.
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => OfficeTimeZone.Resolve(configuration[SupervisionConfiguration.TimeZoneKey]));
        services.AddSingleton(_ => DatabaseSettings.Parse(configuration[DatabaseSettings.ConfigurationKey]));
        services.AddSingleton<Database>();
        services.AddSingleton<Migrator>();
        // Background work reports progress to its job in the server (Jobs/ replaces this); the command line waits.
        services.AddSingleton<IJobProgress, NoJobProgress>();
        services.AddSingleton<Supervision.Host.Platform.AccessLogStore>();
        services.AddSingleton<Supervision.Host.Platform.AccessLogWriter>();
        services.AddSingleton<DepartmentStore>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<TokenStore>();
        services.AddSingleton<DisplayLinkStore>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<ItemStore>();
        services.AddSingleton<BoardCountsStore>();
        services.AddSingleton<BoardCounts>();
        services.AddSingleton<BoardQueries>();
        services.AddSingleton(_ => new ShippedCalendar(configuration[SupervisionConfiguration.CalendarFileKey]));
        services.AddSingleton<ClockStore>();
        services.AddSingleton<DeadlineRecomputer>();
        services.AddSingleton<IDeadlineRecomputation>(sp => sp.GetRequiredService<DeadlineRecomputer>());
        services.AddSingleton<CalendarStore>();
        services.AddSingleton<CalendarService>();
        services.AddSingleton<ItemClocks>();
        services.AddSingleton<HistoryAudit>();
        services.AddSingleton<AssignmentStore>();
        services.AddSingleton<InstanceStore>();
        services.AddSingleton<Supervision.Host.Import.PlanImports>();
        services.AddSingleton<Supervision.Host.Import.ImportStore>();
        services.AddSingleton<Supervision.Host.Reports.ReportQueries>();
        services.AddSingleton<Supervision.Host.Reports.ReportData>();
        services.AddSingleton<Supervision.Host.Reports.ReportService>();
        services.AddSingleton<Supervision.Host.Reports.ScoringRulesProvider>();
        services.AddSingleton<Supervision.Host.Reports.CirculationStore>();
        services.AddSingleton<Supervision.Host.Reports.Circulations>();
        services.AddSingleton<Credentials>();
        services.AddSingleton<ItemSearch>();
        services.AddSingleton<Supervision.Host.Notices.NoticeStore>();
        services.AddSingleton<Supervision.Host.Notices.NoticeTemplates>();
        services.AddHttpClient("notices");
        services.AddSingleton<Supervision.Host.Notices.NoticeDispatcher>();
        services.AddSingleton<ItemSnapshots>();
        services.AddSingleton<Supervision.Host.Escalation.LightTransitions>();
        services.AddSingleton<Supervision.Host.Storage.Wakeups>();
        services.AddSingleton<Supervision.Host.Board.EventStreams>();
        services.AddSingleton<BoardForecasts>();
        services.AddSingleton<BoardResponses>();
        services.AddSingleton<Supervision.Host.Escalation.OverdueRun>();
        services.AddSingleton<Supervision.Host.Reports.MonthlyCirculation>();
        services.AddSingleton<Supervision.Host.Escalation.LightDailySnapshots>();
        services.AddSingleton(sp => new DefinitionCatalog(
            sp.GetRequiredService<Database>(),
            sp.GetRequiredService<TimeProvider>(),
            configuration[SupervisionConfiguration.WorkflowsDirectoryKey] ?? Path.Combine(AppContext.BaseDirectory, "workflows")));
        services.AddSingleton<Actors>();
        services.AddSingleton<IItemOwnership>(sp => sp.GetRequiredService<ItemStore>());
        services.AddSupervisionPipeline();
        return services;
    }

    /// <summary>
    /// The mediator every command and query goes through, with its behaviours in order: scope (who may send this about
    /// which item, before anything else), validation (the message's own fields), unit of work (one transaction,
    /// retried when the database detects a lost race; in-process effects after the commit), logging and metrics.
    /// </summary>
    public static IServiceCollection AddSupervisionPipeline(this IServiceCollection services) =>
        services.AddMediator((MediatorOptions options) =>
        {
            options.ServiceLifetime = ServiceLifetime.Singleton;
            options.PipelineBehaviors =
            [
                typeof(ScopeBehavior<,>),
                typeof(ValidationBehavior<,>),
                typeof(UnitOfWorkBehavior<,>),
                typeof(LoggingBehavior<,>),
            ];
        });
}
