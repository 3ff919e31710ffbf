using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Optimizers;
using FeatureViz.Rendering;

namespace FeatureViz.Accentuation;

/// <summary>
/// Feature accentuation (Hamblin et al. 2024, "Feature Accentuation: Revealing 'What' Features Respond to in Natural
/// Images"; Horama's <c>accentuation</c>): optimize an objective starting from a natural image, staying close to it.
/// </summary>
/// <remarks>
/// <para>
/// Accentuation is an option of <see cref="FeatureVisualizer"/> (<see cref="OptimizationOptions.Accentuation"/>), so
/// any objective, batch, optimizer, progress report and cancellation work as for a render; <see cref="Options"/>
/// gives Horama's defaults and <see cref="Accentuate"/> runs with them.
/// </para>
/// <para>
/// Horama's defaults: NAdam with learning rate 1, 1000 steps, decay power 1.5, noise 0.05 in a value range of width 5
/// (here <see cref="DefaultNoise"/> = 1% of the range width), penalty 1, a 1280 x 1280 image and boxes whose side is
/// 0.25 to 0.30 of it (Horama's <c>rand * (max - min) + max</c> with box size (0.20, 0.25)) for a 224 model input,
/// i.e. 1.43 to 1.71 model inputs. Here the image defaults to the model's input size and the box keeps Horama's size
/// relative to the model input, capped at the whole image (so at the model's own size each step sees the whole image,
/// with noise).
/// </para>
/// <para>
/// With an adaptive optimizer (Adam, NAdam, as Horama) a constant per-bin factor on the gradient is divided out by the
/// second-moment estimate (up to its epsilon), so the gradient-only frequency scaling mainly changes plain gradient
/// descent (<see cref="Optimizer.Sgd"/>); it is kept for fidelity to the reference.
/// </para>
/// </remarks>
public static class FeatureAccentuation
{
    /// <summary>Horama's decay power of the gradient frequency scaling.</summary>
    public const float DefaultDecayPower = 1.5f;

    /// <summary>Horama's noise (0.05 in a range of width 5), as a fraction of the value range's width.</summary>
    public const float DefaultNoise = 0.01f;

    /// <summary>Horama's number of steps.</summary>
    public const int DefaultSteps = 1000;

    /// <summary>Horama's NAdam learning rate.</summary>
    public const float DefaultLearningRate = 1f;

    /// <summary>Horama's smallest box side in model inputs (0.25 of 1280 over 224).</summary>
    public const float DefaultBoxMin = 0.25f * 1280f / 224f;

    /// <summary>Horama's largest box side in model inputs (0.30 of 1280 over 224).</summary>
    public const float DefaultBoxMax = 0.30f * 1280f / 224f;

    /// <summary>
    /// Horama's options for accentuating <paramref name="seeds"/> on <paramref name="model"/>: NAdam(1), 1000 steps,
    /// Fourier parameters with gradient decay 1.5, sigmoid into <paramref name="valuesRange"/>, the image at
    /// <paramref name="imageSize"/> (null: the model's input size) and <see cref="AccentuationCrop"/> with Horama's box
    /// (relative to the model input, capped at the image) and noise.
    /// </summary>
    public static OptimizationOptions Options(VisualizationModel model, AccentuationSeeds seeds, ValueRange valuesRange, ImageSize? imageSize = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(seeds);
        var input = model.Input.Shape;
        bool symbolic = input.Length != 4 || input[2] <= 0 || input[3] <= 0;
        var size = imageSize ?? (symbolic
            ? new ImageSize(seeds.Images[0].Height, seeds.Images[0].Width)
            : new ImageSize(input[2], input[3]));
        int modelSide = symbolic ? Math.Min(size.Height, size.Width) : Math.Min(input[2], input[3]);
        double perModel = (double)modelSide / Math.Min(size.Height, size.Width);
        float boxMin = (float)Math.Min(1.0, DefaultBoxMin * perModel), boxMax = (float)Math.Min(1.0, DefaultBoxMax * perModel);
        return new OptimizationOptions
        {
            Accentuation = seeds,
            Optimizer = Optimizer.NAdam(DefaultLearningRate),
            Steps = DefaultSteps,
            UseFft = true,
            FftDecay = DefaultDecayPower,
            ImageNormalizer = ImageNormalizer.Sigmoid,
            ValuesRange = valuesRange,
            CustomShape = size,
            Transformations = new AccentuationCrop(boxMin, boxMax, DefaultNoise * valuesRange.Width),
        };
    }

    /// <summary>
    /// Accentuates <paramref name="objective"/> from <paramref name="seeds"/>: <see cref="FeatureVisualizer.Optimize"/>
    /// with <paramref name="options"/> (null: <see cref="Options"/> with the range (0, 1)) and these seeds.
    /// </summary>
    public static OptimizationResult Accentuate(Objective objective, AccentuationSeeds seeds, OptimizationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(seeds);
        options = (options ?? Options(objective.Model, seeds, new ValueRange(0f, 1f))) with { Accentuation = seeds };
        return FeatureVisualizer.Optimize(objective, options, cancellationToken);
    }
}
