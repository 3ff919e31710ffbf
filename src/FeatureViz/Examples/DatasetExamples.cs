using FeatureViz.IO;
using FeatureViz.Objectives;
using FeatureViz.Rendering;
using FeatureViz.Tensors;

namespace FeatureViz.Examples;

/// <summary>
/// Dataset examples (as in OpenAI Microscope): streams a folder of images through the model in small batches and
/// keeps, for every objective variant, the k images that score highest. Memory is bounded whatever the folder size:
/// one batch of decoded images and k examples (a path and a score) per variant. Files that cannot be read (corrupt,
/// truncated, decompression bombs, not images) are reported and skipped.
/// </summary>
public static class DatasetExamples
{
    /// <summary>The top-k images of <paramref name="imageDirectory"/> for every variant of <paramref name="objective"/>.</summary>
    public static DatasetExamplesResult Find(Objective objective, string imageDirectory, DatasetExampleOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        return Find([objective], imageDirectory, options, cancellationToken);
    }

    /// <summary>
    /// The top-k images of <paramref name="imageDirectory"/> (in ordinal path order, recursively by default) for every
    /// variant of every objective (all on one model). Each image is loaded with the model's channel count, brought to
    /// the model's input size (<see cref="DatasetExampleOptions.Fit"/>) and mapped to
    /// <see cref="DatasetExampleOptions.ValuesRange"/>; its score on a variant is the objective's value with the image
    /// alone, so objectives that compare the images of a batch (diversity, alignment) are not meaningful here.
    /// Cancellation stops after the current batch; the result's <see cref="DatasetExamplesResult.State"/> resumes it.
    /// </summary>
    /// <exception cref="ArgumentException">No objective, objectives on different models, bad options, or a model input that is not an image of 1 or 3 channels.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static DatasetExamplesResult Find(IReadOnlyList<Objective> objectives, string imageDirectory, DatasetExampleOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentException.ThrowIfNullOrEmpty(imageDirectory);
        options ??= new DatasetExampleOptions();
        if (objectives.Count == 0) throw new ArgumentException("DatasetExamples.Find: no objective given.", nameof(objectives));
        if (objectives.Any(o => o is null)) throw new ArgumentNullException(nameof(objectives), "DatasetExamples.Find: an objective is null.");
        var model = objectives[0].Model;
        if (objectives.Any(o => o.Model != model)) throw new ArgumentException("DatasetExamples.Find: the objectives are on different models; give one model's objectives per call.", nameof(objectives));
        Check(options);
        if (!Directory.Exists(imageDirectory)) throw new DirectoryNotFoundException($"DatasetExamples.Find: image folder '{imageDirectory}' does not exist.");

        var load = LoadOptionsFor(model, options);
        var (channels, height, width) = (load.Channels!.Value, load.ResizeTo!.Value.Height, load.ResizeTo.Value.Width);
        int fixedBatch = model.Input.Shape[0] > 0 ? model.Input.Shape[0] : 0;
        int batchSize = fixedBatch > 0 ? fixedBatch : options.BatchSize;

        using var scorer = new ExampleScorer(objectives);
        int variants = scorer.Names.Count;
        var resume = options.ResumeFrom;
        if (resume is not null && resume.Examples.Count != variants)
            throw new ArgumentException($"DatasetExamples.Find: the checkpoint has {resume.Examples.Count} objective variant(s), these objectives have {variants}; it is from another run.", nameof(options));
        var heaps = Enumerable.Range(0, variants).Select(j => new TopKHeap(options.TopK, resume?.Examples[j])).ToArray();
        var fields = options.ReceptiveFields == ReceptiveFieldMode.Never
            ? new PixelRegion?[variants]
            : scorer.ReceptiveFields(o => options.ReceptiveFields == ReceptiveFieldMode.Always || PositionSpecific(o), objectives,
                channels, height, width, options.ValuesRange, options.ReceptiveFieldSamples, seed: 0);

        int filesDone = resume?.FilesDone ?? 0, scored = resume?.ImagesScored ?? 0, skippedCount = resume?.SkippedCount ?? 0;
        var skipped = new List<SkippedImage>(resume?.Skipped ?? []);
        string? lastPath = resume?.LastPath;
        int sinceCheckpoint = 0;
        bool cancelled = false;
        var pending = new List<LoadedImage>(batchSize);
        var pixels = new float[batchSize * channels * height * width];

        foreach (var entry in ImageFolder.Enumerate(imageDirectory, load, options.Recursive, after: resume?.LastPath))
        {
            filesDone++;
            lastPath = entry.Path;
            if (entry.Image is { } image)
            {
                pending.Add(image);
                if (pending.Count == batchSize) Flush();
            }
            else
            {
                var error = entry.Error!;
                var skip = new SkippedImage(entry.Path, error.Failure, error.Message);
                skippedCount++;
                if (skipped.Count < options.MaxSkippedNames) skipped.Add(skip);
                options.Progress?.Report(new DatasetExamplesProgress(filesDone, scored, skippedCount, entry.Path, skip));
            }
            // Stop between files; the images already read are scored first, so the state counts every file done.
            if (cancellationToken.IsCancellationRequested)
            {
                cancelled = true;
                break;
            }
        }
        Flush();

        var objectivesOut = new ObjectiveExamples[variants];
        for (int j = 0; j < variants; j++) objectivesOut[j] = new ObjectiveExamples(scorer.Names[j], heaps[j].Sorted(), fields[j]);
        return new DatasetExamplesResult
        {
            Objectives = objectivesOut,
            State = State(),
            LoadOptions = load,
            Cancelled = cancelled,
        };

        void Flush()
        {
            if (pending.Count == 0) return;
            int stride = channels * height * width;
            for (int i = 0; i < batchSize; i++)
            {
                // A fixed-batch model gets its batch filled with copies of the last image (their scores are dropped).
                var src = pending[Math.Min(i, pending.Count - 1)].Pixels;
                for (int p = 0; p < stride; p++) pixels[i * stride + p] = options.ValuesRange.Min + options.ValuesRange.Width * src[p];
            }
            int rows = fixedBatch > 0 ? batchSize : pending.Count;
            float[][] scores;
            using (var input = Tensor.FromArray(model.Backend, pixels.AsSpan(0, rows * stride), rows, channels, height, width))
                scores = scorer.Score(input, pending.Count);
            for (int i = 0; i < pending.Count; i++)
                for (int j = 0; j < variants; j++)
                    heaps[j].Offer(new DatasetExample(pending[i].Path, scores[i][j]));
            scored += pending.Count;
            sinceCheckpoint += pending.Count;
            pending.Clear();
            options.Progress?.Report(new DatasetExamplesProgress(filesDone, scored, skippedCount, lastPath, null));
            if (options.OnCheckpoint is { } save && options.CheckpointEvery > 0 && sinceCheckpoint >= options.CheckpointEvery)
            {
                sinceCheckpoint = 0;
                save(State());
            }
        }

        DatasetExamplesCheckpoint State() =>
            new(filesDone, lastPath, scored, skippedCount, skipped.ToArray(), heaps.Select(h => (IReadOnlyList<DatasetExample>)h.Sorted()).ToArray());
    }

    /// <summary>
    /// The load options for <paramref name="model"/>: the caller's limits, the model's channel count, its input size
    /// (or <see cref="DatasetExampleOptions.ImageSize"/>) and the fit.
    /// </summary>
    public static ImageLoadOptions LoadOptionsFor(Models.VisualizationModel model, DatasetExampleOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var shape = model.Input.Shape;
        if (shape.Length != 4)
            throw new ArgumentException($"DatasetExamples: model input '{model.Input.Name}' has shape [{string.Join(", ", shape)}]; an NCHW image input is needed.", nameof(model));
        int channels = model.Channels;
        if (channels is not (1 or 3))
            throw new ArgumentException($"DatasetExamples: model input '{model.Input.Name}' has {channels} channels; image files give 1 (grayscale) or 3 (RGB).", nameof(model));
        ImageSize size;
        if (shape[2] > 0 && shape[3] > 0)
        {
            size = new ImageSize(shape[2], shape[3]);
            if (options.ImageSize is { } asked && asked != size)
                throw new ArgumentException($"DatasetExamples: ImageSize {asked} differs from the fixed input size {size} of model input '{model.Input.Name}'.", nameof(options));
        }
        else
        {
            size = options.ImageSize ?? throw new ArgumentException($"DatasetExamples: model input '{model.Input.Name}' has a symbolic size [{string.Join(", ", shape)}]; set DatasetExampleOptions.ImageSize.", nameof(options));
        }
        return options.Load with { Channels = channels, ResizeTo = size, Fit = options.Fit };
    }

    private static void Check(DatasetExampleOptions o)
    {
        if (o.TopK < 1) throw new ArgumentOutOfRangeException(nameof(o.TopK), o.TopK, "DatasetExampleOptions.TopK must be at least 1.");
        if (o.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(o.BatchSize), o.BatchSize, "DatasetExampleOptions.BatchSize must be at least 1.");
        if (o.ReceptiveFieldSamples < 1) throw new ArgumentOutOfRangeException(nameof(o.ReceptiveFieldSamples), o.ReceptiveFieldSamples, "DatasetExampleOptions.ReceptiveFieldSamples must be at least 1.");
        if (o.MaxSkippedNames < 0) throw new ArgumentOutOfRangeException(nameof(o.MaxSkippedNames), o.MaxSkippedNames, "DatasetExampleOptions.MaxSkippedNames must not be negative.");
        if (o.CheckpointEvery < 0) throw new ArgumentOutOfRangeException(nameof(o.CheckpointEvery), o.CheckpointEvery, "DatasetExampleOptions.CheckpointEvery must not be negative.");
        if (!(o.ValuesRange.Min < o.ValuesRange.Max) || !float.IsFinite(o.ValuesRange.Width))
            throw new ArgumentOutOfRangeException(nameof(o.ValuesRange), o.ValuesRange, "DatasetExampleOptions.ValuesRange must be finite with Min < Max.");
        ArgumentNullException.ThrowIfNull(o.Load, nameof(o.Load));
        if (o.ImageSize is { } s && (s.Height < 1 || s.Width < 1))
            throw new ArgumentOutOfRangeException(nameof(o.ImageSize), s, "DatasetExampleOptions.ImageSize must be positive.");
        if (o.ResumeFrom is { } r && (r.FilesDone < 0 || r.Examples is null || r.Skipped is null))
            throw new ArgumentException("DatasetExampleOptions.ResumeFrom is not a valid checkpoint.", nameof(o.ResumeFrom));
    }

    /// <summary>Objectives whose terms are all neurons or functions (position-specific); channel, layer and direction terms read a whole layer.</summary>
    private static bool PositionSpecific(Objective o) =>
        o.Terms.All(t => t.Kind is SubObjectiveKind.Neuron or SubObjectiveKind.Function);
}
