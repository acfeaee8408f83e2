using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;
using Supervision.Host.Calendars;
using Supervision.Host.Items;
using Supervision.Host.People;
using Supervision.Host.Platform;
using Supervision.Host.Setup;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;
using Supervision.Host.Workflows;

namespace Supervision.Host.Tests.Workflows;

/// <summary>
/// A city in a database of its own: the government office supervising three bureaus, their people, the shipped
/// definitions and calendar, and the workflow service wired as the server wires it.
/// </summary>
public sealed class WorkflowTestBed : IAsyncDisposable
{
    private TestDatabase _testDatabase = null!;

    private WorkflowTestBed(ManualClock clock) => Clock = clock;

    public ManualClock Clock { get; }

    public Database Database { get; private set; } = null!;

    public ItemStore Items { get; private set; } = null!;

    public AssignmentStore Assignments { get; private set; } = null!;

    /// <summary>The item workflows as the server wires them (the handlers and the InstanceStore behind the mediator's pipeline).</summary>
    public WorkflowDriver Workflows { get; private set; } = null!;

    /// <summary>The services the pipeline's handlers need, wired as the server wires them, over this database.</summary>
    public IServiceProvider Services { get; private set; } = null!;

    public CalendarService Calendars { get; private set; } = null!;

    /// <summary>A light transition processor, as each server instance has one.</summary>
    public Supervision.Host.Escalation.LightTransitions NewTransitions(Microsoft.Extensions.Configuration.IConfiguration? configuration = null)
    {
        var zone = OfficeTimeZone.Resolve(null);
        var clocks = new ClockStore(Database);
        var snapshots = new ItemSnapshots(Items, clocks, Assignments, zone);
        return new Supervision.Host.Escalation.LightTransitions(Database, Items, snapshots, Catalog, Calendars,
            new Supervision.Host.Notices.NoticeStore(Database, Clock, configuration), Templates(configuration), new DepartmentStore(Database, Clock), Clock,
            NullLogger<Supervision.Host.Escalation.LightTransitions>.Instance);
    }

    public DefinitionCatalog Catalog { get; private set; } = null!;

    /// <summary>Notice texts as the server words them (Chinese, paths as links unless the configuration names a public address).</summary>
    public static Supervision.Host.Notices.NoticeTemplates Templates(Microsoft.Extensions.Configuration.IConfiguration? configuration) =>
        new(configuration ?? new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), OfficeTimeZone.Resolve(null));

    /// <summary>A notice dispatcher, as each server instance has one.</summary>
    public Supervision.Host.Notices.NoticeDispatcher NewDispatcher(Microsoft.Extensions.Configuration.IConfiguration? configuration = null) =>
        new(Database, new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>(),
            Clock, NullLogger<Supervision.Host.Notices.NoticeDispatcher>.Instance, configuration);

    /// <summary>A monthly circulation, as each server instance has one.</summary>
    public Supervision.Host.Reports.MonthlyCirculation NewMonthlyCirculation()
    {
        var zone = OfficeTimeZone.Resolve(null);
        var departments = new DepartmentStore(Database, Clock);
        var reports = new Supervision.Host.Reports.ReportService(
            new Supervision.Host.Reports.ReportData(Database, new Supervision.Host.Reports.ReportQueries(Database), new Supervision.Host.Items.ClockStore(Database), Calendars, zone, Clock), departments, Catalog,
            new Supervision.Host.Reports.ScoringRulesProvider(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()));
        var circulations = new Supervision.Host.Reports.Circulations(Database, new Supervision.Host.Reports.CirculationStore(Database), reports, departments, new Supervision.Host.Notices.NoticeStore(Database, Clock), Templates(null), Clock);
        return new(new Supervision.Host.Reports.CirculationStore(Database), circulations, Calendars, zone, Clock, NullLogger<Supervision.Host.Reports.MonthlyCirculation>.Instance);
    }

    /// <summary>A nightly overdue run, as each server instance has one.</summary>
    public Supervision.Host.Escalation.OverdueRun NewOverdueRun(int chunkSize = 1_000) =>
        new(Database, new Supervision.Host.Notices.NoticeStore(Database, Clock), Templates(null), new DepartmentStore(Database, Clock), OfficeTimeZone.Resolve(null), Clock,
            NullLogger<Supervision.Host.Escalation.OverdueRun>.Instance, definitions: Catalog)
        { ChunkSize = chunkSize };

    /// <summary>The daily light counts for the trends chart, as each server instance records them.</summary>
    public Supervision.Host.Escalation.LightDailySnapshots NewLightDailySnapshots(bool withClocks = false) =>
        new(Database, OfficeTimeZone.Resolve(null), Clock, NullLogger<Supervision.Host.Escalation.LightDailySnapshots>.Instance,
            withClocks ? new ClockStore(Database) : null, withClocks ? Calendars : null);

    public Dictionary<string, long> Departments { get; } = [];

    /// <summary>Every row of <c>light_daily</c> as "day department kind: green yellow red seriously-overdue paused", in key order.</summary>
    public async Task<List<string>> LightDailyRowsAsync()
    {
        var names = Departments.ToDictionary(d => d.Value, d => d.Key);
        await using var connection = await Database.OpenAsync(default);
        var rows = await Dapper.SqlMapper.QueryAsync<LightDailyRow>(connection,
            """
            SELECT day AS Day, department_id AS DepartmentId, kind AS Kind, green AS Green, yellow AS Yellow, red AS Red, seriously_overdue AS SeriouslyOverdue, paused AS Paused
            FROM light_daily ORDER BY day, department_id, kind
            """);
        return rows.Select(r => $"{r.Day:yyyy-MM-dd} {names[r.DepartmentId]} {r.Kind}: {r.Green} {r.Yellow} {r.Red} {r.SeriouslyOverdue} {r.Paused}").ToList();
    }

    public static async Task<WorkflowTestBed> CreateAsync(DatabaseProvider provider, DateTimeOffset now, string? workflowsDirectory = null)
    {
        var bed = new WorkflowTestBed(new ManualClock(now));
        bed._testDatabase = await TestDatabase.CreateAsync(provider);
        bed.Database = new Database(bed._testDatabase.Settings);
        await new Migrator(bed.Database, bed.Clock).MigrateAsync(default);
        var departments = new DepartmentStore(bed.Database, bed.Clock);
        var office = await departments.AddAsync(new Department { Name = "市政府办公室", Aliases = ["市府办"] }, default);
        bed.Departments["市政府办公室"] = office.Id;
        foreach (var name in new[] { "市司法局", "市教育局", "市自然资源局" })
        {
            bed.Departments[name] = (await departments.AddAsync(new Department { Name = name, ParentId = office.Id }, default)).Id;
        }

        var users = new UserStore(bed.Database, bed.Clock);
        await users.AddAsync(new User { Login = "zhang", DisplayName = "张伟", DepartmentId = bed.Departments["市司法局"], Role = "handler" }, default);
        await users.AddAsync(new User { Login = "li", DisplayName = "李娜", DepartmentId = bed.Departments["市教育局"], Role = "handler" }, default);
        await users.AddAsync(new User { Login = "wang", DisplayName = "王强", DepartmentId = bed.Departments["市司法局"], Role = "lead" }, default);
        await users.AddAsync(new User { Login = "zhao", DisplayName = "赵敏", DepartmentId = office.Id, Role = "supervisor" }, default);
        await users.AddAsync(new User { Login = "sun", DisplayName = "孙丽", DepartmentId = bed.Departments["市自然资源局"], Role = "handler" }, default);

        var zone = OfficeTimeZone.Resolve(null);
        bed.Items = new ItemStore(bed.Database, bed.Clock);
        var clocks = new ClockStore(bed.Database);
        bed.Assignments = new AssignmentStore(bed.Database, bed.Clock);
        var recomputer = new DeadlineRecomputer(bed.Database, bed.Items, clocks, zone, bed.Clock, NullLogger<DeadlineRecomputer>.Instance);
        var calendars = new CalendarService(bed.Database, new CalendarStore(bed.Database), bed.Clock, new ShippedCalendar(null), recomputer, NullLogger<CalendarService>.Instance);
        await calendars.LoadAsync(default);
        bed.Calendars = calendars;
        var catalog = new DefinitionCatalog(bed.Database, bed.Clock, workflowsDirectory ?? Path.Combine(AppContext.BaseDirectory, "workflows"));
        await catalog.LoadAsync(default);
        bed.Catalog = catalog;
        var instances = new InstanceStore(bed.Database, departments, catalog, calendars, zone, bed.Clock);
        // The server's registrations, with this bed's clock, database and stores in place of the defaults (the last
        // registration of a service wins), so every handler the mediator knows can be made.
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(configuration);
        services.AddSupervisionCore(configuration);
        services
            .AddSingleton<TimeProvider>(bed.Clock)
            .AddSingleton(zone)
            .AddSingleton(bed._testDatabase.Settings)
            .AddSingleton(bed.Database)
            .AddSingleton(bed.Items)
            .AddSingleton<Supervision.Host.Pipeline.IItemOwnership>(bed.Items)
            .AddSingleton(bed.Assignments)
            .AddSingleton(clocks)
            .AddSingleton(departments)
            .AddSingleton(users)
            .AddSingleton(catalog)
            .AddSingleton(calendars)
            .AddSingleton(instances);
        bed.Services = services.BuildServiceProvider();
        bed.Workflows = new WorkflowDriver(bed.Services.GetRequiredService<Mediator.ISender>(), bed.Services.GetRequiredService<Actors>());
        return bed;
    }

    public Task<Actor> As(string login) => Workflows.ActorAsync(login, default);

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        await _testDatabase.DisposeAsync();
    }

    private sealed record LightDailyRow
    {
        public DateOnly Day { get; init; }
        public long DepartmentId { get; init; }
        public string Kind { get; init; } = "";
        public long Green { get; init; }
        public long Yellow { get; init; }
        public long Red { get; init; }
        public long SeriouslyOverdue { get; init; }
        public long Paused { get; init; }
    }
}
