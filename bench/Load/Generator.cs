using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Supervision.Engine.Calendars;
using Supervision.Engine.Clocks;
using Supervision.Engine.Deadlines;
using Supervision.Engine.Items;
using Supervision.Engine.Workflows;
using Supervision.Host.Storage;

namespace Supervision.Bench.Load;

/// <summary>
/// Fills a migrated, empty PostgreSQL database with a province: <c>departments</c> departments in three levels (the
/// provincial office, cities, their bureaus) and <c>items</c> open items — seven in ten disclosure requests received over
/// the last 40 working days (one in seven long enough ago to be overdue, some seriously, some yellow), three in ten
/// supervision tasks with one to three departments each and due days spread over the next 90 days and the last 10 — one in twenty paused, one in
/// thirty extended. Every item's clock, light, due day and next change instant are computed by the Engine exactly as the
/// product computes them, and its history starts with a registration entry on a valid hash chain. Rows go in by binary
/// COPY, in batches, so a million items take minutes, not hours.
/// </summary>
internal static class Generator
{
    private const int Batch = 20_000;

    public static async Task<int> RunAsync(string connectionString, int departments, int items, int seed, int burst = 0)
    {
        var calendar = CalendarFile.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "seeds", "calendar", "cn-statutory.json")), "cn-statutory.json");
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var context = new ClockContext(calendar, zone);
        var request = Definition("disclosure-request.json");
        var task = Definition("supervision-task.json");
        var now = DateTimeOffset.UtcNow;
        var today = context.DayOf(now);
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        var (burstAt, burstReceived) = burst > 0 ? BurstInstant(calendar, context, request, now) : (now, []);
        if (burst > 0)
        {
            Console.WriteLine($"burst: {burst:N0} requests change light at {burstAt:yyyy-MM-dd HH:mm:ss zzz} (stored as of just before it; received on {burstReceived.Count} possible days)");
        }
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using (var check = source.CreateCommand("SELECT count(*) FROM items"))
        {
            if ((long)(await check.ExecuteScalarAsync())! > 0)
            {
                Console.Error.WriteLine("The database already holds items; generate into an empty, migrated database.");
                return 2;
            }
        }

        // Departments: the provincial office, cities under it, bureaus under each city.
        var cities = Math.Max(1, (int)Math.Sqrt(departments));
        var names = new List<(long Id, string Name, long? Parent)> { (1, "省政府办公厅", null) };
        for (var c = 0; c < cities && names.Count < departments; c++)
        {
            var cityId = names.Count + 1L;
            names.Add((cityId, $"第{c + 1}市人民政府办公室", 1));
            for (var b = 0; names.Count < departments && b < (departments / cities) - 1; b++)
            {
                names.Add((names.Count + 1L, $"第{c + 1}市第{b + 1}局", cityId));
            }
        }

        while (names.Count < departments)
        {
            names.Add((names.Count + 1L, $"省直第{names.Count}厅", 1));
        }

        await using (var connection = await source.OpenConnectionAsync())
        {
            await using (var off = new NpgsqlCommand("ALTER TABLE assignments DISABLE TRIGGER assignments_board_counts_inserted", connection))
            {
                await off.ExecuteNonQueryAsync();
            }

            await using (var writer = await connection.BeginBinaryImportAsync("COPY departments (id, name, parent_id, created_at) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var (id, name, parent) in names)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(id, NpgsqlDbType.Bigint);
                    await writer.WriteAsync(name, NpgsqlDbType.Text);
                    await writer.WriteAsync(parent, NpgsqlDbType.Bigint);
                    await writer.WriteAsync(now.UtcDateTime, NpgsqlDbType.TimestampTz);
                }

                await writer.CompleteAsync();
            }

            await using (var writer = await connection.BeginBinaryImportAsync("COPY department_names (name, department_id, is_alias) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var (id, name, _) in names)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(name, NpgsqlDbType.Text);
                    await writer.WriteAsync(id, NpgsqlDbType.Bigint);
                    await writer.WriteAsync(false, NpgsqlDbType.Boolean);
                }

                await writer.CompleteAsync();
            }

            // A handler in every department below the office, so light changes have someone to notify (inbox).
            await using (var writer = await connection.BeginBinaryImportAsync("COPY users (login, display_name, department_id, role, active, created_at) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var (id, _, _) in names.Where(n => n.Parent is not null))
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync($"handler-{id}", NpgsqlDbType.Text);
                    await writer.WriteAsync($"办理人{id}", NpgsqlDbType.Text);
                    await writer.WriteAsync(id, NpgsqlDbType.Bigint);
                    await writer.WriteAsync("handler", NpgsqlDbType.Text);
                    await writer.WriteAsync(true, NpgsqlDbType.Boolean);
                    await writer.WriteAsync(now.UtcDateTime, NpgsqlDbType.TimestampTz);
                }

                await writer.CompleteAsync();
            }
        }

        var leaves = names.Where(n => n.Parent is not null).Select(n => n.Id).ToArray();
        if (leaves.Length == 0)
        {
            leaves = [1];
        }

        var requestPolicy = request.Clock.Policy.ToJson();
        var taskPolicy = task.Clock.Policy.ToJson();
        long assignmentId = 0;
        var counts = new Dictionary<Light, int>();
        for (var start = 0; start < items; start += Batch)
        {
            var rows = new List<Generated>(Math.Min(Batch, items - start));
            for (var i = start; i < Math.Min(items, start + Batch); i++)
            {
                var id = i + 1L;
                var isTask = random.Next(10) < 3;
                var department = leaves[random.Next(leaves.Length)];
                var registeredAt = now.AddMinutes(-random.Next(60, 60 * 24 * 60));
                var paused = random.Next(20) == 0;
                var extended = !paused && random.Next(30) == 0;
                if (i < burst)
                {
                    // Stored as computed just before the burst instant, which has passed: due now, all at once.
                    var received = burstReceived[random.Next(burstReceived.Count)];
                    var at = burstAt.AddHours(-2);
                    var events = new List<ClockEvent> { new ClockEvent.Started(at, received, request.Clock.Limit!) };
                    var snapshot = DeadlineSnapshot.Of(Clock.Fold(events, context with { ExtensionCap = request.Clock.Policy.ExtensionCap }), request.Clock.Policy, context, burstAt.AddTicks(-1));
                    rows.Add(new Generated(id, ItemKind.Request, $"申请公开第{id}号", department, request, received, at, snapshot, requestPolicy, events,
                        [(++assignmentId, department, "handling", null, snapshot)], "review"));
                    counts[snapshot.Light] = counts.GetValueOrDefault(snapshot.Light) + 1;
                }
                else if (!isTask)
                {
                    // Most answered within the limit's reach; one in seven received long enough ago to be overdue.
                    var received = SubtractWorkingDays(calendar, today, random.Next(7) == 0 ? 20 + random.Next(20) : random.Next(20));
                    var events = new List<ClockEvent> { new ClockEvent.Started(registeredAt, received, request.Clock.Limit!) };
                    Extra(events, registeredAt, now, paused, extended, random);
                    var snapshot = DeadlineSnapshot.Of(Clock.Fold(events, context with { ExtensionCap = request.Clock.Policy.ExtensionCap }), request.Clock.Policy, context, now);
                    rows.Add(new Generated(id, ItemKind.Request, $"申请公开第{id}号", department, request, received, registeredAt, snapshot, requestPolicy, events,
                        [(++assignmentId, department, "handling", null, snapshot)], "review"));
                    counts[snapshot.Light] = counts.GetValueOrDefault(snapshot.Light) + 1;
                }
                else
                {
                    var due = today.AddDays(random.Next(-10, 90));
                    var shares = new List<(long, long, string, List<ClockEvent>?, DeadlineSnapshot)>();
                    var taken = new HashSet<long>();
                    for (var s = 0; s < 1 + random.Next(3); s++)
                    {
                        var share = leaves[random.Next(leaves.Length)];
                        if (!taken.Add(share))
                        {
                            continue;
                        }

                        var events = new List<ClockEvent> { new ClockEvent.Started(registeredAt, context.DayOf(registeredAt), new TimeLimit.FixedDate(due)) };
                        Extra(events, registeredAt, now, paused && s == 0, extended && s == 0, random);
                        var snapshot = DeadlineSnapshot.Of(Clock.Fold(events, context with { ExtensionCap = task.Clock.Policy.ExtensionCap }), task.Clock.Policy, context, now);
                        shares.Add((++assignmentId, share, s == 0 ? "lead" : "responsible", events, snapshot));
                        counts[snapshot.Light] = counts.GetValueOrDefault(snapshot.Light) + 1;
                    }

                    var worst = shares.Select(x => x.Item5).OrderByDescending(x => x.Light == Light.Red ? 2 : x.Light == Light.Yellow ? 1 : 0).ThenBy(x => x.DueOn).First();
                    rows.Add(new Generated(id, ItemKind.Task, $"督办任务第{id}号", shares[0].Item2, task, context.DayOf(registeredAt), registeredAt, worst, taskPolicy, null, shares, "handle"));
                }
            }

            await WriteAsync(source, rows, now);
            Console.Error.Write($"\r{Math.Min(items, start + Batch):N0} of {items:N0} items written ({watch.Elapsed.TotalSeconds:0} s)");
        }

        await using (var connection = await source.OpenConnectionAsync())
        {
            // The board's counts: the trigger was off while copying (a million single changes to fold); one recount.
            await using (var recount = new NpgsqlCommand("ALTER TABLE assignments ENABLE TRIGGER assignments_board_counts_inserted; " + Supervision.Host.Items.BoardCountsStore.RebuildSql, connection))
            {
                await recount.ExecuteNonQueryAsync();
            }

            foreach (var table in (string[])["departments", "items", "assignments"])
            {
                await using var command = new NpgsqlCommand($"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))", connection);
                await command.ExecuteScalarAsync();
            }

            await using var analyze = new NpgsqlCommand("ANALYZE", connection);
            await analyze.ExecuteNonQueryAsync();
        }

        Console.Error.WriteLine();
        Console.WriteLine($"generated {names.Count:N0} departments, {items:N0} open items, {assignmentId:N0} assignments in {watch.Elapsed.TotalSeconds:0.0} s; "
            + $"assignment lights: {string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key.Code()} {c.Value:N0}"))}");
        return 0;
    }

    /// <summary>The latest local midnight up to now at which requests change light, and the receipt days that make
    /// a request change exactly then (computed as the product computes it, just before that instant).</summary>
    private static (DateTimeOffset At, List<DateOnly> Received) BurstInstant(WorkingCalendar calendar, ClockContext context, WorkflowDefinition request, DateTimeOffset now)
    {
        var today = context.DayOf(now);
        for (var back = 0; back < 14; back++)
        {
            var at = context.StartOf(today.AddDays(-back));
            var received = new List<DateOnly>();
            for (var offset = 0; offset < 60; offset++)
            {
                var day = SubtractWorkingDays(calendar, context.DayOf(at), offset);
                var events = new List<ClockEvent> { new ClockEvent.Started(at.AddHours(-2), day, request.Clock.Limit!) };
                var snapshot = DeadlineSnapshot.Of(Clock.Fold(events, context with { ExtensionCap = request.Clock.Policy.ExtensionCap }), request.Clock.Policy, context, at.AddTicks(-1));
                if (snapshot.NextChangeAt == at)
                {
                    received.Add(day);
                }
            }

            if (received.Count > 0)
            {
                return (at, received);
            }
        }

        throw new InvalidOperationException("No midnight in the last two weeks at which a request changes light.");
    }

    private static DateOnly SubtractWorkingDays(WorkingCalendar calendar, DateOnly day, int count)
    {
        var at = day;
        for (var n = 0; n < count;)
        {
            at = at.AddDays(-1);
            if (calendar.IsWorkingDay(at))
            {
                n++;
            }
        }

        return at;
    }

    // A pause (third-party consultation) or an approved extension, some hours after registration.
    private static void Extra(List<ClockEvent> events, DateTimeOffset registeredAt, DateTimeOffset now, bool paused, bool extended, Random random)
    {
        var at = registeredAt.AddMinutes(random.Next(1, 600));
        if (at >= now)
        {
            return;
        }

        if (paused)
        {
            events.Add(new ClockEvent.Paused(at, PauseReason.ThirdPartyConsultation, "征求第三方意见"));
        }
        else if (extended)
        {
            events.Add(new ClockEvent.Extended(at, new TimeLimit.WorkingDays(10), "分管领导", "情形复杂"));
        }
    }

    private static WorkflowDefinition Definition(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "workflows", file);
        var (definition, problems) = DefinitionLoader.Load(File.ReadAllText(path), path);
        return definition ?? throw new InvalidOperationException(string.Join("; ", problems));
    }

    private sealed record Generated(long Id, ItemKind Kind, string Title, long Department, WorkflowDefinition Definition, DateOnly ReceivedOn, DateTimeOffset RegisteredAt,
        DeadlineSnapshot Snapshot, string Policy, List<ClockEvent>? ItemClock, List<(long Id, long Department, string Role, List<ClockEvent>? Clock, DeadlineSnapshot Snapshot)> Assignments, string Step);

    private static async Task WriteAsync(NpgsqlDataSource source, List<Generated> rows, DateTimeOffset now)
    {
        await using var connection = await source.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY items (id, kind, title, department_id, definition_id, definition_version, step, received_on, light, due_on, due_at, paused, next_change_at, payload, created_at, updated_at, version, clock_policy, calendar_version, seriously_overdue, step_entered_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var r in rows)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(r.Id, NpgsqlDbType.Bigint);
                await writer.WriteAsync(r.Kind.Code(), NpgsqlDbType.Text);
                await writer.WriteAsync(r.Title, NpgsqlDbType.Text);
                await writer.WriteAsync(r.Department, NpgsqlDbType.Bigint);
                await writer.WriteAsync(r.Definition.Id, NpgsqlDbType.Text);
                await writer.WriteAsync(r.Definition.Version, NpgsqlDbType.Integer);
                await writer.WriteAsync(r.Step, NpgsqlDbType.Text);
                await writer.WriteAsync(r.ReceivedOn, NpgsqlDbType.Date);
                await writer.WriteAsync(r.Snapshot.Light.Code(), NpgsqlDbType.Text);
                await writer.WriteAsync(r.Snapshot.DueOn, NpgsqlDbType.Date);
                await writer.WriteAsync(r.Snapshot.DueAt?.UtcDateTime, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(r.Snapshot.Paused, NpgsqlDbType.Boolean);
                await writer.WriteAsync(r.Snapshot.NextChangeAt?.UtcDateTime, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(r.Kind == ItemKind.Request
                    ? JsonSerializer.Serialize(new { applicant = "申请人", channel = "online", content = r.Title, receivedOn = r.ReceivedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) })
                    : JsonSerializer.Serialize(new { content = r.Title, deadline = r.Snapshot.DueOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "长期坚持", plan = "2026年政务公开工作要点", planItem = (r.Id % 30 + 1).ToString(CultureInfo.InvariantCulture) }), NpgsqlDbType.Jsonb);
                await writer.WriteAsync(r.RegisteredAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(r.RegisteredAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(1, NpgsqlDbType.Integer);
                await writer.WriteAsync(r.Policy, NpgsqlDbType.Jsonb);
                await writer.WriteAsync(r.Snapshot.CalendarVersion, NpgsqlDbType.Integer);
                await writer.WriteAsync(r.Snapshot.SeriouslyOverdue, NpgsqlDbType.Boolean);
                await writer.WriteAsync(r.RegisteredAt.UtcDateTime, NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync();
        }

        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY assignments (id, item_id, kind, department_id, role, step, light, due_on, due_at, paused, seriously_overdue, next_change_at, calendar_version, created_at, updated_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var r in rows)
            {
                foreach (var a in r.Assignments)
                {
                    await writer.StartRowAsync();
                    await writer.WriteAsync(a.Id, NpgsqlDbType.Bigint);
                    await writer.WriteAsync(r.Id, NpgsqlDbType.Bigint);
                    await writer.WriteAsync(r.Kind == ItemKind.Task ? "task" : "request", NpgsqlDbType.Text);
                    await writer.WriteAsync(a.Department, NpgsqlDbType.Bigint);
                    await writer.WriteAsync(a.Role, NpgsqlDbType.Text);
                    await writer.WriteAsync(r.Step, NpgsqlDbType.Text);
                    await writer.WriteAsync(a.Snapshot.Light.Code(), NpgsqlDbType.Text);
                    await writer.WriteAsync(a.Snapshot.DueOn, NpgsqlDbType.Date);
                    await writer.WriteAsync(a.Snapshot.DueAt?.UtcDateTime, NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(a.Snapshot.Paused, NpgsqlDbType.Boolean);
                    await writer.WriteAsync(a.Snapshot.SeriouslyOverdue, NpgsqlDbType.Boolean);
                    // A request's assignment carries its item's snapshot (as ItemSnapshots stores it); a task's its own.
                    await writer.WriteAsync(a.Snapshot.NextChangeAt?.UtcDateTime, NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(a.Snapshot.CalendarVersion, NpgsqlDbType.Integer);
                    await writer.WriteAsync(r.RegisteredAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(r.RegisteredAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                }
            }

            await writer.CompleteAsync();
        }

        await using (var writer = await connection.BeginBinaryImportAsync("COPY clock_events (item_id, seq, at, kind, data, assignment_id) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var r in rows)
            {
                var seq = 0;
                var clocks = r.ItemClock is { } own ? [(null, own)] : r.Assignments.Select(a => ((long?)a.Id, a.Clock!)).ToList();
                foreach (var (assignment, events) in clocks)
                {
                    foreach (var e in events)
                    {
                        await writer.StartRowAsync();
                        await writer.WriteAsync(r.Id, NpgsqlDbType.Bigint);
                        await writer.WriteAsync(++seq, NpgsqlDbType.Integer);
                        await writer.WriteAsync(e.At.UtcDateTime, NpgsqlDbType.TimestampTz);
                        await writer.WriteAsync(ClockEventJson.Kind(e), NpgsqlDbType.Text);
                        await writer.WriteAsync(ClockEventJson.Data(e), NpgsqlDbType.Jsonb);
                        await writer.WriteAsync(assignment, NpgsqlDbType.Bigint);
                    }
                }
            }

            await writer.CompleteAsync();
        }

        var history = rows.Select(r =>
        {
            var at = HistoryChain.ToStoredPrecision(r.RegisteredAt);
            var detail = JsonSerializer.Serialize(new { definition = r.Definition.Key, generated = true });
            var hash = HistoryChain.Hash(null, r.Id, 1, at, "bench", "registered", null, r.Step, null, r.Snapshot.Light.Code(), detail);
            return (r, at, detail, hash);
        }).ToList();
        await using (var writer = await connection.BeginBinaryImportAsync("COPY item_history (item_id, seq, at, actor, action, from_step, to_step, from_light, to_light, detail, prev_hash, hash) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (r, at, detail, hash) in history)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(r.Id, NpgsqlDbType.Bigint);
                await writer.WriteAsync(1, NpgsqlDbType.Integer);
                await writer.WriteAsync(at.UtcDateTime, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync("bench", NpgsqlDbType.Text);
                await writer.WriteAsync("registered", NpgsqlDbType.Text);
                await writer.WriteAsync((string?)null, NpgsqlDbType.Text);
                await writer.WriteAsync(r.Step, NpgsqlDbType.Text);
                await writer.WriteAsync((string?)null, NpgsqlDbType.Text);
                await writer.WriteAsync(r.Snapshot.Light.Code(), NpgsqlDbType.Text);
                await writer.WriteAsync(detail, NpgsqlDbType.Jsonb);
                await writer.WriteAsync((string?)null, NpgsqlDbType.Text);
                await writer.WriteAsync(hash, NpgsqlDbType.Text);
            }

            await writer.CompleteAsync();
        }

        await using (var writer = await connection.BeginBinaryImportAsync("COPY history_heads (item_id, seq, hash) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (r, _, _, hash) in history)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(r.Id, NpgsqlDbType.Bigint);
                await writer.WriteAsync(1, NpgsqlDbType.Integer);
                await writer.WriteAsync(hash, NpgsqlDbType.Text);
            }

            await writer.CompleteAsync();
        }

        await transaction.CommitAsync();
    }
}
