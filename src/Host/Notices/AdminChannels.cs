using System.Globalization;
using System.Text.Json;
using Mediator;
using Supervision.Engine.Workflows;
using Supervision.Host.People;
using Supervision.Host.Pipeline;
using Supervision.Host.Platform;
using Supervision.Host.Storage;

namespace Supervision.Host.Notices;

/// <summary>A channel's last failure: when, and what the robot or server said.</summary>
public sealed record ChannelFailure(DateTimeOffset At, string? Error);

/// <summary>A department's channel as the administration shows it (its secret only as whether it has one).</summary>
public sealed record AdminChannel(long Id, DepartmentRef Department, string Channel, string Address, bool HasSecret, DateTimeOffset CreatedAt, DateTimeOffset? LastDelivery, ChannelFailure? LastFailure);

/// <summary>A test message's outcome: whether it arrived, and what the robot or server answered.</summary>
public sealed record ChannelTested(long Id, bool Delivered, string Answer, DateTimeOffset At);

/// <summary>Adds a channel (webhook, wecom, dingtalk) a department's notices also go to; the same one twice is 409.</summary>
public sealed record AddDepartmentChannel(string Department, string Channel, string Address, string? Secret) : ICommand<long>;

public sealed class AddDepartmentChannelHandler(DepartmentStore departments, NoticeStore notices) : ICommandHandler<AddDepartmentChannel, long>
{
    public async ValueTask<long> Handle(AddDepartmentChannel command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var department = AdminDepartments.Find(await departments.ListAsync(Transactions.Work, cancellationToken), command.Department)
            ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"department: no department named '{command.Department}'");
        return await notices.InsertChannelInAsync(Transactions.Work, department.Id, command.Channel, command.Address, command.Secret, cancellationToken);
    }
}

/// <summary>Changes a channel, each member only when given (<see cref="SecretGiven"/> with null: no secret any more).</summary>
public sealed record ChangeChannel(long Id, string? Department, string? Channel, string? Address, string? Secret, bool SecretGiven) : ICommand<Unit>;

public sealed class ChangeChannelHandler(DepartmentStore departments) : ICommandHandler<ChangeChannel, Unit>
{
    public async ValueTask<Unit> Handle(ChangeChannel command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var work = Transactions.Work;
        var current = await NoticeStore.ChannelInAsync(work, command.Id, cancellationToken) ?? throw new KeyNotFoundException($"No channel {command.Id}.");
        var departmentId = command.Department is null ? current.DepartmentId
            : (AdminDepartments.Find(await departments.ListAsync(work, cancellationToken), command.Department)
                ?? throw new WorkflowRefusedException(RefusalKind.Invalid, $"department: no department named '{command.Department}'")).Id;
        await NoticeStore.UpdateChannelInAsync(work, command.Id, departmentId, command.Channel ?? current.Channel, command.Address ?? current.Address,
            command.SecretGiven ? command.Secret : current.Secret, cancellationToken);
        return Unit.Value;
    }
}

/// <summary>Removes a channel; notices already written to it keep their address and are still delivered.</summary>
public sealed record RemoveChannel(long Id) : ICommand<Unit>;

public sealed class RemoveChannelHandler : ICommandHandler<RemoveChannel, Unit>
{
    public async ValueTask<Unit> Handle(RemoveChannel command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await NoticeStore.DeleteChannelInAsync(Transactions.Work, command.Id, cancellationToken) ? Unit.Value : throw new KeyNotFoundException($"No channel {command.Id}.");
    }
}

/// <summary>
/// Sends a test message over a channel now and records the outcome as the channel's last delivery or failure. The
/// send holds no transaction open: the channel is read, the message sent, the outcome written after.
/// </summary>
public sealed record TestChannel(long Id) : ICommand<ChannelTested>, IOwnTransactions;

public sealed class TestChannelHandler(Database database, NoticeDispatcher dispatcher, TimeProvider clock) : ICommandHandler<TestChannel, ChannelTested>
{
    public async ValueTask<ChannelTested> Handle(TestChannel command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var channel = await database.InTransactionAsync(uow => NoticeStore.ChannelInAsync(uow, command.Id, cancellationToken), cancellationToken)
            ?? throw new KeyNotFoundException($"No channel {command.Id}.");
        var (delivered, answer) = await dispatcher.TestAsync(channel.Channel, channel.Address, channel.Secret, channel.Department, cancellationToken);
        var at = clock.GetUtcNow();
        await database.InTransactionAsync(uow => DispatchQueries.RecordChannelInAsync(uow, channel.Channel, channel.Address, at, delivered ? null : "test: " + answer, cancellationToken), cancellationToken);
        return new ChannelTested(command.Id, delivered, answer, at);
    }
}

/// <summary>
/// <c>/api/admin/channels</c> (administrators): where departments' notices also go (a webhook, a WeCom or DingTalk group
/// robot), each with its last delivery and last failure. POST adds one (<c>department</c> by name, alias or id,
/// <c>channel</c>, <c>address</c>, <c>secret</c>), PATCH changes the members given, DELETE removes it, and
/// <c>POST /{id}/test</c> sends a test message now, answering what the robot or server said.
/// </summary>
public static class AdminChannels
{
    private static readonly string[] Members = ["department", "channel", "address", "secret"];

    public static IEndpointRouteBuilder MapAdminChannels(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/admin/channels").WithTags("Administration").RequireAuthorization("admin");
        api.MapGet("/", async (NoticeStore notices, CancellationToken ct) => TypedResults.Ok((await notices.ChannelsAsync(ct)).Select(View).ToList()));
        api.MapPost("/", (JsonElement body, HttpContext context, ISender sender, NoticeStore notices, CancellationToken ct) => Answer.Command(async () =>
        {
            var fields = JsonMembers.Read(body, Members, "a channel");
            string Required(string member) => JsonMembers.Text(fields, member) is { Length: > 0 } value ? value : throw new WorkflowRefusedException(RefusalKind.Invalid, $"{member}: required");
            var id = await sender.Send(new AddDepartmentChannel(Required("department"), Required("channel"), Required("address"), JsonMembers.Text(fields, "secret")), ct);
            var added = (await notices.ChannelsAsync(ct)).First(c => c.Id == id);
            AccessLog.Describe(context, string.Create(CultureInfo.InvariantCulture, $"channel {id}: {added.Channel} {added.Address} for {added.Department}{(added.Secret is null ? string.Empty : ", signed")}"));
            return TypedResults.Created(string.Create(CultureInfo.InvariantCulture, $"/api/admin/channels/{id}"), View(added));
        }));
        api.MapPatch("/{id:long}", (long id, JsonElement body, HttpContext context, ISender sender, NoticeStore notices, CancellationToken ct) => Answer.Command(async () =>
        {
            var fields = JsonMembers.Read(body, Members, "a channel");
            await sender.Send(new ChangeChannel(id, JsonMembers.Text(fields, "department"), JsonMembers.Text(fields, "channel"), JsonMembers.Text(fields, "address"),
                JsonMembers.Text(fields, "secret"), fields.ContainsKey("secret")), ct);
            var changed = (await notices.ChannelsAsync(ct)).First(c => c.Id == id);
            AccessLog.Describe(context, string.Create(CultureInfo.InvariantCulture, $"channel {id}: {string.Join(", ", fields.Keys.Select(k => k == "secret" ? (changed.Secret is null ? "secret removed" : "secret replaced") : $"{k} set"))}; now {changed.Channel} {changed.Address} for {changed.Department}"));
            return TypedResults.Ok(View(changed));
        }));
        api.MapDelete("/{id:long}", (long id, HttpContext context, ISender sender, CancellationToken ct) => Answer.Command(async () =>
        {
            await sender.Send(new RemoveChannel(id), ct);
            AccessLog.Describe(context, string.Create(CultureInfo.InvariantCulture, $"channel {id} removed"));
            return TypedResults.NoContent();
        }));
        api.MapPost("/{id:long}/test", (long id, HttpContext context, ISender sender, CancellationToken ct) => Answer.Command(async () =>
        {
            var tested = await sender.Send(new TestChannel(id), ct);
            AccessLog.Describe(context, string.Create(CultureInfo.InvariantCulture, $"channel {id} tested: {(tested.Delivered ? "delivered" : "failed")}: {tested.Answer}"));
            return TypedResults.Ok(tested);
        }));
        return endpoints;
    }

    private static AdminChannel View(ChannelRow c) =>
        new(c.Id, new DepartmentRef(c.DepartmentId, c.Department), c.Channel, c.Address, c.Secret is not null, c.CreatedAt, c.LastDeliveredAt,
            c.LastFailedAt is { } at ? new ChannelFailure(at, c.LastError) : null);
}
