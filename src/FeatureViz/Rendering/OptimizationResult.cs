namespace FeatureViz.Rendering;

/// <summary>
/// One step's progress: the step (1-based, warm-up included), the total, the loss minimised (negated score plus
/// penalties) and the time elapsed when that loss was read back from the device (losses are read in batches, see
/// <see cref="OptimizationOptions.LossReadInterval"/>, so the steps of one batch share it).
/// </summary>
public readonly record struct OptimizationProgress(int Step, int TotalSteps, float Loss, TimeSpan Elapsed, bool IsWarmup);

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

    /// <summary>One image, [Channels, Height, Width].</summary>
    public ReadOnlySpan<float> Image(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"ImageBatch: {Count} images.");
        int size = Channels * Height * Width;
        return Data.AsSpan(index * size, size);
    }
}

/// <summary>What <see cref="FeatureVisualizer.Optimize"/> returns.</summary>
public sealed class OptimizationResult
{
    internal OptimizationResult(IReadOnlyList<ImageBatch> snapshots, IReadOnlyList<string> names, int stepsCompleted, bool cancelled)
    {
        Snapshots = snapshots;
        Names = names;
        StepsCompleted = stepsCompleted;
        Cancelled = cancelled;
    }

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
