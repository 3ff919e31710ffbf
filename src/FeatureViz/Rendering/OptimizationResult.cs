using System.Collections;
using FeatureViz.Parametrization;

namespace FeatureViz.Rendering;

/// <summary>
/// One step's progress: the step (1-based, warm-up included), the total, the loss minimised (negated score plus
/// penalties) and the time elapsed when that loss was read back from the device (losses are read in batches, see
/// <see cref="OptimizationOptions.LossReadInterval"/>, so the steps of one batch share it).
/// </summary>
public readonly record struct OptimizationProgress(int Step, int TotalSteps, float Loss, TimeSpan Elapsed, bool IsWarmup)
{
    private readonly IReadOnlyList<float>? _objectiveValues;

    /// <summary>Each image's own objective value (score before penalties, to maximise) at this step, in batch order.</summary>
    public IReadOnlyList<float> ObjectiveValues
    {
        get => _objectiveValues ?? [];
        init => _objectiveValues = value;
    }
}

/// <summary>A batch of images on the host: row-major [Count, Channels, Height, Width] values in <see cref="Range"/>.</summary>
public sealed class ImageBatch
{
    /// <summary>Creates a batch (the data array is used as is).</summary>
    public ImageBatch(float[] data, int count, int channels, int height, int width, ValueRange range, int step)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (count < 0 || channels < 1 || height < 1 || width < 1 || data.Length != (long)count * channels * height * width)
            throw new ArgumentException($"ImageBatch: {data.Length} values do not fill [{count}, {channels}, {height}, {width}].", nameof(data));
        Data = data;
        Count = count;
        Channels = channels;
        Height = height;
        Width = width;
        Range = range;
        Step = step;
    }

    /// <summary>The values, row-major NCHW.</summary>
    public float[] Data { get; }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Channels per image (1 or 3 for PNG export).</summary>
    public int Channels { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>The value range of the pixels.</summary>
    public ValueRange Range { get; }

    /// <summary>The optimization step after which the snapshot was taken (0 = initial images).</summary>
    public int Step { get; }

    /// <summary>One image, [Channels, Height, Width] (the same as <see cref="Image"/>).</summary>
    public ReadOnlySpan<float> this[int index] => Image(index);

    /// <summary>One image, [Channels, Height, Width].</summary>
    public ReadOnlySpan<float> Image(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"ImageBatch: {Count} images.");
        int size = Channels * Height * Width;
        return Data.AsSpan(index * size, size);
    }
}

/// <summary>
/// What <see cref="FeatureVisualizer.Optimize"/> returns: the images (also one by one: <c>result[i]</c>,
/// <c>foreach (var image in result)</c>), their names, the loss curve and each image's objective curve.
/// <c>var (images, names) = result;</c> deconstructs it.
/// </summary>
public sealed class OptimizationResult : IReadOnlyList<VisualizedImage>
{
    internal OptimizationResult(IReadOnlyList<ImageBatch> snapshots, IReadOnlyList<string> names, int stepsCompleted, bool cancelled,
        IReadOnlyList<float> losses, IReadOnlyList<IReadOnlyList<float>> objectiveValues, CppnImages? cppn = null)
    {
        Cppn = cppn;
        Snapshots = snapshots;
        Names = names;
        StepsCompleted = stepsCompleted;
        Cancelled = cancelled;
        Losses = losses;
        ObjectiveValues = objectiveValues;
    }

    /// <summary>
    /// With <see cref="OptimizationOptions.Cppn"/>: the networks that drew <see cref="Images"/>, to render them at
    /// another size (<c>result.Cppn.Render(new ImageSize(1024, 1024))</c>) or save them; otherwise null.
    /// </summary>
    public CppnImages? Cppn { get; }

    /// <summary>The loss minimised at every step read (warm-up included; index i is step i + 1), for the whole batch.</summary>
    public IReadOnlyList<float> Losses { get; }

    /// <summary>
    /// Each image's own objective value (its score before penalties, to maximise) at every step: <c>[image][step - 1]</c>,
    /// warm-up included.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<float>> ObjectiveValues { get; }

    /// <summary>Number of images.</summary>
    public int Count => Names.Count;

    /// <summary>Image <paramref name="index"/> of the final snapshot, with its name and objective curve.</summary>
    public VisualizedImage this[int index] =>
        (uint)index < (uint)Count ? new VisualizedImage(this, index)
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"OptimizationResult: {Count} images.");

    /// <summary>Deconstructs into the final images and their names: <c>var (images, names) = result;</c>.</summary>
    public void Deconstruct(out ImageBatch images, out IReadOnlyList<string> names)
    {
        images = Images;
        names = Names;
    }

    /// <inheritdoc/>
    public IEnumerator<VisualizedImage> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return new VisualizedImage(this, i);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The snapshots in order (every <see cref="OptimizationOptions.SaveEvery"/> steps, and the final images last).</summary>
    public IReadOnlyList<ImageBatch> Snapshots { get; }

    /// <summary>The last snapshot.</summary>
    public ImageBatch Images => Snapshots[^1];

    /// <summary>One name per image.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Optimization steps completed (warm-up excluded).</summary>
    public int StepsCompleted { get; }

    /// <summary>True when the run was cancelled; the last snapshot holds the images at that point.</summary>
    public bool Cancelled { get; }
}

/// <summary>One image of an <see cref="OptimizationResult"/>: its name, pixels and objective curve.</summary>
public sealed class VisualizedImage
{
    private readonly OptimizationResult _result;

    internal VisualizedImage(OptimizationResult result, int index)
    {
        _result = result;
        Index = index;
    }

    /// <summary>The image's position in the batch.</summary>
    public int Index { get; }

    /// <summary>The image's name.</summary>
    public string Name => _result.Names[Index];

    /// <summary>The final batch the image belongs to.</summary>
    public ImageBatch Batch => _result.Images;

    /// <summary>The pixel values, [Channels, Height, Width], in <see cref="ImageBatch.Range"/>.</summary>
    public ReadOnlySpan<float> Pixels => _result.Images.Image(Index);

    /// <summary>The image's objective value at every step (warm-up included).</summary>
    public IReadOnlyList<float> ObjectiveValues => _result.ObjectiveValues[Index];

    /// <summary>Deconstructs into the name and the pixel values (a copy): <c>var (name, pixels) = result[0];</c>.</summary>
    public void Deconstruct(out string name, out float[] pixels)
    {
        name = Name;
        pixels = Pixels.ToArray();
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>The loss became NaN or infinite: the run stopped. <see cref="LastFiniteResult"/> holds the last finite images.</summary>
public sealed class OptimizationDivergedException : Exception
{
    internal OptimizationDivergedException(int step, string objective, float loss, OptimizationResult lastFinite)
        : base($"Optimization diverged at step {step}: the loss is {loss} for objective '{objective}'. The last finite images are in LastFiniteResult (step {lastFinite.Images.Step}). Try a smaller learning rate or fewer regularizers.")
    {
        Step = step;
        Objective = objective;
        Loss = loss;
        LastFiniteResult = lastFinite;
    }

    /// <summary>The step (1-based, warm-up included) whose loss was not finite.</summary>
    public int Step { get; }

    /// <summary>The objective's image names, joined.</summary>
    public string Objective { get; }

    /// <summary>The non-finite loss.</summary>
    public float Loss { get; }

    /// <summary>The images before divergence.</summary>
    public OptimizationResult LastFiniteResult { get; }
}
