using FeatureViz.Accentuation;
using FeatureViz.Optimizers;
using FeatureViz.Parametrization;
using FeatureViz.Regularizers;
using FeatureViz.Tensors;
using FeatureViz.Transforms;

namespace FeatureViz.Rendering;

/// <summary>How the raw parametrized image is mapped into <see cref="OptimizationOptions.ValuesRange"/>.</summary>
public enum ImageNormalizer
{
    /// <summary><c>min + (max - min) * sigmoid(x)</c>.</summary>
    Sigmoid,
    /// <summary><c>min + (max - min) * clip(x + 0.5, 0, 1)</c> (pixels at the bounds stop receiving gradient).</summary>
    Clip,
    /// <summary><see cref="OptimizationOptions.CustomNormalizer"/> maps x into [0, 1], then it is scaled to the range.</summary>
    Custom,
}

/// <summary>An inclusive value range [Min, Max] (Min &lt; Max).</summary>
public readonly record struct ValueRange(float Min, float Max)
{
    /// <summary>Max - Min.</summary>
    public float Width => Max - Min;

    /// <inheritdoc/>
    public override string ToString() => $"({Min}, {Max})";
}

/// <summary>An image size in pixels.</summary>
public readonly record struct ImageSize(int Height, int Width)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Height} x {Width}";
}

/// <summary>
/// Options of <see cref="FeatureVisualizer.Optimize"/>, with Xplique's defaults (Adam 0.05, 256 steps, Fourier
/// parametrization with decay 0.85 and std 0.01, sigmoid normalisation, values in (0, 1), standard transformations,
/// a 512 x 512 image).
/// </summary>
public sealed record OptimizationOptions
{
    /// <summary>The optimizer (default <c>Adam(0.05)</c>); it minimises the negated score.</summary>
    public Optimizer Optimizer { get; init; } = Optimizer.Adam(0.05f);

    /// <summary>
    /// The learning rate of each step from the optimizer's base rate (default <see cref="LearningRateSchedule.Constant"/>;
    /// also <see cref="LearningRateSchedule.Cosine"/>, <see cref="LearningRateSchedule.Step"/> or your own), over the
    /// warm-up and optimization steps together.
    /// </summary>
    public LearningRateSchedule LearningRateSchedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Number of optimization steps (after the warm-up), at least 1.</summary>
    public int Steps { get; init; } = 256;

    /// <summary>Fourier parametrization (true) or plain pixels initialised from N(0, <see cref="Std"/>).</summary>
    public bool UseFft { get; init; } = true;

    /// <summary>
    /// A CPPN parametrization instead of Fourier or pixels when set (<see cref="CppnOptions"/>; <see cref="UseFft"/>,
    /// <see cref="FftDecay"/> and <see cref="Std"/> are then not used, and <see cref="ImageNormalizer"/> must be
    /// Sigmoid). Each image gets its own network; <see cref="OptimizationResult.Cppn"/> keeps the weights to render
    /// them at any size. Lucid trains it with <c>Adam(CppnOptions.LearningRate)</c> (0.005).
    /// </summary>
    public CppnOptions? Cppn { get; init; }

    /// <summary>Spectrum decay power of the Fourier parametrization (Xplique 0.85; Lucid 1.0).</summary>
    public float FftDecay { get; init; } = 0.85f;

    /// <summary>Standard deviation of the initial parameters.</summary>
    public float Std { get; init; } = 0.01f;

    /// <summary>Penalties on the transformed model input, subtracted from the score.</summary>
    public IReadOnlyList<Regularizer> Regularizers { get; init; } = [];

    /// <summary>How raw values become pixel values.</summary>
    public ImageNormalizer ImageNormalizer { get; init; } = ImageNormalizer.Sigmoid;

    /// <summary>The mapping into [0, 1] used when <see cref="ImageNormalizer"/> is <see cref="Rendering.ImageNormalizer.Custom"/>.</summary>
    public Func<Tensor, Tensor>? CustomNormalizer { get; init; }

    /// <summary>The model's input value range (e.g. (0, 255) for the bundled ResNet18); Min must be below Max.</summary>
    public ValueRange ValuesRange { get; init; } = new(0f, 1f);

    /// <summary>Transformation applied at each step (default <see cref="ImageTransform.Standard"/>; null for none; <see cref="ImageTransform.Compose"/> for a list).</summary>
    public ImageTransform? Transformations { get; init; } = ImageTransform.Standard();

    /// <summary>Steps run first with straight-through ReLU gradients (<see cref="Tensors.Autograd.GradMode.StraightThroughRelu"/>).</summary>
    public int WarmupSteps { get; init; }

    /// <summary>The optimised image size (any H x W); null = the model's input size. Resized (bilinear) to the model input when they differ.</summary>
    public ImageSize? CustomShape { get; init; } = new(512, 512);

    /// <summary>Also snapshot the images every this many steps (null: only the final images).</summary>
    public int? SaveEvery { get; init; }

    /// <summary>Seed of the run's random generator (initialisation and transformations); null draws one.</summary>
    public int? Seed { get; init; }

    /// <summary>
    /// Progress reports, one per step (including warm-up steps), in step order. They arrive when the losses are read
    /// (see <see cref="LossReadInterval"/>), so they may lag the optimization by up to that many steps; each carries
    /// the exact loss and per-image objective values of its step. Cancelling the run's token from a report stops the
    /// run at that report's step: the result holds the images after it (reports are synchronous on the optimizing
    /// thread unless the <see cref="IProgress{T}"/> posts them elsewhere, as <see cref="Progress{T}"/> does).
    /// </summary>
    public IProgress<OptimizationProgress>? Progress { get; init; }

    /// <summary>
    /// The losses stay on the device and are read back in one transfer every this many steps (and before every
    /// snapshot and at the end), so steps do not wait for the device (default 8; 1 reads every step). Divergence and
    /// cancellation are therefore noticed up to this many steps late; the results are the same.
    /// </summary>
    public int LossReadInterval { get; init; } = 8;

    /// <summary>
    /// Feature accentuation (null: none): start from these seed images instead of random parameters, scale the Fourier
    /// frequencies in the gradients only (not in the image), and subtract the seeds' penalty from each score. See
    /// <see cref="FeatureAccentuation"/> for Horama's defaults of the other options.
    /// </summary>
    public AccentuationSeeds? Accentuation { get; init; }
}
