using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Supervision.Host.Storage;

namespace Supervision.Host.Notices;

/// <summary>
/// Delivers notices over the external channels: a generic webhook (JSON POST with <c>X-Supervision-Timestamp</c>,
/// <c>X-Supervision-Signature: sha256=HMAC(secret, timestamp + "." + body)</c> and <c>Idempotency-Key</c>), and the
/// WeCom and DingTalk group-robot formats (DingTalk with its signed-URL option). Each run claims due notices in
/// batches with a lease (<c>Supervision:Notices:Lease</c>, default 2 minutes), and renews each notice's lease, only if
/// still its own, just before sending it, so two instances never send the same one at once even when a batch outlives
/// its lease; it sends outside any transaction and records every attempt. A crashed instance's claimed notices are
/// taken by another once the lease ends. A failure waits with exponential backoff and jitter; after <see cref="MaxAttempts"/> the notice ends as
/// failed, visible to admins, never silently dropped. Each endpoint has a timeout and a circuit breaker.
/// <para>A group robot's 200 is not yet a delivery: its body says whether it took the message
/// (<see cref="RobotAnswers"/>). A rate limit or a busy robot is retried with backoff; a refusal (a wrong key, a failed
/// signature, a keyword rule) fails the notice at once with the robot's words. Each robot is sent at most
/// <c>Supervision:Notices:RobotPerMinute</c> messages a minute (default 20, the rate both robots allow) by this
/// instance: a notice over the rate waits for the next free slot without spending an attempt. Several instances pace
/// each on their own; a robot's rate-limit answer is then retried like any other.</para>
/// </summary>
public sealed class NoticeDispatcher(Database database, IHttpClientFactory http, TimeProvider clock, ILogger<NoticeDispatcher> logger, IConfiguration? configuration = null)
{
    public const int MaxAttempts = 8;
    public const int BatchSize = 50;
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, ResiliencePipeline> _pipelines = new();
    private readonly DispatchQueries _queries = new(database);
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _robotSends = new(StringComparer.Ordinal);

    private int RobotPerMinute => Math.Max(1, configuration?.GetValue("Supervision:Notices:RobotPerMinute", 20) ?? 20);

    // At least the send timeout and a margin: a lease must outlast one send.
    private TimeSpan Lease => configuration?.GetValue("Supervision:Notices:Lease", TimeSpan.FromMinutes(2)) is { } lease && lease >= SendTimeout * 1.5 ? lease : TimeSpan.FromMinutes(2);

    /// <summary>Delivers everything due, batch by batch; returns how many were delivered.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var delivered = 0;
        for (var round = 0; round < 200; round++)
        {
            var (claimed, sent) = await DeliverBatchAsync(cancellationToken);
            delivered += sent;
            if (claimed < BatchSize)
            {
                break;
            }
        }

        return delivered;
    }

    private async Task<(int Claimed, int Delivered)> DeliverBatchAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var claim = Whole(now + Lease);
        var due = await _queries.ClaimAsync(now, claim, BatchSize, cancellationToken);

        var delivered = 0;
        foreach (var notice in due)
        {
            if (IsRobot(notice.Channel) && NextRobotSlot(notice.Address, clock.GetUtcNow()) is { } slot)
            {
                // This robot has had its messages for the minute: the notice waits for the next free slot, no attempt spent.
                await _queries.RenewAsync(notice.Id, claim, Whole(slot), cancellationToken);
                continue;
            }

            if (!await RenewAsync(notice.Id, claim, cancellationToken))
            {
                // The batch outlived its lease and another instance has taken this one.
                continue;
            }

            var secret = await _queries.SecretAsync(notice, cancellationToken);
            string? error = null;
            var final = false;
            try
            {
                var pipeline = _pipelines.GetOrAdd(notice.Address, _ => new ResiliencePipelineBuilder()
                    .AddCircuitBreaker(new CircuitBreakerStrategyOptions { FailureRatio = 0.5, MinimumThroughput = 4, BreakDuration = TimeSpan.FromMinutes(1), SamplingDuration = TimeSpan.FromMinutes(2) })
                    .AddTimeout(SendTimeout)
                    .Build());
                await pipeline.ExecuteAsync(async ct => await SendAsync(notice, secret, ct), cancellationToken);
            }
            catch (NoticeRefusedException e)
            {
                // Sending it again would be refused the same way: failed now, the robot's words kept.
                (error, final) = (e.Message, true);
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or TaskCanceledException)
            {
                error = e.Message;
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                // A message that cannot even be built (a stored address that is not one): this notice's failed
                // attempt, retried and in the end shown as failed, never the rest of the batch's.
                error = $"cannot be sent as stored: {e.Message}";
            }
            catch (Exception e) when (e is not System.Data.Common.DbException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                // Anything else one send throws (an address whose scheme no client speaks, a TLS or socket failure
                // outside the HTTP stack) is that notice's failed attempt too: one poisoned notice must not end
                // every run at itself and hold back the notices behind it. Shutting down and database failures still
                // end the run; the notice is then taken again when its lease ends.
                logger.LogError(e, "Notice {Notice} over {Channel} failed unexpectedly", notice.Id, notice.Channel);
                error = $"{e.GetType().Name}: {e.Message}";
            }

            await RecordAsync(notice, error, final, cancellationToken);
            delivered += error is null ? 1 : 0;
        }

        return (due.Count, delivered);
    }

    // Extends this instance's lease on one notice for the length of one send, if the lease is still the one it claimed.
    private Task<bool> RenewAsync(long id, DateTimeOffset claim, CancellationToken cancellationToken) =>
        _queries.RenewAsync(id, claim, Whole(clock.GetUtcNow() + Lease), cancellationToken);

    private static bool IsRobot(string channel) => channel is "wecom" or "dingtalk";

    // Null when the robot at this address may take one more message now (and counts it); otherwise the instant its
    // oldest message of the last minute leaves the window.
    private DateTimeOffset? NextRobotSlot(string address, DateTimeOffset now)
    {
        var sends = _robotSends.GetOrAdd(address, _ => new Queue<DateTimeOffset>());
        lock (sends)
        {
            while (sends.Count > 0 && sends.Peek() <= now - TimeSpan.FromMinutes(1))
            {
                sends.Dequeue();
            }

            if (sends.Count >= RobotPerMinute)
            {
                return sends.Peek() + TimeSpan.FromMinutes(1);
            }

            sends.Enqueue(now);
            return null;
        }
    }

    // Whole milliseconds, so the value compares equal after a round trip through either database.
    private static DateTimeOffset Whole(DateTimeOffset at) => new(at.Ticks - (at.Ticks % TimeSpan.TicksPerMillisecond), at.Offset);

    // Sends one notice; answers what the receiver said (its status and the beginning of its body, or the mail host's reply).
    private async Task<string> SendAsync(DueNotice notice, string? secret, CancellationToken cancellationToken)
    {
        if (notice.Channel == "email")
        {
            return await MailAsync(notice, cancellationToken);
        }

        var client = http.CreateClient("notices");
        var timestamp = clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        string body;
        var address = notice.Address;
        switch (notice.Channel)
        {
            case "wecom":
            case "dingtalk":
                body = JsonSerializer.Serialize(new { msgtype = "text", text = new { content = $"{notice.Subject}\n{notice.Body}" } });
                if (notice.Channel == "dingtalk" && secret is not null)
                {
                    // DingTalk's signed robots: timestamp and Base64(HMAC-SHA256(secret, timestamp + "\n" + secret)) on the URL.
                    var sign = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}\n{secret}")));
                    address += (address.Contains('?', StringComparison.Ordinal) ? "&" : "?") + $"timestamp={timestamp}&sign={Uri.EscapeDataString(sign)}";
                }

                break;
            default:
                body = JsonSerializer.Serialize(new { key = notice.NoticeKey, kind = notice.Kind, subject = notice.Subject, body = notice.Body, itemId = notice.ItemId, @event = notice.Event, createdAt = notice.CreatedAt });
                break;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, address) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", notice.NoticeKey);
        if (notice.Channel == "webhook")
        {
            request.Headers.TryAddWithoutValidation("X-Supervision-Timestamp", timestamp);
            if (secret is not null)
            {
                var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
                request.Headers.TryAddWithoutValidation("X-Supervision-Signature", $"sha256={signature}");
            }
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase} from {notice.Channel} {new Uri(notice.Address).Host}");
        }

        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        if (IsRobot(notice.Channel))
        {
            // A robot answers 200 to a message it refuses: its body says.
            var (verdict, reason) = RobotAnswers.Read(notice.Channel, answer);
            switch (verdict)
            {
                case RobotVerdict.Retry:
                    throw new HttpRequestException(reason);
                case RobotVerdict.Refused:
                    throw new NoticeRefusedException(reason!);
            }
        }

        var said = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        return string.IsNullOrWhiteSpace(answer) ? said : $"{said}: {(answer.Length > 300 ? answer[..300] + "…" : answer)}";
    }

    /// <summary>
    /// Sends a test message to a channel now, outside the outbox, as its notices are sent (signed with its secret,
    /// within the robot's messages per minute); answers whether it arrived and what the robot or server said.
    /// </summary>
    internal async Task<(bool Delivered, string Answer)> TestAsync(string channel, string address, string? secret, string department, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (IsRobot(channel) && NextRobotSlot(address, now) is { } slot)
        {
            return (false, $"this robot has had {RobotPerMinute} messages in the last minute; try again after {slot:HH:mm:ss} UTC");
        }

        var notice = new DueNotice
        {
            NoticeKey = $"test:{Guid.NewGuid():N}",
            Channel = channel,
            Kind = "test",
            Address = address,
            Subject = "【测试】督办系统通知渠道测试",
            Body = $"这是发给{department}的测试消息，收到即表示通知渠道可用。This is a test message: the channel works.",
            CreatedAt = now,
        };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(SendTimeout);
            return (true, await SendAsync(notice, secret, timeout.Token));
        }
        catch (Exception e) when (e is HttpRequestException or NoticeRefusedException or TaskCanceledException or FormatException or ArgumentException or InvalidOperationException)
        {
            return (false, e is TaskCanceledException && !cancellationToken.IsCancellationRequested ? $"no answer within {SendTimeout.TotalSeconds:0} seconds" : e.Message);
        }
    }

    // E-mail over SMTP with MailKit: Supervision:Smtp:Host, Port (25), From, Security (none, starttls or tls: implicit
    // TLS, as port 465 takes it; by default tls on 465, starttls when EnableSsl is set, else STARTTLS whenever the
    // server offers it), User, Password, TrustedCertificate (the SHA-256 fingerprint of a mail host's certificate that
    // no trusted authority signed: an office's own CA or a self-signed one; any other certificate must validate).
    // The envelope's recipient is the person's address alone.
    private async Task<string> MailAsync(DueNotice notice, CancellationToken cancellationToken)
    {
        var smtp = configuration?.GetSection("Supervision:Smtp");
        var host = smtp?["Host"];
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new HttpRequestException("Supervision:Smtp:Host is not set; e-mail cannot be sent.");
        }

        var section = smtp!;
        var port = section.GetValue("Port", 25);
        var security = section["Security"]?.Trim().ToLowerInvariant() switch
        {
            "none" => MailKit.Security.SecureSocketOptions.None,
            "starttls" => MailKit.Security.SecureSocketOptions.StartTls,
            "tls" or "ssl" => MailKit.Security.SecureSocketOptions.SslOnConnect,
            null or "" => port == 465 ? MailKit.Security.SecureSocketOptions.SslOnConnect
                : section.GetValue("EnableSsl", false) ? MailKit.Security.SecureSocketOptions.StartTls
                : MailKit.Security.SecureSocketOptions.StartTlsWhenAvailable,
            var other => throw new NoticeRefusedException($"Supervision:Smtp:Security is '{other}'; expected none, starttls or tls."),
        };

        using var message = new MimeKit.MimeMessage();
        message.From.Add(MimeKit.MailboxAddress.Parse(section["From"] ?? "supervision@localhost"));
        message.To.Add(MimeKit.MailboxAddress.Parse(notice.Address));
        message.Subject = OneLine(notice.Subject);
        message.Headers.Add("X-Supervision-Notice", notice.NoticeKey);
        message.Body = new MimeKit.TextPart(MimeKit.Text.TextFormat.Plain) { Text = notice.Body };

        using var client = new MailKit.Net.Smtp.SmtpClient { Timeout = (int)SendTimeout.TotalMilliseconds };
        if (section["TrustedCertificate"] is { Length: > 0 } pinned)
        {
            var fingerprint = pinned.Replace(":", string.Empty, StringComparison.Ordinal).Trim();
            client.ServerCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None
                || (certificate is not null && string.Equals(Convert.ToHexString(certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256)), fingerprint, StringComparison.OrdinalIgnoreCase));
        }

        try
        {
            await client.ConnectAsync(host, port, security, cancellationToken);
            if (section["User"] is { Length: > 0 } user)
            {
                await client.AuthenticateAsync(user, section["Password"] ?? string.Empty, cancellationToken);
            }

            var answer = await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return answer;
        }
        catch (MailKit.Net.Smtp.SmtpCommandException e) when ((int)e.StatusCode >= 500 && e.ErrorCode == MailKit.Net.Smtp.SmtpErrorCode.RecipientNotAccepted)
        {
            // The mail host refuses this address for good (no such mailbox): sending again cannot change that.
            throw new NoticeRefusedException($"SMTP {(int)e.StatusCode}: {notice.Address} refused: {e.Message}");
        }
        catch (Exception e) when (e is MailKit.Net.Smtp.SmtpCommandException or MailKit.Net.Smtp.SmtpProtocolException or MailKit.Security.AuthenticationException
            or MailKit.Security.SslHandshakeException or MailKit.ServiceNotConnectedException or IOException or System.Net.Sockets.SocketException)
        {
            throw new HttpRequestException($"SMTP: {e.Message}", e);
        }
    }

    // final: the attempt failed in a way another attempt cannot change (a robot's refusal).
    private async Task RecordAsync(DueNotice notice, string? error, bool final, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var attempt = notice.Attempts + 1;
        if (error is null)
        {
            await _queries.RecordDeliveredAsync(notice, attempt, now, cancellationToken);
            return;
        }

        var failed = final || attempt >= MaxAttempts;
        var backoff = TimeSpan.FromSeconds(Math.Min(3600, 5 * Math.Pow(2, attempt))) + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 1000));
        await _queries.RecordFailedAsync(notice, attempt, now, error, failed ? null : now + backoff, cancellationToken);
        logger.LogWarning("Notice {Notice} over {Channel}: attempt {Attempt} failed ({Error}){Final}", notice.Id, notice.Channel, attempt, error, failed ? "; given up" : string.Empty);
    }

    /// <summary>A subject on one line: line breaks and other control characters in what it quotes (an item's title
    /// as entered or imported) become spaces, so they can neither add a header nor make the message unsendable.</summary>
    internal static string OneLine(string subject) =>
        string.Join(' ', new string(subject.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Split(' ', StringSplitOptions.RemoveEmptyEntries));
}

/// <summary>A notice its receiver refused for good (a group robot's non-zero, non-transient <c>errcode</c>).</summary>
public sealed class NoticeRefusedException(string message) : Exception(message);
