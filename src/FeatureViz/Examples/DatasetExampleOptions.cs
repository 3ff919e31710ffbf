using FeatureViz.IO;
using FeatureViz.Rendering;

namespace FeatureViz.Examples;

/// <summary>When <see cref="DatasetExamples.Find(IReadOnlyList{Objectives.Objective}, string, DatasetExampleOptions?, CancellationToken)"/> computes receptive fields.</summary>
public enum ReceptiveFieldMode
{
    /// <summary>For objectives made only of position-specific terms (neurons, and terms written as functions); not for channel, layer or direction terms, which read the whole layer.</summary>
    Auto,
    /// <summary>For every objective.</summary>
    Always,
    /// <summary>Never (no crops).</summary>
    Never,
}

/// <summary>Options of <see cref="DatasetExamples"/>.</summary>
public sealed record DatasetExampleOptions
{
    /// <summary>How many images to keep per objective variant (default 9).</summary>
    public int TopK { get; init; } = 9;

    /// <summary>Images run through the model together (default 16); a model whose input has a fixed batch size uses that instead.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>The image size fed to the model; null: the model input's (required when the model's input size is symbolic).</summary>
    public ImageSize? ImageSize { get; init; }

    /// <summary>How images are brought to <see cref="ImageSize"/> (default: scale the shorter side, crop the centre).</summary>
    public ImageFit Fit { get; init; } = ImageFit.CenterCrop;

    /// <summary>The model's input value range: pixel values 0..1 are mapped linearly onto it (default 0..1).</summary>
    public ValueRange ValuesRange { get; init; } = new(0f, 1f);

    /// <summary>
    /// Limits on the files read (<see cref="ImageLoadOptions.MaxPixels"/>, <see cref="ImageLoadOptions.MaxFileBytes"/>);
    /// their channel count, size and fit are set from the model and the options above.
    /// </summary>
    public ImageLoadOptions Load { get; init; } = new();

    /// <summary>Also read the folder's subfolders (default true).</summary>
    public bool Recursive { get; init; } = true;

    /// <summary>When to compute receptive fields (the crops of neuron objectives).</summary>
    public ReceptiveFieldMode ReceptiveFields { get; init; } = ReceptiveFieldMode.Auto;

    /// <summary>Random images whose input gradients are united to find a receptive field (default 4).</summary>
    public int ReceptiveFieldSamples { get; init; } = 4;

    /// <summary>How many skipped files are named in the result (all are counted; default 1,000).</summary>
    public int MaxSkippedNames { get; init; } = 1000;

    /// <summary>Reports after every batch and every skipped file, on the calling thread.</summary>
    public IProgress<DatasetExamplesProgress>? Progress { get; init; }

    /// <summary>
    /// Called with the state after every batch that brings the images scored since the last call to at least
    /// <see cref="CheckpointEvery"/> (0: never): save it to resume an interrupted run with <see cref="ResumeFrom"/>.
    /// </summary>
    public Action<DatasetExamplesCheckpoint>? OnCheckpoint { get; init; }

    /// <summary>Images scored between two <see cref="OnCheckpoint"/> calls (0: none).</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>
    /// Continue from a saved state: only the files whose path sorts (ordinal) after its
    /// <see cref="DatasetExamplesCheckpoint.LastPath"/> are read; none of the files done is opened again. The objectives
    /// must be those of the run that saved it, and the folder unchanged up to that path (the caller checks that, e.g.
    /// with a listing of sizes and times).
    /// </summary>
    public DatasetExamplesCheckpoint? ResumeFrom { get; init; }
}

/// <summary>Progress of a search.</summary>
/// <param name="FilesDone">Files read or skipped so far (in ordinal path order, counting those of a resumed run).</param>
/// <param name="ImagesScored">Images scored so far.</param>
/// <param name="SkippedCount">Files skipped so far.</param>
/// <param name="LastPath">The last file read.</param>
/// <param name="Skipped">The file just skipped, when this report is about one.</param>
public sealed record DatasetExamplesProgress(int FilesDone, int ImagesScored, int SkippedCount, string? LastPath, SkippedImage? Skipped);

/// <summary>A file that was not scored, and why.</summary>
/// <param name="Path">The file.</param>
/// <param name="Failure">The kind of failure.</param>
/// <param name="Message">The loader's message (it names the file and the limit).</param>
public sealed record SkippedImage(string Path, ImageLoadFailure Failure, string Message);

/// <summary>The state of a search after a batch: enough to continue it without reading the files done again.</summary>
/// <param name="FilesDone">Files read or skipped, in ordinal path order.</param>
/// <param name="LastPath">The last of them: a resumed search starts after it.</param>
/// <param name="ImagesScored">Images scored.</param>
/// <param name="SkippedCount">Files skipped.</param>
/// <param name="Skipped">The skipped files named so far (at most <see cref="DatasetExampleOptions.MaxSkippedNames"/>).</param>
/// <param name="Examples">The best images so far of every objective variant, best first.</param>
public sealed record DatasetExamplesCheckpoint(
    int FilesDone,
    string? LastPath,
    int ImagesScored,
    int SkippedCount,
    IReadOnlyList<SkippedImage> Skipped,
    IReadOnlyList<IReadOnlyList<DatasetExample>> Examples);

/// <summary>What a search found.</summary>
public sealed record DatasetExamplesResult
{
    /// <summary>One entry per objective variant, in the order of the objectives and their variants.</summary>
    public required IReadOnlyList<ObjectiveExamples> Objectives { get; init; }

    /// <summary>The final state (to resume a cancelled search, or to save).</summary>
    public required DatasetExamplesCheckpoint State { get; init; }

    /// <summary>The options the images were loaded with (size, fit, channels, limits): load an example again with them to show it as the model saw it.</summary>
    public required ImageLoadOptions LoadOptions { get; init; }

    /// <summary>True when the search stopped early on cancellation (<see cref="State"/> resumes it).</summary>
    public bool Cancelled { get; init; }

    /// <summary>Images scored (including those of a resumed run).</summary>
    public int ImagesScored => State.ImagesScored;

    /// <summary>Files skipped (corrupt, truncated, too large, not images).</summary>
    public int SkippedCount => State.SkippedCount;

    /// <summary>The skipped files (the first <see cref="DatasetExampleOptions.MaxSkippedNames"/>).</summary>
    public IReadOnlyList<SkippedImage> Skipped => State.Skipped;
}
