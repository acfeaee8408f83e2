using System.Diagnostics;

namespace Supervision.Host.Tests.Infrastructure;

/// <summary>
/// A file system of a test's own and of a fixed size (tmpfs), to fill up or to remount read-only under a running
/// server: a disk that is full or has gone read-only, for real. Mounting needs root (the test command runs these tests
/// only as root, and fails under CI=true when it cannot).
/// </summary>
public sealed class SmallDisk : IAsyncDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    /// <summary>Bytes free on the file system now.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    public static async Task<SmallDisk> MountAsync(long bytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sv-small-disk-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        await RunAsync("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", path);
        return new SmallDisk(path);
    }

    /// <summary>Fills the disk up to all but <paramref name="leave"/> bytes with a file that <see cref="FreeUp"/> deletes.</summary>
    public void FillLeaving(long leave)
    {
        using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.Create, FileAccess.Write);
        var block = new byte[64 * 1024];
        Array.Fill(block, (byte)0x5a);
        while (FreeBytes > leave + block.Length)
        {
            filler.Write(block);
            filler.Flush();
        }
    }

    /// <summary>Deletes the filler: what an operator does when told the disk is full.</summary>
    public void FreeUp() => File.Delete(System.IO.Path.Combine(Path, "filler"));

    /// <summary>Remounts the file system read-only (as the kernel does after disk errors) or writable again.</summary>
    public Task RemountAsync(bool readOnly) => RunAsync("mount", "-o", readOnly ? "remount,ro" : "remount,rw", Path);

    public async ValueTask DisposeAsync()
    {
        await RunAsync("umount", "-l", Path);
        Directory.Delete(Path);
    }

    private static async Task RunAsync(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}. These tests need root to mount a small file system.");
        }
    }
}
