using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Supervision.Host.Tests.Infrastructure;

/// <summary>One message as the SMTP conversation carried it: the envelope (MAIL FROM, RCPT TO) and the raw text.</summary>
public sealed record SinkMessage(string From, IReadOnlyList<string> To, string Data);

/// <summary>A minimal SMTP server on loopback that accepts every message (but for the recipients it is told to
/// refuse, answered 550 as a mail host answers an unknown mailbox) and keeps its envelope and raw text.</summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private readonly X509Certificate2? _certificate;

    /// <summary>A sink speaking plain SMTP, or with <paramref name="implicitTls"/> TLS from the first byte (as port 465
    /// does) under a self-signed certificate for 127.0.0.1 (its SHA-256 in <see cref="CertificateSha256"/>).</summary>
    public SmtpSink(bool implicitTls = false)
    {
        if (implicitTls)
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
            if (_certificate is not null)
            {
                var tls = new SslStream(stream);
                try
                {
                    await tls.AuthenticateAsServerAsync(_certificate);
                }
                catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
                {
                    // The client refused the certificate: no conversation.
                    await tls.DisposeAsync();
                    return;
                }

                stream = tls;
            }

            using var reader = new StreamReader(stream, Encoding.UTF8);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 sink ready");
            var from = string.Empty;
            var to = new List<string>();
            while (await reader.ReadLineAsync() is { } line)
            {
                var verb = line.Split(' ')[0].ToUpperInvariant();
                switch (verb)
                {
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
                        Envelopes.Enqueue(new SinkMessage(from, to, data.ToString()));
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
