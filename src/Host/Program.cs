using Supervision.Host.Board;
using Supervision.Host.Calendars;
using Supervision.Host.Cli;
using Supervision.Host.Escalation;
using Supervision.Host.Health;
using Supervision.Host.Import;
using Supervision.Host.Items;
using Supervision.Host.Jobs;
using Supervision.Host.Notices;
using Supervision.Host.People;
using Supervision.Host.Platform;
using Supervision.Host.Reports;
using Supervision.Host.Scheduling;
using Supervision.Host.Setup;
using Supervision.Host.Storage;
using Supervision.Host.Workflows;

// Subcommands (migrate, health, ...) do their job and exit; anything else starts the web server.
if (Cli.Handles(args))
{
    return await Cli.RunAsync(args, Console.Out, Console.Error);
}

// --demo (once) creates a small city to look at; it is ours, not a configuration key.
var demo = args.Contains("--demo");
args = args.Where(a => a != "--demo").ToArray();

// The content root is where the program's files are (appsettings.json, later the board's assets), not the working
// directory: the working directory holds data (./data/supervision.db by default).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// Configuration: the short SUPERVISION_* variables, with the command line still on top.
builder.Configuration.AddSupervisionEnvironment().AddCommandLine(args);
if (!SupervisionConfiguration.HasListenAddresses(builder.Configuration))
{
    builder.WebHost.UseUrls(SupervisionConfiguration.DefaultUrls);
}

// Services: storage, schema migrations before the server listens, the light transition loop, Hangfire for the
// recurring jobs and the long administrative work, health, RFC 7807 errors.
builder.Services.AddSupervisionCore(builder.Configuration);
builder.Services.AddHostedService<MigrateOnStart>();
builder.Services.AddSingleton<Supervision.Host.People.SetupCode>();
builder.Services.AddHostedService<Supervision.Host.People.SetupCodeNotice>();
builder.Services.AddHostedService<TransitionLoop>();
builder.Services.AddHostedService<BoardCountsCompaction>();
builder.Services.AddHostedService<WakeListener>();
builder.Services.AddHostedService<Supervision.Host.Notices.DispatchLoop>();
builder.AddSupervisionJobs();
builder.AddSupervisionScheduler();
if (demo)
{
    builder.Services.AddHostedService<Supervision.Host.Demo.DemoData>();
}
builder.Services.AddSupervisionHealth();
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
{
    // Status-only answers from the framework (unknown route, too large a body) still say what to do.
    context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
    {
        StatusCodes.Status413PayloadTooLarge => $"A request body may have at most {Limits.MaxBodyBytes / 1024} KiB.",
        StatusCodes.Status404NotFound => "No such resource; see /openapi/v1.json for the API.",
        StatusCodes.Status405MethodNotAllowed => "This resource does not take that method; see /openapi/v1.json.",
        _ => null,
    };
});
builder.Services.AddExceptionHandler<DomainExceptionHandler>();
builder.Services.AddSupervisionAuthentication();
builder.Services.AddSupervisionLimits(builder.Configuration);
builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
{
    document.Info.Title = "Supervision API";
    document.Info.Description = "Disclosure requests and supervision tasks with red/yellow/green deadlines. Authenticate with Authorization: Bearer <token> (see `tokens create`) or a sign-in cookie (POST /api/session). Errors are RFC 7807 problem details.";
    return Task.CompletedTask;
}).AddDocumentTransformer<OpenApiContract>());
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
builder.Services.AddSupervisionTextInput();
builder.Services.AddSupervisionSecurityHeaders();

var app = builder.Build();

// Pipeline: every attempt to act recorded (outermost, so refusals are recorded too), errors as problem details,
// query values that are not text refused, who is calling, then the endpoints.
// Behind a reverse proxy the client's address is the proxy's own unless it is named as trusted.
app.UseTrustedProxies();
app.UseMiddleware<AccessLog>();
app.UseSupervisionSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSupervisionTextInput();
app.UseBoardPages();
app.UseAuthentication();
app.UseSessionLimits();
app.UseRateLimiter();
// The jobs dashboard checks the signed-in person itself (sending someone not signed in to the board's sign-in).
app.UseJobsDashboard();
app.UseAuthorization();
app.MapHealth();
app.MapOpenApi().AllowAnonymous();
app.MapSession();
app.MapSignInLocks();
app.MapAdminDepartments();
app.MapAdminUsers();
app.MapMyWork();
app.MapDisplayLinks();
app.MapFirstRun();
app.MapAccessLog();
app.MapAdminChannels();
app.MapAdminCalendars();
app.MapAdminHealth();
app.MapItems();
app.MapDepartments();
app.MapDefinitions();
app.MapCalendars();
app.MapBoard();
app.MapNotices();
app.MapEvents();
app.MapImports();
app.MapReports();
app.MapCirculationPages();
app.MapJobs();
app.MapHistoryVerification();

try
{
    // The assessment rules are read before serving, so a broken rules file stops the start with its problems named.
    _ = app.Services.GetRequiredService<Supervision.Host.Reports.ScoringRulesProvider>();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is DatabaseSettingsException or MigrationException or DefinitionLoadException or InvalidOperationException or Supervision.Engine.Reports.ScoringRulesException
    or Supervision.Engine.Calendars.CalendarFileException)
{
    // A configuration or schema problem: say it plainly instead of a stack trace.
    await Console.Error.WriteLineAsync($"Supervision could not start: {e.Message}");
    return 2;
}

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
