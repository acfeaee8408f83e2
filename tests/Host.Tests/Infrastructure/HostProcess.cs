using System.Diagnostics;

namespace Supervision.Host.Tests.Infrastructure;

/// <summary>Runs the built server executable as its own process, as an operator would.</summary>
public static class HostProcess
{
    /// <summary>The built Supervision.Host.dll of the same configuration as the tests.</summary>
    public static string Executable
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(Import.RepositoryRoot.Path, "src", "Host", "bin", configuration, "net10.0", "Supervision.Host.dll");
        }
    }

    /// <summary>Runs the server with arguments and environment until it exits (or kills it after two minutes).</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(Executable);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The server did not exit: {await output}{await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}

/// <summary>A running server process whose output is collected line by line; killed on dispose.</summary>
public sealed class RunningHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly SemaphoreSlim _changed = new(0);

    public RunningHost(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(HostProcess.Executable);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The server's process id (to signal it directly, without walking the process tree).</summary>
    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>Waits until a line contains <paramref name="text"/> (or the process exits, or two minutes pass).</summary>
    public async Task<bool> WaitForAsync(string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                return Output.Contains(text, StringComparison.Ordinal);
            }

            try
            {
                await _changed.WaitAsync(TimeSpan.FromMilliseconds(200), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The address the server listens on, once it says so (null if it exits or does not within two minutes).</summary>
    public async Task<Uri?> ListeningAsync()
    {
        if (!await WaitForAsync("Now listening on: "))
        {
            return null;
        }

        var match = System.Text.RegularExpressions.Regex.Match(Output, @"Now listening on: (\S+)");
        return match.Success ? new Uri(match.Groups[1].Value) : null;
    }

    /// <summary>The most memory the process has held resident so far (Linux's VmHWM), or null where /proc does not say.</summary>
    public long? PeakResidentBytes
    {
        get
        {
            var status = $"/proc/{_process.Id}/status";
            var line = File.Exists(status) ? File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
    }

    /// <summary>Kills the process outright (SIGKILL): no shutdown code runs, as in a crash or a power cut.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }

        _changed.Release();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _changed.Dispose();
    }
}
