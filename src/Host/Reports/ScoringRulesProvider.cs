using Supervision.Engine.Reports;

namespace Supervision.Host.Reports;

/// <summary>
/// The assessment rules in force: the file <c>Supervision:Scoring:File</c> names, or the shipped
/// <c>seeds/scoring/default.json</c>. Read once at start; a broken file stops the server with every problem named.
/// </summary>
public sealed class ScoringRulesProvider
{
    public const string FileKey = "Supervision:Scoring:File";

    public ScoringRulesProvider(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = configuration[FileKey] ?? Path.Combine(AppContext.BaseDirectory, "seeds", "scoring", "default.json");
        string json;
        try
        {
            json = System.IO.File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new ScoringRulesException(path, [$"cannot be read ({e.Message}); set {FileKey} to a scoring file"]);
        }

        Source = path;
        Rules = Scoring.Parse(json, path);
    }

    public string Source { get; }

    public ScoringRules Rules { get; }
}
