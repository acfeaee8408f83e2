using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Supervision.Engine.Organisation;
using Supervision.Host.People;
using Supervision.Host.Storage;
using Supervision.Host.Tests.Infrastructure;

namespace Supervision.Host.Tests.Api;

/// <summary>The published server speaking TLS itself (Kestrel with a certificate, as an office without a reverse
/// proxy runs it): signing in over https sets a cookie marked Secure, and the session works over https.</summary>
public sealed class TlsSessionTests
{
    [Fact]
    public async Task Over_tls_the_sign_in_cookie_is_secure_and_the_session_works()
    {
        await using var testDatabase = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using (var database = new Database(testDatabase.Settings))
        {
            var clock = TimeProvider.System;
            await new Migrator(database, clock).MigrateAsync(default);
            var office = await new DepartmentStore(database, clock).AddAsync(new Department { Name = "市政府办公室" }, default);
            var users = new UserStore(database, clock);
            await users.AddAsync(new User { Login = "zhang", DisplayName = "张经办", DepartmentId = office.Id, Role = "handler" }, default);
            await new Supervision.Host.People.Credentials(new TokenStore(database), users, clock).SetPasswordAsync("zhang", "correct horse battery", default);
        }

        // A certificate of the test's own for 127.0.0.1, trusted by this client only.
        using var certificate = Infrastructure.TestCertificates.SelfSignedForLoopback();
        var pfx = Path.Combine(Path.GetTempPath(), $"sv-tls-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "test-pfx"));
        try
        {
            await using var host = new RunningHost(new Dictionary<string, string>
            {
                ["SUPERVISION_DB"] = testDatabase.Settings.ConnectionString,
                ["ASPNETCORE_URLS"] = "https://127.0.0.1:0",
                ["ASPNETCORE_Kestrel__Certificates__Default__Path"] = pfx,
                ["ASPNETCORE_Kestrel__Certificates__Default__Password"] = "test-pfx",
            });
            var address = await host.ListeningAsync() ?? throw new InvalidOperationException(host.Output);
            Assert.Equal("https", address.Scheme);
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
                CookieContainer = new CookieContainer(),
            };
            using var browser = new HttpClient(handler) { BaseAddress = address };

            using var signIn = await browser.PostAsJsonAsync("/api/session", new { login = "zhang", password = "correct horse battery" });
            using var me = await browser.GetAsync(new Uri("/api/session", UriKind.Relative));

            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
            var attributes = SessionCookieTests.CookieAttributes(signIn);
            Assert.Contains("secure", attributes);
            Assert.Contains("httponly", attributes);
            Assert.Contains("samesite=strict", attributes);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            // Served over TLS, the server tells browsers to keep to it (a year), and its API answers are not cached.
            Assert.Equal("max-age=31536000", Assert.Single(me.Headers.GetValues("Strict-Transport-Security")));
            Assert.Equal("no-store", me.Headers.CacheControl!.ToString());
        }
        finally
        {
            File.Delete(pfx);
        }
    }
}
