using System.Text.Json;
using System.Text.Json.Serialization;

namespace FeatureViz.Cli.Output;

/// <summary>One finished image in manifest.json.</summary>
internal sealed class ManifestItem
{
    public required string Name { get; init; }
    public required string File { get; init; }
    public string? Animation { get; init; }
    public required string Objective { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required double FinalLoss { get; init; }
    public required IReadOnlyList<double> Losses { get; init; }
    public required double Seconds { get; init; }
}

/// <summary>
/// manifest.json: what a run produced and every parameter it used. It is rewritten (atomically) after each batch, so
/// it always describes exactly the complete files in the folder; <see cref="Complete"/> is false for an interrupted run.
/// </summary>
internal sealed class Manifest
{
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string Tool { get; init; } = "featureviz";
    public string Version { get; init; } = typeof(Manifest).Assembly.GetName().Version?.ToString(3) ?? "0";
    public required string Command { get; init; }
    public required string Title { get; init; }
    public required string Model { get; init; }
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public IReadOnlyList<string> Objectives { get; init; } = [];
    public bool Complete { get; set; }
    public DateTimeOffset Updated { get; set; }
    public List<ManifestItem> Items { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads an existing manifest, or null when absent or unreadable (then nothing is reused).</summary>
    public static Manifest? TryRead(string path)
    {
        if (!System.IO.File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<Manifest>(System.IO.File.ReadAllText(path), Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
