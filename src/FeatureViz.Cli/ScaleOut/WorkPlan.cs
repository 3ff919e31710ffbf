using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FeatureViz.Cli.Output;
using FeatureViz.Cli.Render;
using FeatureViz.Tensors.IO;

namespace FeatureViz.Cli.ScaleOut;

/// <summary>The model a plan was made for: where it was, what it is called in manifests, and its content hash.</summary>
/// <param name="Path">The model file's full path when the plan was made (run-shard's default <c>--model</c>).</param>
/// <param name="Name">The model as recorded in every image's parameters (the same on every shard, wherever the file is mounted).</param>
/// <param name="Sha256">SHA-256 (lower-case hex) of the model file's bytes.</param>
/// <param name="Bytes">The file's size.</param>
internal sealed record PlannedModel(string Path, string Name, string Sha256, long Bytes);

/// <summary>One unit of work: a batch of channels of one layer, optimized together, with its seed and estimated cost.</summary>
/// <param name="Index">The item's position in the plan (its folder is <see cref="WorkPlan.ItemFolderName"/>).</param>
/// <param name="Layer">The resolved layer name.</param>
/// <param name="Channels">The channels of the layer, optimized together as one batch.</param>
/// <param name="Objectives">The objective of each image, as named in manifests (one per channel).</param>
/// <param name="Seed">The seed of the batch.</param>
/// <param name="Cost">Estimated cost: FLOPs of the forward and backward passes to the layer over all steps and images.</param>
internal sealed record PlanItem(int Index, string Layer, IReadOnlyList<int> Channels, IReadOnlyList<string> Objectives, int Seed, long Cost)
{
    /// <summary>The item's folder relative to the plan folder, '/'-separated (items/item-000042), for messages and pages.</summary>
    [JsonIgnore]
    public string FolderText => WorkPlan.ItemFolderName(Index).Replace('\\', '/');

    /// <summary>The item in messages: its folder, layer and channels.</summary>
    [JsonIgnore]
    public string Label => $"{FolderText} ({Layer} channels {string.Join(",", Channels)})";
}

/// <summary>
/// A work manifest (plan.json): every item to render with the settings shared by all of them, the model's content
/// hash and the tool version. The file holds the plan and the SHA-256 of the plan's exact text, so an edit by hand is
/// detected when the plan is read.
/// </summary>
internal sealed record WorkPlan
{
    /// <summary>The plan file in a plan folder.</summary>
    public const string FileName = "plan.json";

    /// <summary>The format tag; a plan of another format is refused.</summary>
    public const string CurrentFormat = "featureviz-plan/1";

    /// <summary>The folder under the plan folder that holds one sub-folder per item.</summary>
    public const string ItemsFolder = "items";

    /// <summary>The largest plan file read (64 MiB: about 200,000 items).</summary>
    public const long MaxBytes = 64L << 20;

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string Format { get; init; } = CurrentFormat;
    public string Tool { get; init; } = "featureviz";

    /// <summary>The version of the tool that made the plan; run-shard refuses a plan of another version (its pixels may differ).</summary>
    public string Version { get; init; } = ToolVersion;

    /// <summary>When the plan was made (also the "updated" time of the merged gallery, which stays reproducible).</summary>
    public required DateTimeOffset Created { get; init; }

    public required PlannedModel Model { get; init; }

    /// <summary>The model's input value range (--values-range), or null for the default.</summary>
    public float[]? ValuesRange { get; init; }

    /// <summary>The render settings of every item (the device and threads are run-shard's own).</summary>
    public required RenderSettings Settings { get; init; }

    /// <summary>Every parameter as recorded in the manifests (see <see cref="Commands.RenderOptions.Describe"/>), without the device.</summary>
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    /// <summary>The shard count run-shard uses when neither <c>--shard I/N</c>, <c>--shards</c> nor the scheduler gives one (0: none).</summary>
    public int Shards { get; init; }

    public required IReadOnlyList<PlanItem> Items { get; init; }

    /// <summary>The tool's version (major.minor.patch).</summary>
    public static string ToolVersion => typeof(WorkPlan).Assembly.GetName().Version?.ToString(3) ?? "0";

    /// <summary>The value range as a tuple, or null.</summary>
    [JsonIgnore]
    public (float Min, float Max)? Range => ValuesRange is [var min, var max] ? (min, max) : null;

    /// <summary>The estimated costs of the items, in plan order.</summary>
    [JsonIgnore]
    public long[] Costs => Items.Select(i => i.Cost).ToArray();

    /// <summary>The sub-folder of an item, e.g. items/item-000042.</summary>
    public static string ItemFolderName(int index) => Path.Combine(ItemsFolder, $"item-{index:D6}");

    /// <summary>The plan file of a plan folder.</summary>
    public static string PathIn(string folder) => System.IO.Path.Combine(folder, FileName);

    /// <summary>Writes the plan with its checksum, atomically.</summary>
    public void Write(string folder)
    {
        // The plan's text exactly as it stands in the file (indented one level) is what the checksum covers.
        string body = JsonSerializer.Serialize(this, Json).Replace("\n", "\n  ", StringComparison.Ordinal);
        var sb = new StringBuilder();
        sb.Append("{\n  \"checksum\": \"sha256:").Append(Checksum(body)).Append("\",\n  \"plan\": ").Append(body).Append("\n}\n");
        AtomicFile.WriteText(PathIn(folder), sb.ToString());
    }

    /// <summary>
    /// Reads and checks a plan folder's plan: the checksum must match the plan's text exactly, the format and the
    /// fields must be sound. Throws <see cref="InvalidDataException"/> naming the file and what is wrong.
    /// </summary>
    public static WorkPlan Read(string folder)
    {
        string path = System.IO.Path.GetFullPath(PathIn(folder));
        if (!File.Exists(path))
            throw new InvalidDataException($"{path}: no plan here (make one with `featureviz plan --model M --out {folder}`).");
        byte[] bytes = UserFile.ReadAllBytes(path, MaxBytes, "plan file");
        string checksum, body;
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("checksum", out var c) || c.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("plan", out var p) || p.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: not a featureviz plan (expected an object with 'checksum' and 'plan').");
            checksum = c.GetString()!;
            body = p.GetRawText();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}); was the plan edited by hand? Make it again with `featureviz plan`.");
        }
        string actual = "sha256:" + Checksum(body);
        if (!string.Equals(checksum, actual, StringComparison.Ordinal))
            throw new InvalidDataException(
                $"{path}: the plan does not match its checksum (recorded {checksum}, computed {actual}): it was edited by hand or damaged. "
                + "Make a new plan with `featureviz plan` instead of editing it.");
        WorkPlan? plan;
        try
        {
            plan = JsonSerializer.Deserialize<WorkPlan>(body, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the plan cannot be read ({e.Message}).");
        }
        if (plan is null) throw new InvalidDataException($"{path}: the plan is empty.");
        if (plan.Format != CurrentFormat)
            throw new InvalidDataException($"{path}: plan format '{plan.Format}' is not supported (expected '{CurrentFormat}').");
        if (plan.Problem() is { } problem) throw new InvalidDataException($"{path}: {problem}.");
        return plan;
    }

    private string? Problem()
    {
        if (Model is null || Settings is null || Parameters is null || Items is null) return "the plan has missing fields";
        if (Items.Count == 0) return "the plan has no items";
        for (int i = 0; i < Items.Count; i++)
        {
            var item = Items[i];
            if (item is null || item.Layer is null || item.Channels is null || item.Objectives is null) return $"item {i} has missing fields";
            if (item.Index != i) return $"item {i} is numbered {item.Index}";
            if (item.Channels.Count == 0 || item.Channels.Count != item.Objectives.Count) return $"item {i} has {item.Channels.Count} channel(s) but {item.Objectives.Count} objective(s)";
            if (item.Cost < 1) return $"item {i} has a cost of {item.Cost} (expected at least 1)";
        }
        return null;
    }

    /// <summary>SHA-256 of text's UTF-8 bytes, lower-case hex.</summary>
    internal static string Checksum(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>SHA-256 of a file's bytes, lower-case hex (streamed; models may be large).</summary>
    public static string FileSha256(string path)
    {
        using var s = UserFile.OpenRead(path, Onnx.OnnxModel.MaxModelBytes, "model file");
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
