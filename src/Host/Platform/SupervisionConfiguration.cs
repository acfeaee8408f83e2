using Supervision.Host.Storage;

namespace Supervision.Host.Platform;

/// <summary>
/// The configuration keys the product reads, and the short environment variables that map to them. Precedence,
/// lowest first: appsettings.json, appsettings.{Environment}.json, <c>Supervision__*</c> environment variables,
/// the short variables below, command-line arguments.
/// </summary>
public static class SupervisionConfiguration
{
    /// <summary>Office time zone (IANA id); default Asia/Shanghai. Environment: <c>SUPERVISION_TIMEZONE</c>.</summary>
    public const string TimeZoneKey = "Supervision:TimeZone";

    /// <summary>Apply pending migrations when the server starts (default true). Environment: <c>SUPERVISION_MIGRATE_ON_START</c>.</summary>
    public const string MigrateOnStartKey = "Supervision:MigrateOnStart";

    /// <summary>The statutory calendar file (default: seeds/calendar/cn-statutory.json beside the program).</summary>
    public const string CalendarFileKey = "Supervision:CalendarFile";

    /// <summary>The workflow definitions folder (default: workflows/ beside the program).</summary>
    public const string WorkflowsDirectoryKey = "Supervision:WorkflowsDirectory";

    /// <summary>The longest the light transition loop sleeps between sweeps (TimeSpan, default 00:00:30).</summary>
    public const string TransitionSweepKey = "Supervision:Transitions:SafetySweep";

    /// <summary>How often the board's pending count changes are folded into its counts (TimeSpan, default 00:00:02).</summary>
    public const string BoardCompactEveryKey = "Supervision:Board:CompactEvery";

    /// <summary>The longest the board's unfiltered forecast is kept when nothing is known to have changed (TimeSpan, default 00:00:30).</summary>
    public const string BoardForecastMaxAgeKey = "Supervision:Board:ForecastMaxAge";

    /// <summary>The address the server listens on when nothing else says: http://localhost:5080.</summary>
    public const string DefaultUrls = "http://localhost:5080";

    private static readonly (string Variable, string Key)[] ShortVariables =
    [
        (DatabaseSettings.EnvironmentVariable, DatabaseSettings.ConfigurationKey),
        ("SUPERVISION_TIMEZONE", TimeZoneKey),
        ("SUPERVISION_MIGRATE_ON_START", MigrateOnStartKey),
    ];

    /// <summary>Adds the short <c>SUPERVISION_*</c> variables as configuration keys.</summary>
    public static IConfigurationBuilder AddSupervisionEnvironment(this IConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var values = new Dictionary<string, string?>();
        foreach (var (variable, key) in ShortVariables)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrEmpty(value))
            {
                values[key] = value;
            }
        }

        return builder.AddInMemoryCollection(values);
    }

    /// <summary>True when some setting already names the addresses to listen on.</summary>
    public static bool HasListenAddresses(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrEmpty(configuration["urls"])
            || !string.IsNullOrEmpty(configuration["http_ports"])
            || !string.IsNullOrEmpty(configuration["https_ports"])
            || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
    }
}
