using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Supervision.Host.Tests.Infrastructure;

/// <summary>Certificates of the tests' own: trusted by no authority, only where a test says so.</summary>
public static class TestCertificates
{
    /// <summary>A self-signed certificate with its private key for 127.0.0.1 (subject and IP address), valid from a
    /// day ago for <paramref name="days"/> days.</summary>
    public static X509Certificate2 SelfSignedForLoopback(int days = 30)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(days));
    }
}
