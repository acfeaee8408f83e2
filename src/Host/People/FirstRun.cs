using System.Security.Cryptography;
using System.Text;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;
using Supervision.Host.Pipeline;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.People;

/// <summary>
/// The code that lets the person who started the server make the first administrator from the browser: drawn at
/// random when the server starts and written to its log (the console of <c>dotnet run</c>) while nobody can sign in
/// yet; never stored. Each server has its own; the first one used sets the office up.
/// </summary>
public sealed class SetupCode
{
    public string Code { get; } = Draw();

    /// <summary>Whether <paramref name="given"/> is the code (letter case, spaces and dashes aside; compared in constant time).</summary>
    public bool Matches(string? given)
    {
        var expected = Encoding.ASCII.GetBytes(Normalise(Code));
        var offered = Encoding.ASCII.GetBytes(Normalise(given ?? string.Empty));
        return offered.Length == expected.Length && CryptographicOperations.FixedTimeEquals(offered, expected);
    }

    private static string Normalise(string text) => new(text.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant).ToArray());

    // Twelve characters of an alphabet without look-alikes (no 0/O, 1/I/L), in three groups: about 60 bits.
    private static string Draw()
    {
        const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
        var chars = Enumerable.Range(0, 12).Select(_ => Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)]).ToArray();
        return $"{new string(chars, 0, 4)}-{new string(chars, 4, 4)}-{new string(chars, 8, 4)}";
    }
}

/// <summary>Says the setup code in the log at start while the database has nobody who can sign in.</summary>
internal sealed class SetupCodeNotice(UserStore users, SetupCode code, IConfiguration configuration, ILogger<SetupCodeNotice> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await users.AnyAsync(cancellationToken))
            {
                return;
            }
        }
        catch (System.Data.Common.DbException)
        {
            // Not migrated (migrations switched off): /health says so; the setup waits for the schema.
            return;
        }

        var address = configuration["Supervision:PublicUrl"] ?? configuration["urls"]?.Split(';')[0] ?? SupervisionConfiguration.DefaultUrls.Split(';')[0];
        logger.LogWarning("Nobody can sign in yet. Open {Address} in a browser and set the office up with the setup code {Code} (it changes at every start).", address.Replace("0.0.0.0", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), code.Code);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The first administrator and their office (the top department), created only while nobody can sign in.</summary>
public sealed record SetUpOffice(string Office, string Login, string DisplayName, string Password) : ICommand<User>, IValidated
{
    public IEnumerable<FieldProblem> Validate()
    {
        if (string.IsNullOrWhiteSpace(Office) || Office.Length > 100)
        {
            yield return new FieldProblem("office", "the office's name, 1 to 100 characters (e.g. 某某县人民政府办公室)");
        }

        foreach (var problem in new AddUser(Login, "admin", Office, DisplayName, Password).Validate())
        {
            yield return problem;
        }
    }
}

public sealed class SetUpOfficeHandler(Database database, DepartmentStore departments, UserStore users) : ICommandHandler<SetUpOffice, User>
{
    public async ValueTask<User> Handle(SetUpOffice command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var work = Transactions.Work;
        // Two people setting up at the same moment on two servers: one after the other, the second finds the first.
        if (await UserStore.AnyInAsync(work, cancellationToken, lockFirst: database.Provider == DatabaseProvider.PostgreSql))
        {
            throw new WorkflowRefusedException(RefusalKind.Conflict, "the office is already set up; sign in, or ask its administrator for an account");
        }

        var office = command.Office.Trim();
        var department = (await departments.ListAsync(work, cancellationToken)).FirstOrDefault(d => d.Name == office)
            ?? await departments.AddInAsync(work, new Department { Name = office }, cancellationToken);
        var user = await users.AddInAsync(work, new User { Login = command.Login, DisplayName = command.DisplayName.Trim(), DepartmentId = department.Id, Role = "admin" }, cancellationToken);
        await Credentials.SetPasswordInAsync(work, user.Login, command.Password, cancellationToken);
        return (await UserStore.FindByLoginInAsync(work, user.Login, cancellationToken))!;
    }
}

/// <summary>POST /api/setup: the setup code, the office, and the first administrator.</summary>
public sealed record SetupRequest(string? Code, string? Office, string? Login, string? DisplayName, string? Password);

/// <summary>
/// <c>GET /api/setup</c> (anyone): whether the office still needs setting up. <c>POST /api/setup</c> (anyone with
/// the setup code from the server's log): creates the office and its first administrator, and signs them in. Wrong
/// codes count as failed sign-ins of the client's address (the same waits and lock).
/// </summary>
public static class FirstRunApi
{
    public static IEndpointRouteBuilder MapFirstRun(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/setup").WithTags("Session").AllowAnonymous();
        api.MapGet("/", async (UserStore users, CancellationToken ct) => TypedResults.Ok(new { needed = !await users.AnyAsync(ct) }));
        api.MapPost("/", SetUpAsync);
        return endpoints;
    }

    private static async Task<Results<Created<SessionUser>, InvalidProblem, ForbiddenProblem, ConflictProblem, TooManyProblem>> SetUpAsync(
        SetupRequest body, HttpContext context, SetupCode code, SignInThrottle throttle, ISender sender, DepartmentStore departments, TimeProvider clock, CancellationToken ct)
    {
        string[] keys = [SignInThrottle.AddressKey(context.Connection.RemoteIpAddress)];
        if (await throttle.WaitAsync(keys, ct) is { } wait)
        {
            return new TooManyProblem("Too many failed attempts", $"Too many wrong setup codes from this address; try again in {Math.Ceiling(wait.TotalSeconds)} seconds.", wait);
        }

        if (!code.Matches(body.Code))
        {
            await throttle.FailedAsync(keys, ct);
            return new ForbiddenProblem("Forbidden", "code: not this server's setup code (it is in the server's log, and changes at every start)");
        }

        var answer = await Answer.Command(async () =>
        {
            var user = await sender.Send(new SetUpOffice(body.Office ?? string.Empty, body.Login ?? string.Empty, body.DisplayName ?? body.Login ?? string.Empty, body.Password ?? string.Empty), ct);
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, Authentication.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme, clock.GetUtcNow()));
            AccessLog.Describe(context, $"office {body.Office} set up with its first administrator {user.Login}");
            var department = await departments.GetAsync(user.DepartmentId, ct);
            return TypedResults.Created("/api/session", new SessionUser(user.Login, user.DisplayName, user.Role, new DepartmentRef(user.DepartmentId, department?.Name ?? string.Empty)));
        });
        return answer.Result switch
        {
            Created<SessionUser> created => created,
            InvalidProblem invalid => invalid,
            ConflictProblem conflict => conflict,
            ForbiddenProblem forbidden => forbidden,
            var other => throw new InvalidOperationException($"Unexpected answer {other.GetType().Name}"),
        };
    }
}
