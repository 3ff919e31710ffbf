using FeatureViz.Optimizers;
using FeatureViz.Rendering;

namespace FeatureViz.Maco;

/// <summary>
/// Options of <see cref="MacoVisualizer.Optimize"/>, with Xplique's <c>maco</c> defaults: NAdam(1.0), 256 steps,
/// 32 crops whose side follows <c>linspace(0.5, 0.05, steps)</c>, noise 0.08, a 512 x 512 image, phases from N(0, 1).
/// </summary>
public sealed record MacoOptions
{
    /// <summary>The optimizer of the phase (default <c>NAdam(1.0)</c>, Xplique's).</summary>
    public Optimizer Optimizer { get; init; } = Optimizer.NAdam(1.0f);

    /// <summary>Learning rate per step (default constant).</summary>
    public LearningRateSchedule LearningRateSchedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Number of optimization steps, at least 1.</summary>
    public int Steps { get; init; } = 256;

    /// <summary>Random crops per image and step (0: the whole image resized to the model input, as Xplique).</summary>
    public int Crops { get; init; } = 32;

    /// <summary>
    /// Side of the crops as a fraction of the image (default <c>linspace(0.5, 0.05, steps)</c>); each crop's side is
    /// drawn from N(value, 0.05) and clipped to [0.05, 1]. A crop has the model input's aspect ratio and covers
    /// side x side of the largest such box that fits the image (for a square image and model: side x side of the image,
    /// as Xplique's normalised boxes).
    /// </summary>
    public MacoSchedule BoxSize { get; init; } = MacoSchedule.Linear(0.5, 0.05);

    /// <summary>
    /// Noise intensity n per step (default constant 0.08; Xplique's <c>None</c> is <see cref="MacoSchedule.LogSpace"/>(0, -4)):
    /// each crop pixel gets N(0, s) + U(-s/2, s/2) with <c>s = n (Max - Min) / 2</c>, so that in Xplique's (-1, 1)
    /// range s = n exactly and other ranges get the same relative noise.
    /// </summary>
    public MacoSchedule NoiseIntensity { get; init; } = MacoSchedule.Constant(0.08);

    /// <summary>The fixed magnitude spectrum (null: <see cref="MacoSpectrum.Default"/> for the image's channels and size).</summary>
    public MacoSpectrum? Spectrum { get; init; }

    /// <summary>Standard deviation of the initial phases (Xplique 1.0).</summary>
    public float PhaseStd { get; init; } = 1f;

    /// <summary>The optimised image size (any H x W; default 512 x 512, null: the model's input size).</summary>
    public ImageSize? ImageSize { get; init; } = new(512, 512);

    /// <summary>The model's input value range; the image is <c>Min + (Max - Min) sigmoid(...)</c>.</summary>
    public ValueRange ValuesRange { get; init; } = new(0f, 1f);

    /// <summary>Seed of the run's random generator (phases, crops, noise); null draws one.</summary>
    public int? Seed { get; init; }

    /// <summary>Progress reports, as <see cref="OptimizationOptions.Progress"/> (objective values are means over the crops).</summary>
    public IProgress<OptimizationProgress>? Progress { get; init; }

    /// <summary>Steps between loss reads (see <see cref="OptimizationOptions.LossReadInterval"/>).</summary>
    public int LossReadInterval { get; init; } = 8;
}
