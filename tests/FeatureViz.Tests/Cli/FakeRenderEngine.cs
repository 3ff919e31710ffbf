using FeatureViz.Cli.Objectives;
using FeatureViz.Cli.Render;

namespace FeatureViz.Tests.Cli;

/// <summary>
/// A render engine with a fake model (layers "conv1" with 8 channels and "conv2" with 16): it "optimizes" by running
/// the steps and returns a colourful deterministic image per item, so CLI behaviour is testable without the library.
/// </summary>
internal sealed class FakeRenderEngine : IRenderEngine
{
    private static readonly (string Name, int Channels)[] Layers = [("conv1", 8), ("conv2", 16)];
    private readonly object _gate = new();

    /// <summary>Cancels the given source after this many batches have finished (for interruption tests).</summary>
    public (int AfterBatches, CancellationTokenSource Source)? CancelAfter { get; set; }

    public List<string> Rendered { get; } = [];

    /// <summary>When set, <see cref="Render"/> signals <see cref="Started"/> and waits for this gate before optimizing (concurrency tests).</summary>
    public ManualResetEventSlim? Gate { get; set; }

    /// <summary>Set when a batch has started (with <see cref="Gate"/>).</summary>
    public ManualResetEventSlim Started { get; } = new();

    public int Batches { get; private set; }

    public string ModelName => "fake-model";

    /// <summary>The budget runs are checked against (tests set a small one).</summary>
    public long MemoryBudget { get; set; } = FeatureViz.Cli.Render.MemoryBudget.Available();

    /// <summary>A fixed, simple estimate: 1 MiB of activations and 16 float copies of the image per image, 1 MiB overhead.</summary>
    public MemoryEstimate EstimateMemory(RenderSettings settings, int images) =>
        new(images, (1L << 20) * images, 16L * 4 * 3 * settings.Width * settings.Height * images, 0, 1L << 20);

    public (int Width, int Height) InputSize => (32, 24);

    public string LayerName(LayerSpec layer) => Find(layer).Name;

    public int ChannelCount(LayerSpec layer) => Find(layer).Channels;

    public string DefaultLayer() => "conv2";

    public void Validate(ObjectiveExpression expression)
    {
        foreach (var t in expression.Terms)
        {
            var (name, channels) = Find(t.Atom.Layer);
            foreach (var c in t.Atom.Indices)
                if (c >= channels) throw new ArgumentOutOfRangeException("channelIds", c, $"channel {c} is out of range for layer '{name}' with {channels} channels.");
        }
    }

    public void Dispose() { }

    public IReadOnlyList<ItemResult> Render(RenderBatch batch, RenderSettings settings, Action<StepReport> onStep, CancellationToken cancellationToken)
    {
        Started.Set();
        Gate?.Wait(TimeSpan.FromMinutes(1));
        var losses = new List<double>();
        var frames = new List<List<RgbImage>>();
        foreach (var _ in batch.Items) frames.Add([]);
        for (int step = 1; step <= settings.Steps; step++)
        {
            double loss = -Math.Log(1 + step);
            losses.Add(loss);
            onStep(new StepReport(step, settings.Steps, loss));
            if (settings.SaveEvery > 0 && step % settings.SaveEvery == 0)
                for (int i = 0; i < batch.Items.Count; i++) frames[i].Add(Image(settings, i + step));
            if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
        }
        lock (_gate)
        {
            Batches++;
            Rendered.AddRange(batch.Items.Select(i => i.Name));
            if (CancelAfter is { } c && Batches >= c.AfterBatches) c.Source.Cancel();
        }
        return batch.Items.Select((item, i) => new ItemResult(item, Image(settings, (item.Name.GetHashCode() & 0xff) + settings.Seed), losses, frames[i],
            ObjectiveCurve(settings.Steps, i))).ToList();
    }

    /// <summary>The fake objective of the item at batch position <paramref name="index"/>: (index + 1) log(1 + step), step 1..steps.</summary>
    internal static List<double> ObjectiveCurve(int steps, int index) =>
        Enumerable.Range(1, steps).Select(step => (index + 1) * Math.Log(1 + step)).ToList();

    /// <summary>Saturated colour blocks (never the white page background).</summary>
    internal static RgbImage Image(RenderSettings s, int seed)
    {
        var px = new byte[s.Width * s.Height * 3];
        for (int y = 0; y < s.Height; y++)
            for (int x = 0; x < s.Width; x++)
            {
                int o = (y * s.Width + x) * 3;
                px[o] = (byte)(200 + (seed % 50));
                px[o + 1] = (byte)(x * 255 / s.Width / 2);
                px[o + 2] = (byte)(y * 255 / s.Height / 2);
            }
        return new RgbImage(s.Width, s.Height, px);
    }

    private static (string Name, int Channels) Find(LayerSpec layer)
    {
        if (layer.IsIndex)
        {
            int i = layer.Index < 0 ? Layers.Length + layer.Index : layer.Index;
            if (i < 0 || i >= Layers.Length) throw new ArgumentException($"layer index {layer.Index} is out of range (2 layers).");
            return Layers[i];
        }
        foreach (var l in Layers) if (l.Name == layer.Name) return l;
        throw new ArgumentException($"no layer named '{layer.Name}' (did you mean conv1 or conv2?).");
    }
}
