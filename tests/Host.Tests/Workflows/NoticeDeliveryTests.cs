using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Configuration;
using Supervision.Engine.Items;
using Supervision.Host.Notices;
using Supervision.Host.People;
using Supervision.Host.Storage;

namespace Supervision.Host.Tests.Workflows;

/// <summary>Notices leave through a department's webhook: signed, once, retried with backoff, failed for good in the end.</summary>
public abstract class NoticeDeliveryTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private WorkflowTestBed _bed = null!;
    private Infrastructure.WebhookReceiver _receiver = null!;

    private string Address => _receiver.Address;

    private ConcurrentQueue<Infrastructure.ReceivedHook> Received => _receiver.Received;

    public async Task InitializeAsync()
    {
        _bed = await WorkflowTestBed.CreateAsync(provider, new DateTimeOffset(2025, 9, 26, 10, 0, 0, Cst));
        _receiver = await Infrastructure.WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _bed.DisposeAsync();
    }

    private async Task TurnYellowAsync()
    {
        await new NoticeStore(_bed.Database, _bed.Clock).AddChannelAsync(_bed.Departments["市司法局"], "webhook", Address, "s3cret", default);
        await _bed.Workflows.RegisterAsync(ItemKind.Request, null, await _bed.As("zhang"), "申请公开", _bed.Departments["市司法局"],
            new Dictionary<string, string> { ["channel"] = "post", ["receivedOn"] = "2025-09-26", ["applicant"] = "李某", ["content"] = "内容" }, default);
        _bed.Clock.Advance(new DateTimeOffset(2025, 10, 23, 0, 0, 1, Cst) - _bed.Clock.GetUtcNow());
        await _bed.NewTransitions().ProcessDueAsync(null, default);
    }

    [Fact]
    public async Task A_webhook_gets_each_notice_once_signed_with_the_departments_secret()
    {
        await TurnYellowAsync();
        var dispatcher = _bed.NewDispatcher();

        var first = await dispatcher.DeliverDueAsync(default);
        var second = await dispatcher.DeliverDueAsync(default);

        Assert.Equal(1, first);
        Assert.Equal(0, second);
        var (body, timestamp, signature, key, _) = Assert.Single(Received);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("s3cret"), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
        Assert.Equal(expected, signature);
        Assert.StartsWith("light:", key, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("yellow", json.RootElement.GetProperty("kind").GetString());
        Assert.Contains("申请公开", json.RootElement.GetProperty("subject").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_notice_claimed_by_an_instance_that_died_is_sent_by_another_once_the_lease_ends()
    {
        await TurnYellowAsync();
        var lease = _bed.Clock.GetUtcNow().AddMinutes(2);
        await using (var connection = await _bed.Database.OpenAsync(default))
        {
            // As a crashed instance left it: claimed, never sent, never recorded.
            await connection.ExecuteAsync("UPDATE notices SET next_attempt_at = @lease WHERE channel = 'webhook'", new { lease });
        }

        var dispatcher = _bed.NewDispatcher();
        var whileLeased = await dispatcher.DeliverDueAsync(default);
        _bed.Clock.Advance(TimeSpan.FromMinutes(2));
        var afterwards = await dispatcher.DeliverDueAsync(default);
        var again = await _bed.NewDispatcher().DeliverDueAsync(default);

        Assert.Equal((0, 1, 0), (whileLeased, afterwards, again));
        Assert.Single(Received);
    }

    [Fact]
    public async Task Two_dispatchers_working_through_a_backlog_send_each_notice_once()
    {
        await new NoticeStore(_bed.Database, _bed.Clock).AddChannelAsync(_bed.Departments["市司法局"], "webhook", Address, "s3cret", default);
        var zhang = await _bed.As("zhang");
        for (var i = 0; i < 3 * NoticeDispatcher.BatchSize; i++)
        {
            await _bed.Workflows.RegisterAsync(ItemKind.Request, null, zhang, $"申请{i}", _bed.Departments["市司法局"],
                new Dictionary<string, string> { ["channel"] = "post", ["receivedOn"] = "2025-09-26", ["applicant"] = "李某", ["content"] = "内容" }, default);
        }

        _bed.Clock.Advance(new DateTimeOffset(2025, 10, 23, 0, 0, 1, Cst) - _bed.Clock.GetUtcNow());
        await _bed.NewTransitions().ProcessDueAsync(null, default);
        var a = _bed.NewDispatcher();
        var b = _bed.NewDispatcher();

        var sent = await Task.WhenAll(Task.Run(() => a.DeliverDueAsync(default)), Task.Run(() => b.DeliverDueAsync(default)));

        Assert.Equal(3 * NoticeDispatcher.BatchSize, sent.Sum());
        Assert.Equal(3 * NoticeDispatcher.BatchSize, Received.Select(r => r.Key).Distinct().Count());
        Assert.Equal(3 * NoticeDispatcher.BatchSize, Received.Count);
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_with_backoff_and_the_notice_ends_failed_and_visible()
    {
        _receiver.Status = 500;
        await TurnYellowAsync();
        var dispatcher = _bed.NewDispatcher();

        await dispatcher.DeliverDueAsync(default);
        var immediately = await dispatcher.DeliverDueAsync(default);
        for (var i = 0; i < NoticeDispatcher.MaxAttempts + 2; i++)
        {
            _bed.Clock.Advance(TimeSpan.FromHours(2));
            await dispatcher.DeliverDueAsync(default);
        }

        Assert.Equal(0, immediately);
        await using var connection = await _bed.Database.OpenAsync(default);
        var (status, attempts) = await connection.QuerySingleAsync<(string, long)>("SELECT status, CAST(attempts AS bigint) FROM notices WHERE channel = 'webhook'");
        Assert.Equal(("failed", (long)NoticeDispatcher.MaxAttempts), (status, attempts));
        Assert.Equal((long)NoticeDispatcher.MaxAttempts, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notice_attempts WHERE ok = @no", new { no = false }));
    }

    // Notices for a department's group robot, as the fan-out writes them.
    private async Task RobotNoticesAsync(string channel, int count)
    {
        var store = new NoticeStore(_bed.Database, _bed.Clock);
        for (var i = 0; i < count; i++)
        {
            await store.EnqueueAsync(new NewNotice($"robot-test:{channel}:{i}", channel, "red", null, Address, $"督办提醒 {i}", "事项已超期。", null, null), default);
        }
    }

    private async Task<(string Status, long Attempts, string? Error)> RobotNoticeAsync(string channel)
    {
        await using var connection = await _bed.Database.OpenAsync(default);
        return await connection.QuerySingleAsync<(string, long, string?)>(
            "SELECT n.status, CAST(n.attempts AS bigint), (SELECT a.error FROM notice_attempts a WHERE a.notice_id = n.id ORDER BY a.attempt DESC LIMIT 1) FROM notices n WHERE n.channel = @channel",
            new { channel });
    }

    [Theory]
    [InlineData("wecom", 93000, "invalid webhook url, hint: [1733500000_1]")]
    [InlineData("dingtalk", 310000, "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]")]
    [InlineData("dingtalk", 300001, "token is not exist")]
    public async Task A_robot_that_refuses_a_message_with_http_200_fails_it_at_once_with_its_words(string channel, int errcode, string errmsg)
    {
        _receiver.Answer = JsonSerializer.Serialize(new { errcode, errmsg });
        await RobotNoticesAsync(channel, 1);
        var dispatcher = _bed.NewDispatcher();

        var delivered = await dispatcher.DeliverDueAsync(default);
        _bed.Clock.Advance(TimeSpan.FromHours(2));
        var later = await dispatcher.DeliverDueAsync(default);

        Assert.Equal((0, 0), (delivered, later));
        Assert.Single(Received);
        var (status, attempts, error) = await RobotNoticeAsync(channel);
        Assert.Equal(("failed", 1L), (status, attempts));
        Assert.Equal($"{channel} errcode {errcode}: {errmsg}", error);
    }

    [Theory]
    [InlineData("wecom", 45009, "api freq out of limit")]
    [InlineData("dingtalk", 130101, "send too fast, exceed 20 times per minute")]
    [InlineData("wecom", -1, "system busy")]
    public async Task A_robot_that_says_not_now_is_tried_again_and_the_notice_delivered_once_it_takes_it(string channel, int errcode, string errmsg)
    {
        _receiver.Answer = JsonSerializer.Serialize(new { errcode, errmsg });
        await RobotNoticesAsync(channel, 1);
        var dispatcher = _bed.NewDispatcher();

        var refused = await dispatcher.DeliverDueAsync(default);
        var waiting = await RobotNoticeAsync(channel);
        _receiver.Answer = """{"errcode":0,"errmsg":"ok"}""";
        _bed.Clock.Advance(TimeSpan.FromHours(2));
        var delivered = await dispatcher.DeliverDueAsync(default);

        Assert.Equal((0, 1), (refused, delivered));
        Assert.Equal(("pending", 1L, $"{channel} errcode {errcode}: {errmsg}"), waiting);
        Assert.Equal(2, Received.Count);
        var (status, attempts, error) = await RobotNoticeAsync(channel);
        Assert.Equal(("delivered", 2L, (string?)null), (status, attempts, error));
    }

    [Fact]
    public async Task A_robot_answer_without_an_errcode_is_not_taken_for_a_delivery()
    {
        _receiver.Answer = "<html>gateway</html>";
        await RobotNoticesAsync("wecom", 1);

        var delivered = await _bed.NewDispatcher().DeliverDueAsync(default);

        Assert.Equal(0, delivered);
        var (status, attempts, error) = await RobotNoticeAsync("wecom");
        Assert.Equal(("pending", 1L), (status, attempts));
        Assert.StartsWith("wecom answered something that is not JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_robot_is_sent_at_most_twenty_messages_a_minute_and_the_rest_wait_without_spending_an_attempt()
    {
        _receiver.Answer = """{"errcode":0,"errmsg":"ok"}""";
        await RobotNoticesAsync("wecom", 25);
        var dispatcher = _bed.NewDispatcher();

        var first = await dispatcher.DeliverDueAsync(default);
        var again = await dispatcher.DeliverDueAsync(default);
        var withinTheMinute = Received.Count;
        _bed.Clock.Advance(TimeSpan.FromSeconds(61));
        var next = await dispatcher.DeliverDueAsync(default);

        Assert.Equal((20, 0, 20, 5), (first, again, withinTheMinute, next));
        Assert.Equal(25, Received.Select(r => r.Key).Distinct().Count());
        await using var connection = await _bed.Database.OpenAsync(default);
        Assert.Equal(25L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notices WHERE channel = 'wecom' AND status = 'delivered' AND attempts = 1"));
    }

    [Fact]
    public async Task A_stored_address_that_is_not_one_fails_only_its_own_notice()
    {
        await using var sink = new Infrastructure.SmtpSink();
        var configuration = await YellowRequestToMailAsync(sink, "申请公开");
        await using (var connection = await _bed.Database.OpenAsync(default))
        {
            // As if written around the checks (an old import, a hand edit): the pending mail's address is no address.
            await connection.ExecuteAsync("UPDATE notices SET recipient_address = 'zhang at example' WHERE channel = 'email'");
        }

        await _bed.Workflows.RegisterAsync(ItemKind.Request, null, await _bed.As("zhang"), "另一申请", _bed.Departments["市司法局"],
            new Dictionary<string, string> { ["channel"] = "post", ["receivedOn"] = "2025-09-30", ["applicant"] = "李某", ["content"] = "内容" }, default);
        _bed.Clock.Advance(new DateTimeOffset(2025, 10, 29, 0, 0, 1, Cst) - _bed.Clock.GetUtcNow());
        await _bed.NewTransitions(configuration).ProcessDueAsync(null, default);

        var sent = await _bed.NewDispatcher(configuration).DeliverDueAsync(default);

        // The other request's mail went out; the broken one is a failed attempt on record, not an error of the run.
        Assert.Equal(1, sent);
        Assert.Single(sink.Messages);
        await using var check = await _bed.Database.OpenAsync(default);
        var error = await check.ExecuteScalarAsync<string>("SELECT a.error FROM notice_attempts a JOIN notices n ON n.id = a.notice_id WHERE n.recipient_address = 'zhang at example'");
        Assert.StartsWith("cannot be sent as stored:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_notice_whose_send_throws_something_unexpected_fails_only_itself()
    {
        await TurnYellowAsync();
        // A webhook stored with an address no HTTP client speaks, due before the good one: its send throws, and the
        // good notice behind it in the same run must still go out.
        await new NoticeStore(_bed.Database, _bed.Clock).EnqueueAsync(
            new NewNotice("poison", "webhook", "yellow", null, "ftp://127.0.0.1/hook", "申请公开", "内容", null, null), default);
        await using (var connection = await _bed.Database.OpenAsync(default))
        {
            await connection.ExecuteAsync("UPDATE notices SET next_attempt_at = @early WHERE notice_key = 'poison'", new { early = _bed.Clock.GetUtcNow().AddHours(-1) });
        }

        var sent = await _bed.NewDispatcher().DeliverDueAsync(default);

        Assert.Equal(1, sent);
        Assert.Single(Received);
        await using var check = await _bed.Database.OpenAsync(default);
        var (status, attempts, error) = await check.QuerySingleAsync<(string, long, string)>(
            "SELECT n.status, CAST(n.attempts AS bigint), a.error FROM notices n JOIN notice_attempts a ON a.notice_id = n.id WHERE n.notice_key = 'poison'");
        Assert.Equal(("pending", 1L), (status, attempts));
        Assert.Contains("ftp", error, StringComparison.Ordinal);
    }

    // Mail set up to go to the sink, the handler with an address, and a request of theirs that has just turned yellow.
    private async Task<Microsoft.Extensions.Configuration.IConfiguration> YellowRequestToMailAsync(Infrastructure.SmtpSink sink, string title)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Supervision:Smtp:Host"] = "127.0.0.1",
            ["Supervision:Smtp:Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Supervision:Smtp:From"] = "supervision@example.gov.cn",
        }).Build();
        await new UserStore(_bed.Database, _bed.Clock).SetEmailAsync("zhang", "zhang@example.gov.cn", default);
        var item = await _bed.Workflows.RegisterAsync(ItemKind.Request, null, await _bed.As("zhang"), title, _bed.Departments["市司法局"],
            new Dictionary<string, string> { ["channel"] = "post", ["receivedOn"] = "2025-09-26", ["applicant"] = "李某", ["content"] = "内容" }, default);
        // Accepted: at handling only the reply deadline lights (the review's own limit would be told of too).
        await _bed.Workflows.CompleteAsync(item.Id, await _bed.As("zhang"), "review", "accepted", null, new Dictionary<string, string>(), null, default);
        _bed.Clock.Advance(new DateTimeOffset(2025, 10, 23, 0, 0, 1, Cst) - _bed.Clock.GetUtcNow());
        await _bed.NewTransitions(configuration).ProcessDueAsync(null, default);
        return configuration;
    }

    [Fact]
    public async Task People_with_an_address_also_get_their_notices_by_mail_once()
    {
        await using var sink = new Infrastructure.SmtpSink();
        var configuration = await YellowRequestToMailAsync(sink, "申请公开");
        var dispatcher = _bed.NewDispatcher(configuration);

        var first = await dispatcher.DeliverDueAsync(default);
        var second = await dispatcher.DeliverDueAsync(default);

        Assert.Equal(1, first);
        Assert.Equal(0, second);
        var message = Assert.Single(sink.Messages);
        Assert.Contains("To: zhang@example.gov.cn", message, StringComparison.Ordinal);
        Assert.Contains("X-Supervision-Notice: light:", message, StringComparison.Ordinal);

        // The envelope, not only the headers: from the configured sender to the person's address alone.
        var envelope = Assert.Single(sink.Envelopes);
        Assert.Equal("supervision@example.gov.cn", envelope.From);
        Assert.Equal(["zhang@example.gov.cn"], envelope.To);

        // The Chinese subject travels encoded and reads back as written.
        using var parsed = MimeKit.MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(envelope.Data)));
        Assert.Contains("申请公开", parsed.Subject, StringComparison.Ordinal);
        Assert.Contains("申请公开", parsed.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_goes_over_implicit_tls_to_a_host_whose_certificate_is_trusted_by_its_fingerprint_and_never_to_an_unknown_one()
    {
        await using var sink = new Infrastructure.SmtpSink(implicitTls: true);
        var plain = await YellowRequestToMailAsync(sink, "申请公开");
        var tls = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddConfiguration(plain).AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Supervision:Smtp:Security"] = "tls",
        }).Build();
        var pinned = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddConfiguration(tls).AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Supervision:Smtp:TrustedCertificate"] = sink.CertificateSha256,
        }).Build();

        // A self-signed certificate nobody vouches for: refused, the notice waits for another attempt.
        var refused = await _bed.NewDispatcher(tls).DeliverDueAsync(default);
        _bed.Clock.Advance(TimeSpan.FromHours(2));
        var delivered = await _bed.NewDispatcher(pinned).DeliverDueAsync(default);

        Assert.Equal((0, 1), (refused, delivered));
        var envelope = Assert.Single(sink.Envelopes);
        Assert.Equal(["zhang@example.gov.cn"], envelope.To);
        await using var connection = await _bed.Database.OpenAsync(default);
        var firstError = await connection.ExecuteScalarAsync<string>("SELECT a.error FROM notice_attempts a JOIN notices n ON n.id = a.notice_id WHERE n.channel = 'email' AND a.attempt = 1");
        Assert.StartsWith("SMTP:", firstError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_switches_to_tls_with_starttls_where_the_host_asks_for_it_and_is_not_sent_in_the_clear()
    {
        await using var sink = new Infrastructure.SmtpSink(startTls: true);
        var plain = await YellowRequestToMailAsync(sink, "申请公开");
        Microsoft.Extensions.Configuration.IConfiguration With(string security) => new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddConfiguration(plain).AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Supervision:Smtp:Security"] = security,
            ["Supervision:Smtp:TrustedCertificate"] = sink.CertificateSha256,
        }).Build();

        // Told to stay plain, the mail is refused by a host that insists on TLS (530): nothing goes in the clear.
        var inClear = await _bed.NewDispatcher(With("none")).DeliverDueAsync(default);
        _bed.Clock.Advance(TimeSpan.FromHours(2));
        var upgraded = await _bed.NewDispatcher(With("starttls")).DeliverDueAsync(default);

        Assert.Equal((0, 1), (inClear, upgraded));
        var envelope = Assert.Single(sink.Envelopes);
        Assert.True(envelope.Encrypted);
        Assert.Equal("supervision@example.gov.cn", envelope.From);
        Assert.Equal(["zhang@example.gov.cn"], envelope.To);
        using var parsed = MimeKit.MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(envelope.Data)));
        Assert.Contains("申请公开", parsed.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mailbox_the_mail_host_refuses_fails_its_notice_at_once_with_the_hosts_words()
    {
        await using var sink = new Infrastructure.SmtpSink();
        sink.Refused["zhang@example.gov.cn"] = true;
        var configuration = await YellowRequestToMailAsync(sink, "申请公开");
        var dispatcher = _bed.NewDispatcher(configuration);

        var sent = await dispatcher.DeliverDueAsync(default);
        _bed.Clock.Advance(TimeSpan.FromHours(2));
        var later = await dispatcher.DeliverDueAsync(default);

        Assert.Equal((0, 0), (sent, later));
        Assert.Empty(sink.Envelopes);
        await using var connection = await _bed.Database.OpenAsync(default);
        var (status, attempts, error) = await connection.QuerySingleAsync<(string, long, string)>(
            "SELECT n.status, CAST(n.attempts AS bigint), a.error FROM notices n JOIN notice_attempts a ON a.notice_id = n.id WHERE n.channel = 'email'");
        Assert.Equal(("failed", 1L), (status, attempts));
        Assert.StartsWith("SMTP 550: zhang@example.gov.cn refused", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_title_with_line_breaks_is_mailed_on_one_subject_line_and_adds_no_header()
    {
        await using var sink = new Infrastructure.SmtpSink();
        var configuration = await YellowRequestToMailAsync(sink, "申请公开\r\nBcc: evil@example.com\r\nX-Injected: yes");

        var sent = await _bed.NewDispatcher(configuration).DeliverDueAsync(default);

        Assert.Equal(1, sent);
        var message = Assert.Single(sink.Messages);
        var headers = message.Split('\n').Select(line => line.TrimEnd('\r')).TakeWhile(line => line.Length > 0).ToList();
        Assert.DoesNotContain(headers, h => h.StartsWith("Bcc:", StringComparison.OrdinalIgnoreCase) || h.StartsWith("X-Injected:", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("evil@example.com", string.Join('\n', headers.Where(h => !h.StartsWith("Subject:", StringComparison.Ordinal) && !h.StartsWith(' ') && !h.StartsWith('\t'))), StringComparison.Ordinal);
        Assert.Single(headers, h => h.StartsWith("To:", StringComparison.Ordinal));
    }
}

public sealed class SqliteNoticeDeliveryTests() : NoticeDeliveryTests(DatabaseProvider.Sqlite);

[Trait("Provider", "PostgreSql")]
public sealed class PostgresNoticeDeliveryTests() : NoticeDeliveryTests(DatabaseProvider.PostgreSql);
