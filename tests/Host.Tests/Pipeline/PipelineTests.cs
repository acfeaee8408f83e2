using Dapper;
using Mediator;
using Supervision.Engine.Organisation;
using Supervision.Engine.Workflows;
using Supervision.Host.Items;
using Supervision.Host.People;
using Supervision.Host.Pipeline;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Workflows;

namespace Supervision.Host.Tests.Pipeline;

/// <summary>
/// The command pipeline's behaviours on a real database: scope before anything else, field checks, one transaction
/// per command (joined by commands sent inside it, nothing written when it fails, run again when the database reports
/// a lost race), in-process effects only after the commit.
/// </summary>
public abstract class PipelineTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.FromHours(8));
    private WorkflowTestBed _bed = null!;

    protected WorkflowTestBed Bed => _bed;

    public async Task InitializeAsync() => _bed = await WorkflowTestBed.CreateAsync(provider, Now);

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    /// <summary>A command of the tests' own: what its handler does is the delegate the test passes as next.</summary>
    internal sealed record Probe(string Name) : Mediator.ICommand<int>;

    /// <summary>A query of the tests' own (queries run without a transaction).</summary>
    internal sealed record Peek(string Name) : IQuery<int>;

    /// <summary>The notifications published, with whether the department the command wrote was visible to another
    /// connection when each was published.</summary>
    internal sealed class RecordingPublisher(Func<Task<bool>> committed) : IPublisher
    {
        public List<(object Notification, bool Committed)> Published { get; } = [];

        public async ValueTask Publish<TNotification>(TNotification notification, CancellationToken cancellationToken = default)
            where TNotification : INotification => Published.Add((notification!, await committed()));

        public async ValueTask Publish(object notification, CancellationToken cancellationToken = default) => Published.Add((notification, await committed()));
    }

    protected async Task<bool> DepartmentExistsAsync(string name)
    {
        await using var connection = await _bed.Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM departments WHERE name = @name", new { name }) > 0;
    }

    protected Task AddDepartmentAsync(string name) =>
        new DepartmentStore(_bed.Database, _bed.Clock).AddInAsync(Transactions.Work, new Department { Name = name }, default);

    private UnitOfWorkBehavior<Probe, int> UnitOfWork(RecordingPublisher publisher) => new(_bed.Database, publisher);

    [Fact]
    public async Task A_command_writes_in_one_transaction_and_its_effects_are_published_after_the_commit()
    {
        var publisher = new RecordingPublisher(() => DepartmentExistsAsync("市审计局"));
        var answer = await UnitOfWork(publisher).Handle(new Probe("add"), async (_, _) =>
        {
            await AddDepartmentAsync("市审计局");
            Transactions.AfterCommit(new ItemsChanged([7], null));
            Assert.False(await DepartmentExistsAsync("市审计局"));   // not yet committed: another connection does not see it
            return 1;
        }, default);

        Assert.Equal(1, answer);
        Assert.True(await DepartmentExistsAsync("市审计局"));
        var (published, committed) = Assert.Single(publisher.Published);
        Assert.Equal([7L], Assert.IsType<ItemsChanged>(published).Departments);
        Assert.True(committed);
    }

    [Fact]
    public async Task A_command_that_fails_writes_nothing_and_publishes_nothing()
    {
        var publisher = new RecordingPublisher(() => DepartmentExistsAsync("市审计局"));
        await Assert.ThrowsAsync<WorkflowRefusedException>(async () => await UnitOfWork(publisher).Handle(new Probe("add"), async (_, _) =>
        {
            await AddDepartmentAsync("市审计局");
            Transactions.AfterCommit(new ItemsChanged([7], null));
            throw new WorkflowRefusedException(RefusalKind.Rule, "refused after writing");
        }, default));

        Assert.False(await DepartmentExistsAsync("市审计局"));
        Assert.Empty(publisher.Published);
        Assert.Throws<InvalidOperationException>(() => Transactions.Work);   // nothing left open
    }

    [Fact]
    public async Task A_command_sent_inside_another_joins_its_transaction_and_rolls_back_with_it()
    {
        var publisher = new RecordingPublisher(() => Task.FromResult(true));
        var inner = UnitOfWork(publisher);
        await Assert.ThrowsAsync<WorkflowRefusedException>(async () => await UnitOfWork(publisher).Handle(new Probe("outer"), async (_, ct) =>
        {
            await AddDepartmentAsync("市审计局");
            await inner.Handle(new Probe("inner"), async (_, _) =>
            {
                await AddDepartmentAsync("市统计局");
                Transactions.AfterCommit(new ItemsChanged([8], null));
                return 2;
            }, ct);
            throw new WorkflowRefusedException(RefusalKind.Rule, "the outer command fails after the inner one returned");
        }, default));

        Assert.False(await DepartmentExistsAsync("市审计局"));
        Assert.False(await DepartmentExistsAsync("市统计局"));   // the inner command's write went with the outer transaction
        Assert.Empty(publisher.Published);                        // and so did its effect
    }

    [Fact]
    public async Task A_query_runs_without_a_transaction()
    {
        var behaviour = new UnitOfWorkBehavior<Peek, int>(_bed.Database, new RecordingPublisher(() => Task.FromResult(true)));
        var answer = await behaviour.Handle(new Peek("read"), (_, _) =>
        {
            Assert.Throws<InvalidOperationException>(() => Transactions.Work);
            return ValueTask.FromResult(3);
        }, default);
        Assert.Equal(3, answer);
    }

    [Fact]
    public async Task Outside_the_senders_departments_an_item_is_not_found_before_its_fields_are_checked_or_its_handler_runs()
    {
        var item = await _bed.Workflows.RegisterAsync(Engine.Items.ItemKind.Request, null, await _bed.As("zhang"), "申请公开某文件", _bed.Departments["市司法局"],
            new Dictionary<string, string> { ["channel"] = "online", ["receivedOn"] = "2026-11-02", ["applicant"] = "张三", ["content"] = "某文件" }, default);
        var outsider = await _bed.As("li");   // a handler of 市教育局
        var scope = new ScopeBehavior<CompleteStep, Engine.Items.SupervisedItem>(_bed.Items);
        var ran = 0;
        MessageHandlerDelegate<CompleteStep, Engine.Items.SupervisedItem> next = (_, _) =>
        {
            ran++;
            return ValueTask.FromResult(item);
        };

        // No step and no outcome (fields the validation refuses), a stale version: the answer is still the unknown item's.
        var foreign = await Assert.ThrowsAsync<KeyNotFoundException>(async () => await scope.Handle(new CompleteStep(item.Id, outsider, null, null, 999, new Dictionary<string, string>(), 42), next, default));
        var unknown = await Assert.ThrowsAsync<KeyNotFoundException>(async () => await scope.Handle(new CompleteStep(item.Id + 1000, outsider, "review", "accepted", null, new Dictionary<string, string>(), null), next, default));
        Assert.Equal(ItemStore.NoSuchItem(item.Id), foreign.Message);
        Assert.Equal(ItemStore.NoSuchItem(item.Id + 1000), unknown.Message);
        Assert.Equal(0, ran);

        // Its own handler and the office's supervisor above it get through to what comes next.
        await scope.Handle(new CompleteStep(item.Id, await _bed.As("zhang"), null, null, null, new Dictionary<string, string>(), null), next, default);
        await scope.Handle(new CompleteStep(item.Id, await _bed.As("zhao"), null, null, null, new Dictionary<string, string>(), null), next, default);
        Assert.Equal(2, ran);
    }

    [Fact]
    public async Task A_message_with_bad_fields_is_refused_naming_each_field_before_its_handler_runs()
    {
        var validation = new ValidationBehavior<ExtendLimit, Engine.Items.SupervisedItem>();
        var actor = await _bed.As("wang");
        var refused = await Assert.ThrowsAsync<WorkflowRefusedException>(async () => await validation.Handle(
            new ExtendLimit(1, actor, null, 0, " ", "某领导", null), (_, _) => throw new InvalidOperationException("the handler must not run"), default));
        Assert.Equal(RefusalKind.Invalid, refused.Kind);
        Assert.StartsWith("workingDays: a positive whole number; reason: required; approver: not accepted", refused.Message, StringComparison.Ordinal);
    }
}

public sealed class SqlitePipelineTests() : PipelineTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresPipelineTests() : PipelineTests(DatabaseProvider.PostgreSql)
{
    // PostgreSQL reports a lost race as SQLSTATE 40001 (or a deadlock as 40P01); raised here by the database itself.
    private static Task<int> LoseTheRaceAsync() =>
        Transactions.Work.Connection.ExecuteAsync(Transactions.Work.Command("DO $$ BEGIN RAISE EXCEPTION 'lost a race' USING ERRCODE = 'serialization_failure'; END $$", null, default));

    [Fact]
    public async Task A_transaction_that_loses_a_race_runs_again_and_is_written_once()
    {
        var publisher = new RecordingPublisher(() => Task.FromResult(true));
        var attempts = 0;
        var answer = await new UnitOfWorkBehavior<Probe, int>(Bed.Database, publisher).Handle(new Probe("retry"), async (_, _) =>
        {
            attempts++;
            await AddDepartmentAsync($"第{attempts}次");
            Transactions.AfterCommit(new ItemsChanged([attempts], null));
            if (attempts == 1)
            {
                await LoseTheRaceAsync();
            }

            return attempts;
        }, default);

        Assert.Equal(2, answer);
        Assert.False(await DepartmentExistsAsync("第1次"));
        Assert.True(await DepartmentExistsAsync("第2次"));
        Assert.Equal([2L], Assert.IsType<ItemsChanged>(Assert.Single(publisher.Published).Notification).Departments);   // the first attempt's effect died with it
    }

    [Fact]
    public async Task A_transaction_that_keeps_losing_gives_up_after_its_attempts_with_nothing_written()
    {
        var attempts = 0;
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(async () => await new UnitOfWorkBehavior<Probe, int>(Bed.Database, new RecordingPublisher(() => Task.FromResult(true))).Handle(new Probe("always"), async (_, _) =>
        {
            attempts++;
            await AddDepartmentAsync($"第{attempts}次");
            await LoseTheRaceAsync();
            return attempts;
        }, default));

        Assert.Equal("40001", error.SqlState);
        Assert.Equal(UnitOfWorkBehavior<Probe, int>.Attempts, attempts);
        for (var i = 1; i <= attempts; i++)
        {
            Assert.False(await DepartmentExistsAsync($"第{i}次"));
        }
    }
}
