using FeatureViz.Cli.Objectives;

namespace FeatureViz.Cli.Render;

/// <summary>A regularizer named on the command line (<c>--regularizer l1=0.01</c>).</summary>
internal sealed record RegularizerSpec(string Kind, double Weight)
{
    /// <summary>The kinds the command line accepts, and the library regularizer each one builds.</summary>
    public static readonly IReadOnlyDictionary<string, Func<float, FeatureViz.Regularizers.Regularizer>> Kinds =
        new Dictionary<string, Func<float, FeatureViz.Regularizers.Regularizer>>
        {
            ["l1"] = FeatureViz.Regularizers.Regularizer.L1,
            ["l2"] = FeatureViz.Regularizers.Regularizer.L2,
            ["linf"] = FeatureViz.Regularizers.Regularizer.LInf,
            ["tv"] = FeatureViz.Regularizers.Regularizer.TotalVariation,
        };

    /// <summary>The library regularizer.</summary>
    public FeatureViz.Regularizers.Regularizer Create() => Kinds[Kind]((float)Weight);
}

/// <summary>The random transformations of <c>--transforms</c>.</summary>
internal enum TransformSet
{
    /// <summary>None.</summary>
    None,
    /// <summary>Xplique's standard list (<see cref="FeatureViz.Transforms.ImageTransform.Standard"/>).</summary>
    Standard,
    /// <summary>Lucid's standard transforms (<see cref="FeatureViz.Transforms.ImageTransform.Lucid"/>).</summary>
    Lucid,
}

/// <summary>The image parametrizations of <c>--param</c>.</summary>
internal enum ImageParam
{
    /// <summary>Fourier space (the default; <c>--fft</c>).</summary>
    Fft,
    /// <summary>Pixel space (<c>--pixel</c>).</summary>
    Pixel,
    /// <summary>MaCo: the phase of a spectrum with a fixed magnitude, random crops with noise, transparency maps.</summary>
    Maco,
    /// <summary>A CPPN per image (Lucid's); its weights are written beside the PNG.</summary>
    Cppn,
}

/// <summary>The learning-rate schedules of <c>--lr-schedule</c>.</summary>
internal enum LrSchedule
{
    /// <summary>The rate of --lr at every step.</summary>
    Constant,
    /// <summary>Cosine decay from --lr to 0 over the run.</summary>
    Cosine,
    /// <summary>The rate halves after every quarter of the run.</summary>
    Step,
}

/// <summary>
/// MaCo's settings (<c>--crops</c>, <c>--box-size</c>, <c>--noise</c>, <c>--spectrum</c>): null box size is the
/// reference's schedule linspace(0.5, 0.05), null noise its logspace(0, -4).
/// </summary>
internal sealed record MacoRenderSettings(int Crops, double? BoxSize, double? Noise, string? SpectrumPath)
{
    /// <summary>SHA-256 of the magnitudes (shape and float32 values) once loaded; "built-in" for the default.</summary>
    public string SpectrumHash { get; init; } = "built-in";
}

/// <summary>Every parameter of a render; recorded in manifest.json and shown in index.html.</summary>
internal sealed record RenderSettings
{
    /// <summary>MaCo's settings when <see cref="Param"/> is <see cref="ImageParam.Maco"/>.</summary>
    public MacoRenderSettings? Maco { get; init; }

    public int Steps { get; init; } = 256;
    public int Width { get; init; } = 224;
    public int Height { get; init; } = 224;
    public double LearningRate { get; init; } = 0.05;
    public int Seed { get; init; }
    /// <summary>The parametrization (<c>--param</c>; --fft and --pixel are aliases).</summary>
    public ImageParam Param { get; init; } = ImageParam.Fft;
    /// <summary>The saved images' size when it differs from the optimized one (CPPN only; 0: the optimized size).</summary>
    public int SaveWidth { get; init; }
    public int SaveHeight { get; init; }
    public double FftDecay { get; init; } = 0.85;
    public TransformSet Transforms { get; init; } = TransformSet.Standard;
    public LrSchedule LrSchedule { get; init; } = LrSchedule.Constant;
    public IReadOnlyList<RegularizerSpec> Regularizers { get; init; } = [];
    public int WarmupSteps { get; init; }
    public int SaveEvery { get; init; }
    public int BatchSize { get; init; } = 4;
    public string Device { get; init; } = "cpu";
    public int Threads { get; init; } = Environment.ProcessorCount;
}

/// <summary>One image to produce: its display name, file stem and the single-image objective behind it.</summary>
internal sealed record RenderItem(string Name, string Stem, ObjectiveExpression Objective);

/// <summary>Items optimized together (one batch of images), with the objective that yields them in order.</summary>
internal sealed record RenderBatch(IReadOnlyList<RenderItem> Items, ObjectiveExpression Objective);

/// <summary>An RGB image, 8 bits per channel, rows top to bottom.</summary>
internal sealed record RgbImage(int Width, int Height, byte[] Pixels);

/// <summary>
/// What the optimizer produced for one item: the batch's loss per step and, when the engine records it, the item's own
/// objective value per step.
/// </summary>
/// <param name="Item">The item.</param>
/// <param name="Image">Its final image.</param>
/// <param name="Losses">The batch's loss per step.</param>
/// <param name="Frames">Snapshots for the animation (may be empty).</param>
/// <param name="ObjectiveValues">The item's objective per step, when recorded.</param>
/// <param name="TransparencyMap">MaCo: the displayed transparency map, [H, W] in [0, 1] (written as the image's alpha and alone).</param>
/// <param name="Cppn">CPPN: the item's network weights, to draw it at any size.</param>
internal sealed record ItemResult(RenderItem Item, RgbImage Image, IReadOnlyList<double> Losses, IReadOnlyList<RgbImage> Frames, IReadOnlyList<double>? ObjectiveValues = null, float[]? TransparencyMap = null,
    FeatureViz.Parametrization.CppnImages? Cppn = null);

/// <summary>One optimization step of a batch, for progress reporting.</summary>
internal readonly record struct StepReport(int Step, int TotalSteps, double Loss);

/// <summary>Runs the optimization of one batch (the real engine drives FeatureViz.FeatureVisualizer).</summary>
internal interface IRenderEngine : IDisposable
{
    /// <summary>The model description recorded in the manifest.</summary>
    string ModelName { get; }

    /// <summary>The device the engine computes on, for messages (e.g. "cuda:0 NVIDIA H200 (139.8 GiB)").</summary>
    string DeviceName => "cpu";

    /// <summary>The model's input size (width, height), the default image size.</summary>
    (int Width, int Height) InputSize { get; }

    /// <summary>The resolved output name of a layer; throws <see cref="ArgumentException"/> naming close matches.</summary>
    string LayerName(LayerSpec layer);

    /// <summary>The layer rendered when no objective is given: a middle layer of the model.</summary>
    string DefaultLayer();

    /// <summary>The number of channels (axis 1) of a layer's output.</summary>
    int ChannelCount(LayerSpec layer);

    /// <summary>The bytes a run may use at its peak; runs estimated above it are refused (default: <see cref="Render.MemoryBudget.Available"/>).</summary>
    long MemoryBudget { get; }

    /// <summary>The estimated peak memory of optimizing <paramref name="images"/> images together with <paramref name="settings"/>.</summary>
    MemoryEstimate EstimateMemory(RenderSettings settings, int images);

    /// <summary>Checks that an expression can be built (layers exist, indices in range); throws <see cref="ArgumentException"/>.</summary>
    void Validate(ObjectiveExpression expression);

    /// <summary>
    /// Optimizes the batch. Stops at the end of the current step when <paramref name="cancellationToken"/> fires and
    /// throws <see cref="OperationCanceledException"/> (a partly optimized batch is not written).
    /// </summary>
    IReadOnlyList<ItemResult> Render(RenderBatch batch, RenderSettings settings, Action<StepReport> onStep, CancellationToken cancellationToken);

    /// <summary>
    /// Loads what the settings name before any batch runs (MaCo's spectrum) and returns the settings with what the
    /// manifest records of it (the spectrum's hash); throws <see cref="ArgumentException"/> for a bad spectrum.
    /// Skipped files are reported through <paramref name="message"/>.
    /// </summary>
    RenderSettings Prepare(RenderSettings settings, Action<string> message) => settings;
}
