using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Supervision.Host.Tests.Infrastructure;

/// <summary>One message as the SMTP conversation carried it: the envelope (MAIL FROM, RCPT TO), the raw text, and
/// whether the conversation was encrypted when it came.</summary>
public sealed record SinkMessage(string From, IReadOnlyList<string> To, string Data, bool Encrypted = false);

/// <summary>A minimal SMTP server on loopback that accepts every message (but for the recipients it is told to
/// refuse, answered 550 as a mail host answers an unknown mailbox) and keeps its envelope and raw text.</summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private readonly X509Certificate2? _certificate;
    private readonly bool _implicitTls;
    private readonly bool _startTls;

    /// <summary>A sink speaking plain SMTP, or with <paramref name="implicitTls"/> TLS from the first byte (as port 465
    /// does), or with <paramref name="startTls"/> plain at first, offering STARTTLS and refusing mail until the client
    /// has switched (as port 587 does); TLS under a self-signed certificate for 127.0.0.1 (its SHA-256 in
    /// <see cref="CertificateSha256"/>).</summary>
    public SmtpSink(bool implicitTls = false, bool startTls = false)
    {
        _implicitTls = implicitTls;
        _startTls = startTls;
        if (implicitTls || startTls)
        {
            using var created = TestCertificates.SelfSignedForLoopback(days: 1);
            _certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
            CertificateSha256 = Convert.ToHexString(_certificate.GetCertHash(HashAlgorithmName.SHA256));
        }

        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>The SHA-256 fingerprint of the TLS certificate (hex), when the sink speaks TLS.</summary>
    public string? CertificateSha256 { get; }

    public System.Collections.Concurrent.ConcurrentQueue<string> Messages { get; } = new();

    /// <summary>Each accepted message with its envelope.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<SinkMessage> Envelopes { get; } = new();

    /// <summary>Recipients answered <c>550 5.1.1</c> at RCPT TO.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, bool> Refused { get; } = new(StringComparer.OrdinalIgnoreCase);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            Stream stream = client.GetStream();
            var encrypted = false;
            if (_implicitTls)
            {
                if (await SecureAsync(stream) is not { } tls)
                {
                    return;
                }

                (stream, encrypted) = (tls, true);
            }

            var reader = new StreamReader(stream, Encoding.UTF8);
            var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 sink ready");
            var from = string.Empty;
            var to = new List<string>();
            while (await reader.ReadLineAsync() is { } line)
            {
                var verb = line.Split(' ')[0].ToUpperInvariant();
                if (_startTls && !encrypted && verb is "MAIL" or "RCPT" or "DATA" or "AUTH")
                {
                    await writer.WriteLineAsync("530 5.7.0 Must issue a STARTTLS command first");
                    continue;
                }

                switch (verb)
                {
                    case "STARTTLS" when _startTls && !encrypted:
                        await writer.WriteLineAsync("220 2.0.0 Ready to start TLS");
                        if (await SecureAsync(client.GetStream()) is not { } upgraded)
                        {
                            return;
                        }

                        (stream, encrypted) = (upgraded, true);
                        reader = new StreamReader(stream, Encoding.UTF8);
                        writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
                        break;
                    case "MAIL":
                        from = Address(line);
                        to = [];
                        await writer.WriteLineAsync("250 ok");
                        break;
                    case "RCPT":
                        var recipient = Address(line);
                        if (Refused.ContainsKey(recipient))
                        {
                            await writer.WriteLineAsync($"550 5.1.1 <{recipient}>: Recipient address rejected: User unknown");
                        }
                        else
                        {
                            to.Add(recipient);
                            await writer.WriteLineAsync("250 ok");
                        }

                        break;
                    case "EHLO":
                        await writer.WriteLineAsync(_startTls && !encrypted ? "250-sink\r\n250 STARTTLS" : "250 sink");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 sink");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 end with .");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync() is { } body && body != ".")
                        {
                            data.AppendLine(body);
                        }

                        Messages.Enqueue(data.ToString());
                        Envelopes.Enqueue(new SinkMessage(from, to, data.ToString(), encrypted));
                        await writer.WriteLineAsync("250 queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 ok");
                        break;
                }
            }
        }
    }

    // TLS as the server over the connection; null when the client refused the certificate (no conversation then).
    private async Task<SslStream?> SecureAsync(Stream stream)
    {
        var tls = new SslStream(stream, leaveInnerStreamOpen: true);
        try
        {
            await tls.AuthenticateAsServerAsync(_certificate!);
            return tls;
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            await tls.DisposeAsync();
            return null;
        }
    }

    // "MAIL FROM:<a@b> SIZE=1" → "a@b".
    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', start + 1);
        return start >= 0 && end > start ? line[(start + 1)..end] : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _certificate?.Dispose();
    }
}
