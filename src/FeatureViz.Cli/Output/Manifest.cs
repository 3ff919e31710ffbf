using System.Text.Json;
using System.Text.Json.Serialization;
using FeatureViz.Tensors.IO;

namespace FeatureViz.Cli.Output;

/// <summary>One finished image in manifest.json.</summary>
internal sealed record ManifestItem
{
    /// <summary>
    /// The parameters that change an image's pixels: an image is reused only when all of these equal the run's. The
    /// batch size and the batch an image was optimized in are recorded but not compared (a gallery may be continued with
    /// another <c>--batch</c>).
    /// </summary>
    public static readonly IReadOnlyList<string> PixelParameters =
        ["objective", "model", "steps", "size", "lr", "lrSchedule", "optimizer", "seed", "parametrization", "decay", "transforms", "regularizers", "warmup", "saveEvery", "valuesRange", "saveSize", "spectrum", "crops", "boxSize", "noise", "accentuation"];

    public required string Name { get; init; }
    public required string File { get; init; }
    public string? Animation { get; init; }

    /// <summary>The CPPN weights file (<c>--param cppn</c>), to draw the image again at any size.</summary>
    public string? CppnWeights { get; init; }

    /// <summary>MaCo: the PNG with the transparency map as its alpha channel.</summary>
    public string? Transparency { get; init; }

    /// <summary>MaCo: the transparency map alone, an 8-bit grayscale PNG.</summary>
    public string? TransparencyMap { get; init; }

    /// <summary>SHA-256 of the <see cref="Transparency"/> and <see cref="TransparencyMap"/> files' bytes, joined by a comma.</summary>
    public string? TransparencySha256 { get; init; }
    public required string Objective { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required double FinalLoss { get; init; }

    /// <summary>The batch's loss curve: every step's loss, or for long runs bucket means at <see cref="CurveSteps"/> (see <see cref="ManifestCurve"/>).</summary>
    public required IReadOnlyList<double> Losses { get; init; }

    /// <summary>The last step (1-based) of each point of <see cref="Losses"/> and <see cref="ObjectiveValues"/>; absent when every step is stored.</summary>
    public IReadOnlyList<int>? CurveSteps { get; init; }

    /// <summary>This image's own objective value (to maximise) at the points of <see cref="Losses"/>; absent in manifests from before it was recorded.</summary>
    public IReadOnlyList<double>? ObjectiveValues { get; init; }

    /// <summary>This image's objective value at the last step.</summary>
    public double? FinalObjective { get; init; }

    public required double Seconds { get; init; }

    /// <summary>Every parameter the image was rendered with (<see cref="PixelParameters"/> and the batch size).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>The names of the images optimized together with this one, in batch order (itself included).</summary>
    public IReadOnlyList<string> BatchItems { get; init; } = [];

    /// <summary>SHA-256 (lower-case hex) of the PNG file's bytes.</summary>
    public string? Sha256 { get; init; }

    /// <summary>SHA-256 of the image's RGB pixel bytes (row-major, 3 bytes a pixel): also embedded in the PNG, to check it when the manifest is lost.</summary>
    public string? PixelsSha256 { get; init; }

    /// <summary>SHA-256 of the GIF file's bytes, when there is one.</summary>
    public string? AnimationSha256 { get; init; }

    /// <summary>True when the pixel parameters equal <paramref name="wanted"/>'s.</summary>
    public bool SameImageAs(IReadOnlyDictionary<string, string> wanted) =>
        PixelParameters.All(k => Parameters.GetValueOrDefault(k) == wanted.GetValueOrDefault(k));

    /// <summary>Every file the item names in its folder: the PNG, and the animation, CPPN weights and MaCo maps when present.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<string> Files =>
        new[] { File, Animation, CppnWeights, Transparency, TransparencyMap }.OfType<string>();

    /// <summary>Why the item is unusable (null fields, a file name that leaves the folder), or null when it is well-formed.</summary>
    internal string? Problem()
    {
        if (Name is null || File is null || Objective is null || Losses is null || Parameters is null || BatchItems is null)
            return "an item has missing fields";
        if (!Files.All(OutputFolder.IsPlainFileName))
            return $"item '{Name}' names a file outside the folder";
        if ((CurveSteps is not null && CurveSteps.Count != Losses.Count) || (ObjectiveValues is not null && ObjectiveValues.Count != Losses.Count))
            return $"item '{Name}' has curves of different lengths";
        return null;
    }
}

/// <summary>
/// manifest.json: what a run produced and every parameter it used. It is rewritten (atomically) after each batch, so
/// it always describes exactly the complete files in the folder; <see cref="Complete"/> is false for an interrupted run.
/// </summary>
internal sealed class Manifest
{
    public const string FileName = "manifest.json";

    /// <summary>
    /// The largest manifest.json read (256 MiB: 100,000 images with their loss curves fit well within it); a larger
    /// one is treated as damaged and rebuilt from the images.
    /// </summary>
    public const long MaxBytes = 256L << 20;

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
    public static Manifest? TryRead(string path) => Read(path, out _);

    /// <summary>
    /// Reads a manifest and checks its structure. Returns null when the file is absent (<paramref name="problem"/>
    /// null) or damaged (<paramref name="problem"/> says how: not JSON, missing or null fields, unsafe file names).
    /// </summary>
    public static Manifest? Read(string path, out string? problem)
    {
        problem = null;
        if (!System.IO.File.Exists(path)) return null;
        Manifest? m;
        try
        {
            // Through UserFile: a FIFO, device or oversized file named manifest.json is damaged, never read (a FIFO would block).
            m = JsonSerializer.Deserialize<Manifest>(UserFile.ReadAllBytes(path, MaxBytes, FileName), Json);
        }
        catch (JsonException e)
        {
            problem = $"not a valid manifest ({e.Message})";
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            problem = $"unreadable ({e.Message})";
            return null;
        }
        problem = m is null ? "empty"
            : m.Command is null || m.Title is null || m.Model is null || m.Parameters is null || m.Objectives is null || m.Items is null ? "missing fields"
            : m.Items.Any(i => i is null) ? "a null item"
            : m.Items.Select(i => i.Problem()).FirstOrDefault(p => p is not null);
        return problem is null ? m : null;
    }

    /// <summary>Serializes an item alone (embedded in its PNG so a lost manifest can be rebuilt).</summary>
    internal static string ItemToJson(ManifestItem item) => JsonSerializer.Serialize(item, new JsonSerializerOptions(Json) { WriteIndented = false });

    /// <summary>Parses an item embedded in a PNG, or null.</summary>
    internal static ManifestItem? ItemFromJson(string json)
    {
        try
        {
            var item = JsonSerializer.Deserialize<ManifestItem>(json, Json);
            return item?.Problem() is null ? item : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Loss and objective curves as stored in manifest.json (and in each PNG's embedded item): every step up to
/// <see cref="MaxPoints"/> steps; longer runs are cut into equal buckets of consecutive steps, each stored as its mean
/// at its last step, so a 20,000-step run stores at most <see cref="MaxPoints"/> points per curve. Values are stored at
/// float precision (the optimizer's).
/// </summary>
internal static class ManifestCurve
{
    /// <summary>The most points stored per curve.</summary>
    public const int MaxPoints = 256;

    /// <summary>The steps per bucket for a run of <paramref name="steps"/> steps.</summary>
    public static int BucketSize(int steps) => steps <= MaxPoints ? 1 : (steps + MaxPoints - 1) / MaxPoints;

    /// <summary>The stored points of a per-step curve (index i is step i + 1).</summary>
    public static List<double> Downsample(IReadOnlyList<double> perStep)
    {
        int k = BucketSize(perStep.Count);
        var points = new List<double>((perStep.Count + k - 1) / k);
        for (int start = 0; start < perStep.Count; start += k)
        {
            int end = Math.Min(start + k, perStep.Count);
            double sum = 0;
            for (int i = start; i < end; i++) sum += perStep[i];
            points.Add(AtFloatPrecision(sum / (end - start)));
        }
        return points;
    }

    /// <summary>The last step (1-based) of each stored point, or null when every step is stored.</summary>
    public static List<int>? Steps(int steps)
    {
        int k = BucketSize(steps);
        if (k == 1) return null;
        var list = new List<int>((steps + k - 1) / k);
        for (int start = 0; start < steps; start += k) list.Add(Math.Min(start + k, steps));
        return list;
    }

    /// <summary>The value rounded to the nearest float, written in JSON with the float's shortest digits.</summary>
    public static double AtFloatPrecision(double v) =>
        double.IsFinite(v) ? double.Parse(((float)v).ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture) : v;
}
