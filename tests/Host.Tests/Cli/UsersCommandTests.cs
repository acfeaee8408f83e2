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

    [Fact]
    public async Task Adding_a_user_with_a_bad_field_names_the_option_and_writes_nothing()
    {
        await using var bed = await WorkflowTestBed.CreateAsync(DatabaseProvider.Sqlite, new DateTimeOffset(2025, 9, 26, 10, 0, 0, TimeSpan.FromHours(8)));
        using var _ = new EnvironmentVariable(DatabaseSettings.EnvironmentVariable, bed.Database.Settings.ConnectionString);
        async Task<long> CountAsync(string login)
        {
            await using var connection = await bed.Database.OpenAsync(default);
            return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users WHERE login = @login", new { login });
        }

        // An address that is not one used to be refused only after the user had been stored (without it).
        var (badEmail, _, emailError) = await CliRunner.RunAsync("users", "add", "--name", "qian", "--role", "handler", "--department", "市司法局", "--email", "not-an-address");
        var (badRole, _, roleError) = await CliRunner.RunAsync("users", "add", "--name", "qian", "--role", "boss", "--department", "市司法局");
        var (shortPassword, _, passwordError) = await CliRunner.RunAsync("users", "add", "--name", "qian", "--role", "handler", "--department", "市司法局", "--password", "short");
        var (noDepartment, _, departmentError) = await CliRunner.RunAsync("users", "add", "--name", "qian", "--role", "handler", "--department", "市不存在局");
        Assert.Equal(0, await CountAsync("qian"));
        var (added, output, _) = await CliRunner.RunAsync("users", "add", "--name", "qian", "--role", "handler", "--department", "市司法局", "--email", "qian@example.org", "--password", "a long password 2025");

        Assert.Equal((2, 2, 2, 2), (badEmail, badRole, shortPassword, noDepartment));
        Assert.Contains("error: --email: 'not-an-address' is not an e-mail address.", emailError, StringComparison.Ordinal);
        Assert.Contains("error: --role: 'boss' is not a role; expected handler, lead, supervisor or admin", roleError, StringComparison.Ordinal);
        Assert.Contains("error: --password: at least 10 characters", passwordError, StringComparison.Ordinal);
        Assert.Contains("error: --department: no department named '市不存在局'", departmentError, StringComparison.Ordinal);
        Assert.Equal(0, added);
        Assert.Contains("\tqian\thandler\t市司法局", output, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync("qian"));
    }
}
