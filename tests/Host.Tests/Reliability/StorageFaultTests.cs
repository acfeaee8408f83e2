using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dapper;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Supervision.Host.Tests.Reliability;

/// <summary>
/// The embedded database's disk fills up under a real server process taking writes: each write it cannot store is
/// answered 507 with problem details, never a 500; the server goes on by itself once space is freed; afterwards the
/// file passes SQLite's integrity check, every acknowledged write is there once and no refused one is there at all.
/// A server started on a read-only disk says so, naming the file, and changes nothing.
/// </summary>
[Trait("Requires", "Root")]
public sealed class StorageFaultTests(ITestOutputHelper output)
{
    private sealed record Answer(string Title, HttpStatusCode Status, string? ContentType, string? Detail, int Phase);

    [Fact]
    public async Task A_full_disk_is_answered_507_without_a_partial_write_and_writes_go_on_once_space_is_freed()
    {
        await using var disk = await SmallDisk.MountAsync(24L * 1024 * 1024);
        var (settings, token) = await SeedAsync(disk);
        disk.FillLeaving(2L * 1024 * 1024);
        await using var host = Start(settings);
        var address = await host.ListeningAsync() ?? throw new InvalidOperationException(host.Output);

        await using var writers = new Writers(address, token);
        Assert.True(await Eventually.UntilAsync(() => writers.Count(HttpStatusCode.Created, 0) >= 5), host.Output);
        // Until the disk is full: writes refused with 507 for a while.
        Assert.True(await Eventually.UntilAsync(() => writers.Count(HttpStatusCode.InsufficientStorage, 0) >= 20), Summary(writers, host));
        disk.FreeUp();
        writers.Phase = 1;
        Assert.True(await Eventually.UntilAsync(() => writers.Count(HttpStatusCode.Created, 1) >= 20), Summary(writers, host));
        var answers = await writers.StopAsync();
        await host.KillAsync();

        output.WriteLine(Figures(answers));
        Assert.DoesNotContain(answers, a => a.Status is not (HttpStatusCode.Created or HttpStatusCode.InsufficientStorage));
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.InsufficientStorage), a =>
        {
            Assert.Equal("application/problem+json", a.ContentType);
            Assert.Contains("full", a.Detail, StringComparison.Ordinal);
            Assert.Contains("nothing was changed", a.Detail, StringComparison.Ordinal);
        });
        Assert.Contains("storage is full", host.Output, StringComparison.Ordinal);
        await AssertStoredExactlyAsync(settings, answers);
    }

    [Fact]
    public async Task On_a_read_only_disk_the_server_refuses_to_start_naming_the_file_and_starts_once_it_is_writable()
    {
        await using var disk = await SmallDisk.MountAsync(64L * 1024 * 1024);
        var (settings, token) = await SeedAsync(disk);
        var file = Path.Combine(disk.Path, "supervision.db");
        var before = await File.ReadAllBytesAsync(file);

        // The kernel refuses to remount a file system read-only while a server has a file on it open for writing, so
        // this is the read-only disk a server meets: one it is started on (a volume mounted read-only, a disk the
        // kernel remounted after errors and the server restarted).
        await disk.RemountAsync(readOnly: true);
        var refused = await HostProcess.RunAsync(new Dictionary<string, string> { ["SUPERVISION_DB"] = settings.ConnectionString, ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" });
        output.WriteLine(refused.Error.Trim());
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("read-only", refused.Error, StringComparison.Ordinal);
        Assert.Contains(file, refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused.Error, StringComparison.Ordinal);

        await disk.RemountAsync(readOnly: false);
        Assert.Equal(before, await File.ReadAllBytesAsync(file));
        await using var host = Start(settings);
        var address = await host.ListeningAsync() ?? throw new InvalidOperationException(host.Output);
        await using var writers = new Writers(address, token);
        Assert.True(await Eventually.UntilAsync(() => writers.Count(HttpStatusCode.Created, 0) >= 10), host.Output);
        var answers = await writers.StopAsync();
        await host.KillAsync();
        Assert.DoesNotContain(answers, a => a.Status != HttpStatusCode.Created);
        await AssertStoredExactlyAsync(settings, answers);
    }

    private static string Figures(List<Answer> answers) =>
        $"{answers.Count} writes attempted: " + string.Join(", ", answers.GroupBy(a => (int)a.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()}× {g.Key}"));

    private static string Summary(Writers writers, RunningHost host) => $"{Figures(writers.Snapshot())}\n{Eventually.Tail(host.Output)}";

    /// <summary>The file is sound; what was acknowledged is there once, what was refused is not there at all.</summary>
    private static async Task AssertStoredExactlyAsync(DatabaseSettings settings, List<Answer> answers)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using var database = new Database(settings);
        await using var connection = await database.OpenAsync(default);
        Assert.Equal("ok", await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
        Assert.Empty(await connection.QueryAsync<string>("PRAGMA foreign_key_check"));
        var stored = (await connection.QueryAsync<(string Title, long Count)>("SELECT title, count(*) FROM items GROUP BY title")).ToDictionary(s => s.Title, s => s.Count);
        Assert.DoesNotContain(stored, s => s.Value != 1);
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.Created), a => Assert.True(stored.ContainsKey(a.Title), $"acknowledged {a.Title} is missing"));
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.Created), a => Assert.False(stored.ContainsKey(a.Title), $"refused {a.Title} was stored"));
        Assert.Equal(stored.Count, await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT item_id) FROM item_history"));
        var audit = await new HistoryAudit(database, TimeProvider.System).VerifyAsync(default);
        Assert.True(audit.Intact, string.Join('\n', audit.Problems));
    }

    private static RunningHost Start(DatabaseSettings settings) => new(new Dictionary<string, string>
    {
        ["SUPERVISION_DB"] = settings.ConnectionString,
        ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        ["Supervision__RateLimit__PermitsPerMinute"] = "1000000",
    });

    private static async Task<(DatabaseSettings Settings, string Token)> SeedAsync(SmallDisk disk)
    {
        var settings = DatabaseSettings.Parse($"Data Source={Path.Combine(disk.Path, "supervision.db")}");
        string token;
        await using (var database = new Database(settings))
        {
            token = await SmallOffice.SeedAsync(database, "storage test");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return (settings, token);
    }

    /// <summary>Two clients registering disclosure requests (each with its own title and 8 KB of content) until stopped.</summary>
    private sealed class Writers : IAsyncDisposable
    {
        private static readonly string Content = new('内', 2_700);
        private readonly ConcurrentBag<Answer> _answers = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _tasks;
        private int _next;
        private int _phase;

        public Writers(Uri address, string token) =>
            _tasks = Enumerable.Range(0, 2).Select(_ => Task.Run(() => WriteAsync(address, token))).ToList();

        public int Phase
        {
            get => Volatile.Read(ref _phase);
            set => Volatile.Write(ref _phase, value);
        }

        public int Count(HttpStatusCode status, int phase) => _answers.Count(a => a.Status == status && a.Phase == phase);

        public List<Answer> Snapshot() => [.. _answers];

        public async Task<List<Answer>> StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_tasks);
            return Snapshot();
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }

        private async Task WriteAsync(Uri address, string token)
        {
            using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(1) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            while (!_stop.IsCancellationRequested)
            {
                var title = string.Create(CultureInfo.InvariantCulture, $"申请{Interlocked.Increment(ref _next)}");
                var phase = Phase;
                using var response = await client.PostAsJsonAsync("/api/requests", SmallOffice.Request(title, Content));
                string? detail = null;
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    detail = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("detail").GetString();
                    await Task.Delay(20);
                }

                _answers.Add(new Answer(title, response.StatusCode, response.Content.Headers.ContentType?.MediaType, detail, phase));
            }
        }
    }
}
