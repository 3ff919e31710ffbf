using System.Text.Json;
using System.Text.Json.Nodes;
using FeatureViz.Backends;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Parametrization;

/// <summary>
/// The learned CPPN weights of a batch of images (<see cref="OptimizationResult.Cppn"/>): one network per image, which
/// draws its image at any size (<see cref="Render"/>), and a small JSON file to keep them (<see cref="Save"/>,
/// <see cref="Load"/>) and render again later without optimizing.
/// </summary>
public sealed class CppnImages
{
    private const string Format = "featureviz-cppn";
    private const int Version = 1;
    // Rendering runs in bands of about this many pixels, so a 4096 x 4096 image needs ~100 MB, not gigabytes.
    private const int BandPixels = 1 << 18;

    private readonly float[][] _weights;
    private readonly CppnLayer[] _layers;

    /// <summary>Creates the set from each image's flat weight row (layers in order, each its weights [out, in] then biases [out]).</summary>
    /// <exception cref="ArgumentException">A row's length does not match the layout, or a value is not finite.</exception>
    public CppnImages(CppnOptions options, int channels, ValueRange range, IReadOnlyList<float[]> weights)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(weights);
        options.Validate();
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "CppnImages: channels must be at least 1.");
        if (!float.IsFinite(range.Min) || !float.IsFinite(range.Max) || !(range.Min < range.Max))
            throw new ArgumentOutOfRangeException(nameof(range), range, $"CppnImages: value range {range} must have finite Min < Max.");
        _layers = CppnParametrization.Layout(channels, options, out int count);
        for (int i = 0; i < weights.Count; i++)
        {
            var row = weights[i] ?? throw new ArgumentException($"CppnImages: image {i} has no weights.", nameof(weights));
            if (row.Length != count)
                throw new ArgumentException($"CppnImages: image {i} has {row.Length} weights; {options.Layers} hidden layers of {options.HiddenChannels} channels and {channels} output channels need {count}.", nameof(weights));
            int bad = Array.FindIndex(row, v => !float.IsFinite(v));
            if (bad >= 0) throw new ArgumentException($"CppnImages: weight {bad} of image {i} is {row[bad]}; weights must be finite.", nameof(weights));
        }
        Options = options;
        Channels = channels;
        Range = range;
        _weights = weights.Select(w => (float[])w.Clone()).ToArray();
    }

    /// <summary>The network architecture.</summary>
    public CppnOptions Options { get; }

    /// <summary>Output channels of each network (the image channels).</summary>
    public int Channels { get; }

    /// <summary>The value range the sigmoid output is scaled to.</summary>
    public ValueRange Range { get; }

    /// <summary>Number of images (networks).</summary>
    public int Count => _weights.Length;

    /// <summary>Image <paramref name="index"/>'s flat weight row (a copy).</summary>
    public float[] Weights(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"CppnImages: {Count} images.");
        return (float[])_weights[index].Clone();
    }

    /// <summary>
    /// Draws every image at <paramref name="size"/> (any size: the networks see coordinates in [-sqrt 3, sqrt 3]
    /// whatever the pixel count), on <paramref name="backend"/> (default: the CPU).
    /// </summary>
    public ImageBatch Render(ImageSize size, IBackend? backend = null)
    {
        if (size.Height < 1 || size.Width < 1 || (long)size.Height * size.Width > 1L << 26)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"CppnImages.Render: size {size} must be at least 1 x 1 and at most 2^26 pixels.");
        backend ??= FeatureVizBackends.Cpu();
        int h = size.Height, w = size.Width, plane = h * w;
        var output = new float[(long)Count * Channels * plane];
        int bandRows = Math.Max(1, BandPixels / w);
        if (Count == 0) return new ImageBatch(output, 0, Channels, h, w, Range, 0);
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        int p = _weights[0].Length;
        var flat = new float[Count * p];
        for (int i = 0; i < Count; i++) _weights[i].CopyTo(flat, i * p);
        var parameter = Tensor.FromArray(backend, flat, Count, p);
        for (int y0 = 0; y0 < h; y0 += bandRows)
        {
            int y1 = Math.Min(h, y0 + bandRows), rows = y1 - y0;
            using var band = TensorScope.Begin();
            var grid = Tensor.FromArray(backend, CppnParametrization.Coordinates(h, w, y0, y1), 2, rows * w);
            var values = CppnParametrization.Logits(parameter, grid, _layers, rows, w).Sigmoid().Affine(Range.Width, Range.Min).ToArray();
            for (int n = 0; n < Count; n++)
                for (int c = 0; c < Channels; c++)
                    values.AsSpan((n * Channels + c) * rows * w, rows * w).CopyTo(output.AsSpan((int)((long)(n * Channels + c) * plane + (long)y0 * w)));
        }
        return new ImageBatch(output, Count, Channels, h, w, Range, 0);
    }

    /// <summary>Image <paramref name="index"/>'s network alone.</summary>
    public CppnImages Single(int index) => new(Options, Channels, Range, [Weights(index)]);

    /// <summary>Writes the weights as JSON (<see cref="ToJson"/>).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllText(path, ToJson());
    }

    /// <summary>The weights as JSON: architecture, channels, value range and one weight row per image.</summary>
    public string ToJson()
    {
        var json = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["hiddenChannels"] = Options.HiddenChannels,
            ["layers"] = Options.Layers,
            ["channels"] = Channels,
            ["valuesRange"] = new JsonArray(Range.Min, Range.Max),
            ["images"] = new JsonArray(_weights.Select(row => (JsonNode)new JsonArray(row.Select(v => (JsonNode)v).ToArray())).ToArray()),
        };
        return json.ToJsonString();
    }

    /// <summary>Reads weights written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such a JSON file, or its weights do not match its architecture.</exception>
    public static CppnImages Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException("not a JSON object");
            if ((string?)root["format"] != Format) throw new InvalidDataException($"'format' is not '{Format}'");
            if ((int?)root["version"] != Version) throw new InvalidDataException($"unsupported version {root["version"]?.ToJsonString() ?? "(none)"} (expected {Version})");
            var options = new CppnOptions { HiddenChannels = Int(root, "hiddenChannels"), Layers = Int(root, "layers") };
            var range = root["valuesRange"] as JsonArray is { Count: 2 } r ? new ValueRange((float)r[0]!, (float)r[1]!) : throw new InvalidDataException("'valuesRange' must be [min, max]");
            var images = root["images"] as JsonArray ?? throw new InvalidDataException("'images' is missing");
            var rows = images.Select((row, i) => (row as JsonArray ?? throw new InvalidDataException($"image {i} is not an array")).Select(v => (float)v!).ToArray()).ToList();
            return new CppnImages(options, Int(root, "channels"), range, rows);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or NullReferenceException)
        {
            throw new InvalidDataException($"CppnImages.Load: '{path}' is not a valid CPPN weights file: {e.Message}", e);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("CppnImages.Load", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"CppnImages.Load: '{path}' is not a valid CPPN weights file: {e.Message}", e);
        }
    }

    private static int Int(JsonObject root, string name) =>
        root[name] is JsonValue v && v.TryGetValue(out int i) ? i : throw new InvalidDataException($"'{name}' must be an integer");
}
