using FeatureViz.Objectives;
using FeatureViz.Rendering;

namespace FeatureViz.Maco;

/// <summary>
/// MaCo, magnitude-constrained optimization (Fel et al. 2023; Xplique's <c>maco</c>): only the phase of the image's
/// spectrum is optimized, its magnitude is fixed (<see cref="MacoOptions.Spectrum"/>); each step scores random crops
/// of the image with noise; the absolute image gradients summed over the steps give a transparency map.
/// </summary>
public static class MacoVisualizer
{
    /// <summary>
    /// Optimizes one image per combination of the objective's variants (a batch, unlike Xplique's single objective),
    /// of any size and channel count. Per step and image: phase -> <see cref="MacoStage"/> image (standardised phase,
    /// <c>m cos p + i m sin p</c>, irfft2, standardised, recorrelated for 3 channels, sigmoid, value range) ->
    /// <see cref="MacoOptions.Crops"/> random crops resized to the model input plus noise -> model -> objective, mean
    /// over the crops -> gradient ascent on the phase; <c>|d loss / d image|</c> is added to the transparency.
    /// Progress, cancellation, batched loss reads and divergence behave as in <see cref="FeatureVisualizer.Optimize"/>
    /// (a divergence throws <see cref="OptimizationDivergedException"/> with the last finite images, without maps).
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options, or a spectrum whose channel count is not the model's.</exception>
    public static MacoResult Optimize(Objective objective, MacoOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        options ??= new MacoOptions();
        Validate(options);
        var loop = new OptimizationOptions
        {
            Optimizer = options.Optimizer,
            LearningRateSchedule = options.LearningRateSchedule,
            Steps = options.Steps,
            ValuesRange = options.ValuesRange,
            Transformations = null,
            CustomShape = options.ImageSize,
            Seed = options.Seed,
            Progress = options.Progress,
            LossReadInterval = options.LossReadInterval,
        };
        using var session = FeatureVisualizer.CreateSession(objective, loop, cancellationToken, options);
        var result = FeatureVisualizer.Run(session, loop, cancellationToken);
        return new MacoResult(result, session.Transparency()!);
    }

    /// <summary>
    /// <see cref="Optimize"/> on the thread pool; <paramref name="progress"/>, when given, replaces
    /// <see cref="MacoOptions.Progress"/>.
    /// </summary>
    public static Task<MacoResult> OptimizeAsync(Objective objective, MacoOptions? options = null,
        IProgress<OptimizationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        options ??= new MacoOptions();
        if (progress is not null) options = options with { Progress = progress };
        return Task.Run(() => Optimize(objective, options, cancellationToken), CancellationToken.None);
    }

    private static void Validate(MacoOptions o)
    {
        const string Options = "options";
        if (o.Crops < 0) throw new ArgumentOutOfRangeException(Options, o.Crops, $"MaCo: Crops must be >= 0 (got {o.Crops}).");
        if (o.BoxSize is null) throw new ArgumentException("MaCo: BoxSize is null (use MacoSchedule.Constant).", Options);
        if (o.NoiseIntensity is null) throw new ArgumentException("MaCo: NoiseIntensity is null (use MacoSchedule.Constant(0)).", Options);
        if (!float.IsFinite(o.PhaseStd) || o.PhaseStd < 0) throw new ArgumentOutOfRangeException(Options, o.PhaseStd, "MaCo: PhaseStd must be finite and >= 0.");
    }
}
