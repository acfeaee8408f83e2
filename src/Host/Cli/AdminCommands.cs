using System.CommandLine;
using Supervision.Engine.Workflows;
using Supervision.Host.People;
using Supervision.Host.Storage;

namespace Supervision.Host.Cli;

/// <summary><c>departments add|channel|load</c>, <c>users add</c>, <c>tokens create|revoke|list</c>: setting up who may do what.</summary>
internal static class AdminCommands
{
    public static Command Departments(TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("name") { Description = "The department's official name." };
        var parent = new Option<string?>("--parent") { Description = "The department above it (name or alias)." };
        var aliases = new Option<string[]>("--alias") { Description = "Another name it goes by (repeatable).", AllowMultipleArgumentsPerToken = false };
        var add = new Command("add", "Add a department.") { name, parent, aliases };
        add.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            try
            {
                var added = await Send(services, new AddDepartment(parse.GetValue(name)!, parse.GetValue(parent), parse.GetValue(aliases) ?? []), ct);
                output.WriteLine($"{added.Id}\t{added.Name}");
                return 0;
            }
            catch (WorkflowRefusedException e)
            {
                return Refused(e, error);
            }
            catch (DuplicateNameException e)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        }));
        var channelDepartment = new Option<string>("--department") { Description = "The department (name or alias).", Required = true };
        var channel = new Option<string>("--channel") { Description = "webhook, wecom or dingtalk.", Required = true };
        var address = new Option<string>("--address") { Description = "The endpoint (http or https).", Required = true };
        var secret = new Option<string?>("--secret") { Description = "Signing secret (webhook HMAC, DingTalk signed URL)." };
        var channels = new Command("channel", "Also send the department's notices to a webhook, WeCom or DingTalk robot.") { channelDepartment, channel, address, secret };
        channels.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            try
            {
                var dept = await Send(services, new Supervision.Host.Notices.AddChannel(parse.GetValue(channelDepartment)!, parse.GetValue(channel)!, parse.GetValue(address)!, parse.GetValue(secret)), ct);
                output.WriteLine($"{dept.Name}: {parse.GetValue(channel)} {parse.GetValue(address)}");
                return 0;
            }
            catch (WorkflowRefusedException e)
            {
                return Refused(e, error);
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"error: {e.Message.Split(" (Parameter")[0]}");
                return 2;
            }
        }));
        var file = new Argument<string>("file") { Description = "A directory file (seeds/departments format: departments with aliases and parents, and groups)." };
        var load = new Command("load", "Create the departments of a directory file that are not yet present, and set its groups (all or nothing).") { file };
        load.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            var path = parse.GetValue(file)!;
            Supervision.Engine.Import.DirectoryContents contents;
            try
            {
                contents = Supervision.Engine.Import.UnitDirectoryFile.Parse(await File.ReadAllTextAsync(path, ct), path);
            }
            catch (Exception e) when (e is Supervision.Engine.Import.UnitDirectoryFileException or IOException)
            {
                error.WriteLine(e is IOException ? $"{path}: {e.Message}" : e.Message);
                return 2;
            }

            try
            {
                var (created, present) = await Send(services, new LoadDirectory(contents), ct);
                foreach (var name in created)
                {
                    output.WriteLine($"created  {name}");
                }

                output.WriteLine($"{path}: {created.Count} departments created, {present.Count} already present, {contents.Groups.Count} groups set.");
                return 0;
            }
            catch (DuplicateNameException e)
            {
                error.WriteLine($"{path}: nothing loaded: {e.Message}");
                return 1;
            }
        }));
        return new Command("departments", "Departments.") { add, channels, load };
    }

    public static Command Users(TextWriter output, TextWriter error)
    {
        var login = new Option<string>("--name") { Description = "The sign-in name.", Required = true };
        var role = new Option<string>("--role") { Description = "handler, lead, supervisor or admin.", Required = true };
        var department = new Option<string>("--department") { Description = "The user's department (name or alias).", Required = true };
        var display = new Option<string?>("--display-name") { Description = "The name shown to others (default: the sign-in name)." };
        var password = new Option<string?>("--password") { Description = "A password for signing in to the board (at least 10 characters, not the login nor a common one); the person chooses their own at the first sign-in." };
        var email = new Option<string?>("--email") { Description = "Where the user's notices are mailed (when Supervision:Smtp:Host is set)." };
        var add = new Command("add", "Add a user.") { login, role, department, display, password, email };
        add.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            try
            {
                var (user, dept) = await Send(services, new AddUser(parse.GetValue(login)!, parse.GetValue(role)!, parse.GetValue(department)!, parse.GetValue(display), parse.GetValue(password), parse.GetValue(email)), ct);
                output.WriteLine($"{user.Id}\t{user.Login}\t{user.Role}\t{dept.Name}");
                return 0;
            }
            catch (WorkflowRefusedException e)
            {
                return Refused(e, error);
            }
            catch (DuplicateNameException e)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        }));
        return new Command("users", "Users.")
        {
            add,
            UserSwitch("disable", "Disable a user who has left: no sign-in, no API token, no notices; their sessions end at once.", AccessChange.Disable, output, error),
            UserSwitch("enable", "Enable a disabled user again (they sign in anew).", AccessChange.Enable, output, error),
            UserSwitch("sign-out", "End every sign-in session of a user (a lost laptop, a copied cookie); API tokens are revoked with 'tokens revoke'.", AccessChange.SignOut, output, error),
        };
    }

    // A users subcommand that changes one user named by login.
    private static Command UserSwitch(string name, string description, AccessChange change, TextWriter output, TextWriter error)
    {
        var login = new Argument<string>("login") { Description = "The user's sign-in name." };
        var command = new Command(name, description) { login };
        command.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            var user = parse.GetValue(login)!;
            try
            {
                await Send(services, new ChangeAccess(user, change), ct);
                output.WriteLine($"{user}: {name} done");
                return 0;
            }
            catch (KeyNotFoundException e)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        }));
        return command;
    }

    public static Command Tokens(TextWriter output, TextWriter error)
    {
        var user = new Option<string>("--user") { Description = "Whose token.", Required = true };
        var name = new Option<string>("--name") { Description = "What the token is for.", DefaultValueFactory = _ => "api" };
        var create = new Command("create", "Create an API token; prints only the token, once.") { user, name };
        create.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            try
            {
                var (_, token) = await Send(services, new CreateToken(parse.GetValue(user)!, parse.GetValue(name)!), ct);
                output.WriteLine(token);
                return 0;
            }
            catch (KeyNotFoundException e)
            {
                error.WriteLine($"error: --user: {e.Message}");
                return 2;
            }
        }));
        var id = new Argument<long>("id") { Description = "The token's id (see tokens list)." };
        var revoke = new Command("revoke", "Revoke an API token.") { id };
        revoke.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            var revoked = await Send(services, new RevokeToken(parse.GetValue(id)), ct);
            (revoked ? output : error).WriteLine(revoked ? $"Token {parse.GetValue(id)} revoked." : $"error: no active token {parse.GetValue(id)}");
            return revoked ? 0 : 1;
        }));
        var listUser = new Option<string>("--user") { Description = "Whose tokens.", Required = true };
        var list = new Command("list", "List a user's tokens (never the tokens themselves).") { listUser };
        list.SetAction((parse, ct) => Cli.WithMigratedServicesAsync(error, async services =>
        {
            foreach (var t in await services.GetRequiredService<Credentials>().ListTokensAsync(parse.GetValue(listUser)!, ct))
            {
                output.WriteLine($"{t.Id}\t{t.Name}\tcreated {t.CreatedAt:yyyy-MM-dd HH:mm}Z\t{(t.RevokedAt is { } r ? $"revoked {r:yyyy-MM-dd HH:mm}Z" : "active")}\t{(t.LastUsedAt is { } u ? $"last used {u:yyyy-MM-dd HH:mm}Z" : "never used")}");
            }

            return 0;
        }));
        return new Command("tokens", "API tokens.") { create, revoke, list };
    }

    private static async Task<T> Send<T>(IServiceProvider services, Mediator.ICommand<T> command, CancellationToken ct) =>
        await services.GetRequiredService<Mediator.ISender>().Send(command, ct);

    // A command's field problem, as this command line names the option: "role: ..." becomes "error: --role: ...".
    private static int Refused(WorkflowRefusedException refused, TextWriter error)
    {
        error.WriteLine($"error: --{refused.Message}");
        return 2;
    }
}
