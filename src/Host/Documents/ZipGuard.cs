using System.IO.Compression;

namespace Supervision.Host.Documents;

/// <summary>
/// Checks an Office file (a zip package: <c>.xlsx</c>, <c>.docx</c>) before a parser opens it: at most
/// <see cref="MaxEntries"/> parts and <see cref="MaxExpandedBytes"/> once inflated, counted by actually inflating
/// each part (the sizes a zip declares can lie), so a zip bomb is refused after a bounded amount of work and memory
/// instead of exhausting the machine.
/// </summary>
public static class ZipGuard
{
    public const int MaxEntries = 2_000;
    public const long MaxExpandedBytes = 100L * 1024 * 1024;

    /// <summary>Throws <see cref="InvalidDataException"/> naming the file when the package is not a zip or too large inflated.</summary>
    public static void Check(byte[] content, string file)
    {
        ArgumentNullException.ThrowIfNull(content);
        try
        {
            using var archive = new ZipArchive(new MemoryStream(content, writable: false), ZipArchiveMode.Read);
            if (archive.Entries.Count > MaxEntries)
            {
                throw new InvalidDataException($"{file}: the package holds {archive.Entries.Count} parts (at most {MaxEntries}); not a plan document");
            }

            var total = 0L;
            var buffer = new byte[81920];
            foreach (var entry in archive.Entries)
            {
                using var stream = entry.Open();
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    total += read;
                    if (total > MaxExpandedBytes)
                    {
                        throw new InvalidDataException($"{file}: the package inflates to more than {MaxExpandedBytes / 1024 / 1024} MB (a zip bomb or not a plan); nothing imported");
                    }
                }
            }
        }
        catch (Exception e) when (e is not InvalidDataException && e is IOException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"{file}: not a readable Office file ({e.Message})", e);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(file, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{file}: not a readable Office file ({e.Message})", e);
        }
    }
}
