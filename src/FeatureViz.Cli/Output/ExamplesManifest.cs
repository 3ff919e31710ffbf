using System.Text.Json;
using System.Text.Json.Serialization;
using FeatureViz.Tensors.IO;

namespace FeatureViz.Cli.Output;

/// <summary>One top image of an objective in examples.json: its rank (1 = best), source, score and thumbnail files.</summary>
internal sealed record ExamplesImage(int Rank, string Source, double Score, string? File, string? Crop);

/// <summary>The receptive field of a neuron objective in the model input image (pixels).</summary>
internal sealed record ExamplesRegion(int X, int Y, int Width, int Height);

/// <summary>The top images of one objective (the same name as the render item of that objective, so index.html pairs them).</summary>
internal sealed record ExamplesObjective(string Name, string Stem, ExamplesRegion? ReceptiveField, IReadOnlyList<ExamplesImage> Images);

/// <summary>A file of the image folder that was skipped, and why.</summary>
internal sealed record ExamplesSkip(string Path, string Failure, string Message);

/// <summary>
/// examples.json, the dataset-examples part of an output folder (beside render's manifest.json, which a later render
/// rewrites without knowing it): what <c>featureviz examples</c> found, rewritten atomically at the end of each run.
/// </summary>
internal sealed class ExamplesManifest
{
    public const string FileName = "examples.json";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public required string Model { get; init; }
    public required string Images { get; init; }
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public bool Complete { get; init; }
    public int ImagesScored { get; init; }
    public int SkippedCount { get; init; }
    public IReadOnlyList<ExamplesSkip> Skipped { get; init; } = [];
    public IReadOnlyList<ExamplesObjective> Objectives { get; init; } = [];
    public DateTimeOffset Updated { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The examples part of <paramref name="directory"/>, or null when absent or unreadable.</summary>
    public static ExamplesManifest? TryRead(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!System.IO.File.Exists(path)) return null;
        try
        {
            var m = JsonSerializer.Deserialize<ExamplesManifest>(UserFile.ReadAllBytes(path, Manifest.MaxBytes, FileName), Json);
            bool wellFormed = m is { Model: not null, Images: not null, Parameters: not null, Objectives: not null, Skipped: not null }
                              && m.Objectives.All(o => o?.Name is not null && o.Images is not null
                                                       && o.Images.All(i => i is not null && Safe(i.File) && Safe(i.Crop)));
            return wellFormed ? m : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }

        static bool Safe(string? file) => file is null || OutputFolder.IsPlainFileName(file);
    }
}
