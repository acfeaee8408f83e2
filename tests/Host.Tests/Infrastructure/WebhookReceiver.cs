using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Supervision.Host.Tests.Infrastructure;

/// <summary>One webhook POST as it arrived.</summary>
public sealed record ReceivedHook(string Body, string? Timestamp, string? Signature, string? Key, DateTimeOffset At);

/// <summary>A webhook receiver on loopback (a real HTTP server) that keeps every POST to <c>/hook</c> and answers <see cref="Status"/>.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedHook> Received { get; } = new();

    public int Status { get; set; } = 200;

    /// <summary>The JSON body answered with <see cref="Status"/> (a group robot's <c>{"errcode": …}</c>); none when null.</summary>
    public string? Answer { get; set; }

    /// <summary>How long the receiver takes over each post before answering (a slow receiver keeps a run going).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>The address to configure as a department's webhook.</summary>
    public string Address { get; private set; } = "";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var receiver = new WebhookReceiver(builder.Build());
        receiver._app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            receiver.Received.Enqueue(new ReceivedHook(body, request.Headers["X-Supervision-Timestamp"], request.Headers["X-Supervision-Signature"], request.Headers["Idempotency-Key"], DateTimeOffset.UtcNow));
            if (receiver.Delay > TimeSpan.Zero)
            {
                await Task.Delay(receiver.Delay);
            }

            return receiver.Answer is { } answer
                ? Results.Content(answer, "application/json", statusCode: receiver.Status)
                : Results.StatusCode(receiver.Status);
        });
        await receiver._app.StartAsync();
        receiver.Address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";
        return receiver;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
