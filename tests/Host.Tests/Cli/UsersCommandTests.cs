using Dapper;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;
using Supervision.Host.Tests.Workflows;

namespace Supervision.Host.Tests.Cli;

/// <summary><c>users disable|enable|sign-out LOGIN</c>: a person who has left, or whose sessions must end now.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class UsersCommandTests
{
    [Fact]
    public async Task Disabling_enabling_and_signing_out_a_user_change_their_record_and_an_unknown_login_is_named()
    {
        await using var bed = await WorkflowTestBed.CreateAsync(DatabaseProvider.Sqlite, new DateTimeOffset(2025, 9, 26, 10, 0, 0, TimeSpan.FromHours(8)));
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, bed.Database.Settings.ConnectionString);
        async Task<(bool Active, long Stamp)> RecordAsync()
        {
            await using var connection = await bed.Database.OpenAsync(default);
            return await connection.QuerySingleAsync<(bool, long)>("SELECT active, CAST(session_stamp AS bigint) FROM users WHERE login = 'zhang'");
        }

        var before = await RecordAsync();
        var (disabled, disabledOutput, _) = await CliRunner.RunAsync("users", "disable", "zhang");
        var afterDisable = await RecordAsync();
        var (enabled, _, _) = await CliRunner.RunAsync("users", "enable", "zhang");
        var afterEnable = await RecordAsync();
        var (signedOut, _, _) = await CliRunner.RunAsync("users", "sign-out", "ZHANG");
        var afterSignOut = await RecordAsync();
        var (unknown, _, error) = await CliRunner.RunAsync("users", "disable", "nobody");

        Assert.Equal((0, 0, 0), (disabled, enabled, signedOut));
        Assert.Contains("zhang: disable done", disabledOutput, StringComparison.Ordinal);
        Assert.Equal((true, 0L), before);
        Assert.Equal((false, 1L), afterDisable);
        Assert.Equal((true, 2L), afterEnable);
        Assert.Equal((true, 3L), afterSignOut);
        Assert.Equal(1, unknown);
        Assert.Contains("No user 'nobody'.", error, StringComparison.Ordinal);
    }
}
