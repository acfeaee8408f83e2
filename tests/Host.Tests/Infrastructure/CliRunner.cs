namespace Supervision.Host.Tests.Infrastructure;

/// <summary>Runs the program's command line in process and captures what it prints.</summary>
public static class CliRunner
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Supervision.Host.Cli.Cli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
