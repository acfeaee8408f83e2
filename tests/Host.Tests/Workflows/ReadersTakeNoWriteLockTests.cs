using Mediator;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Engine.Items;
using Supervision.Host.Items;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Workflows;

/// <summary>
/// On the embedded database one writer holds the file at a time. Reading an item's page (what the reader may do,
/// the assignments' explanations) and a report used to begin write transactions, so a reader waited for a writer,
/// and held writers up in turn; they now read in a deferred transaction that takes no write lock.
/// </summary>
public sealed class ReadersTakeNoWriteLockTests
{
    [Fact]
    public async Task An_items_page_is_read_while_another_connection_holds_the_write_lock()
    {
        await using var bed = await WorkflowTestBed.CreateAsync(DatabaseProvider.Sqlite, new DateTimeOffset(2025, 9, 26, 10, 0, 0, TimeSpan.FromHours(8)));
        var zhang = await bed.As("zhang");
        var item = await bed.Workflows.RegisterAsync(ItemKind.Request, null, zhang, "申请公开某文件", bed.Departments["市司法局"],
            new Dictionary<string, string> { ["channel"] = "online", ["receivedOn"] = "2025-09-26", ["applicant"] = "张三", ["content"] = "某文件" }, default);

        // Another writer (a second process on the same file, say) holds the write lock, with a busy wait of 1 ms for
        // anyone else who would write.
        var builder = new SqliteConnectionStringBuilder(bed.Database.Settings.ConnectionString) { DefaultTimeout = 1 };
        await using var writer = new SqliteConnection(builder.ConnectionString);
        await writer.OpenAsync();
        await using var hold = writer.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false);

        var page = await bed.Services.GetRequiredService<ISender>().Send(new GetItem(item.Id, zhang));

        Assert.Equal(item.Id, page.Item.Id);
        Assert.Contains(page.Actions, a => a.Action == "complete");
        Assert.Single(page.Assignments);
    }
}
