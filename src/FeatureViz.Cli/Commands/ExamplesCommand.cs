using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FeatureViz.Cli.Objectives;
using FeatureViz.Cli.Output;
using FeatureViz.Cli.Render;
using FeatureViz.Examples;
using FeatureViz.IO;

namespace FeatureViz.Cli.Commands;

/// <summary>
/// <c>featureviz examples</c>: the images of a folder that score highest on objectives (dataset examples), written as
/// thumbnails (and receptive-field crops for neurons) with examples.json, shown in index.html beside the
/// visualizations render wrote into the same folder. Resumable through a checkpoint of the top-k lists.
/// </summary>
internal static class ExamplesCommand
{
    /// <summary>The checkpoint file: the search state and the fingerprint of what it was computed from.</summary>
    internal const string StateFileName = ".examples-state.json";

    public static Command Create(CliContext context)
    {
        var options = new RenderOptions();
        var images = new Option<string>("--images") { Description = "The folder of images (read recursively, in ordinal path order).", Required = true, HelpName = "DIR" };
        var objectives = new Option<string[]>("--objective") { Description = "An objective (repeatable), as for render; default: a handful of channels of a middle layer.", HelpName = "EXPR" };
        var top = new Option<int>("--top", "-k") { Description = "Images kept per objective.", DefaultValueFactory = _ => 9 };
        var batch = new Option<int>("--batch") { Description = "Images run through the model together.", DefaultValueFactory = _ => 16 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Save the search state every N images scored (an interrupted run resumes from it).", DefaultValueFactory = _ => 500 };
        var command = new Command("examples",
            """
            Find the images of a folder that excite objectives most (dataset examples): every image is resized and
            centre-cropped to the model input, scored alone on each objective, and the top K per objective are written
            as thumbnails (with the crop of the receptive field for neuron objectives) into the output folder, listed
            in examples.json and shown in index.html beside the visualization render wrote for the same objective.
            Files that are not images, corrupt, truncated or too large are reported and skipped. Memory stays bounded
            whatever the folder size. Interrupted runs resume from their last checkpoint when the folder, the model
            and the arguments are unchanged (--force starts again).

            Examples:
              featureviz examples --images photos --objective channel:ReLU315_Output_0:0-7 --top 9
              featureviz examples --model mnist.onnx --images digits --objective neuron:2:5@3,4 --out out
            """) { images, objectives, top };
        foreach (var o in new Option[] { options.Model, options.ValuesRange, options.Size, batch, checkpointEvery })
            command.Add(o);
        var device = DeviceOption.AddTo(command);
        command.Add(options.Out);
        command.Add(options.Force);
        command.SetAction((parse, ct) =>
        {
            string imageDir = parse.GetRequiredValue(images);
            if (string.IsNullOrWhiteSpace(imageDir) || !Directory.Exists(imageDir))
                throw new UsageException($"--images: '{imageDir}' is not a folder.");
            var texts = parse.GetValue(objectives) ?? [];
            var expressions = texts.Select(RenderCommand.Parse).ToList();
            foreach (var e in expressions)
                if (e.Terms.FirstOrDefault(t => t.Atom.Kind is ObjectiveKind.Diversity or ObjectiveKind.Alignment) is { } coupled)
                    throw new UsageException($"--objective '{e.Text}': {coupled.Atom.Kind.ToString().ToLowerInvariant()} compares the images of a batch; examples score each image alone.");
            int k = parse.GetValue(top);
            RunLimits.Bounded("--top", k, 1, 1000);
            int b = parse.GetValue(batch);
            RunLimits.Bounded("--batch", b, 1, RunLimits.MaxBatch);
            int every = parse.GetValue(checkpointEvery);
            RunLimits.Bounded("--checkpoint-every", every, 1, int.MaxValue);
            var (w, h) = parse.GetValue(options.Size) is string s ? RenderOptions.ParseSize(s) : (0, 0);
            string? modelPath = parse.GetValue(options.Model);
            ModelLoading.CheckModel(modelPath);
            var range = options.ReadValuesRange(parse);
            string? outText = parse.GetValue(options.Out);
            if (!string.IsNullOrWhiteSpace(outText) && Inside(Path.GetFullPath(outText), Path.GetFullPath(imageDir)))
                throw new UsageException($"--out: '{outText}' is inside --images '{imageDir}': its thumbnails would be read as images; choose a folder outside it.");
            string outDir = OutputFolderPaths.RequireFolder(outText, "--out");
            using var compute = ComputeDevice.Open(device.Read(parse), context);
            using var engine = new LibraryRenderEngine(modelPath, compute, range);
            if (expressions.Count == 0)
            {
                var (text, expr) = RenderCommand.DefaultObjective(engine);
                texts = [text];
                expressions.Add(expr);
            }
            foreach (var e in expressions) RunLimits.CheckObjective(engine, e, "--objective");
            RunLimits.ImageCount(expressions, "--objective");
            foreach (var e in expressions) RenderCommand.Validate(engine, e);
            var items = RenderPlan.Expand(expressions, engine.LayerName);
            var job = new ExamplesJob(imageDir, outDir, texts, items, k, b, every, w > 0 ? new Rendering.ImageSize(h, w) : null, parse.GetValue(options.Force));
            return Task.FromResult(Run(context, job, engine, ct));
        });
        return command;
    }

    private static bool Inside(string path, string folder)
    {
        string a = Path.TrimEndingDirectorySeparator(path), b = Path.TrimEndingDirectorySeparator(folder);
        return a == b || a.StartsWith(b + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>What to search and where.</summary>
    internal sealed record ExamplesJob(
        string ImageDirectory, string OutputDirectory, IReadOnlyList<string> Objectives, IReadOnlyList<RenderItem> Items,
        int TopK, int BatchSize, int CheckpointEvery, Rendering.ImageSize? Size, bool Force);

    /// <summary>The checkpoint file's content.</summary>
    internal sealed record SavedState(string Fingerprint, bool Complete, DatasetExamplesCheckpoint State);

    private static int Run(CliContext context, ExamplesJob job, LibraryRenderEngine engine, CancellationToken ct)
    {
        var log = context.Out;
        using var folder = OutputFolder.Open(job.OutputDirectory, "featureviz examples");
        string dir = job.OutputDirectory;
        // One library objective per batch of items that differ in one term's index, so the items keep their order.
        var batches = RenderPlan.Batch(job.Items, int.MaxValue);
        var objectives = batches.Select(x => engine.Build(x.Objective)).ToList();
        var names = batches.SelectMany(x => x.Items).ToList();
        var parameters = new Dictionary<string, string>
        {
            ["model"] = engine.ModelName,
            ["valuesRange"] = $"{engine.ValuesRange.Min.ToString("R", CultureInfo.InvariantCulture)},{engine.ValuesRange.Max.ToString("R", CultureInfo.InvariantCulture)}",
            ["top"] = job.TopK.ToString(CultureInfo.InvariantCulture),
            ["size"] = job.Size is { } z ? $"{z.Width}x{z.Height}" : "model",
            ["images"] = Path.GetFullPath(job.ImageDirectory),
        };
        string fingerprint = Fingerprint(job, parameters);
        string statePath = Path.Combine(dir, StateFileName);
        var saved = job.Force ? null : ReadState(statePath);
        var resume = saved is not null && saved.Fingerprint == fingerprint && saved.State.Examples.Count == names.Count ? saved.State : null;
        if (saved is not null && resume is null)
            log.WriteLine($"note: the saved search in {dir} is for another folder content, model or arguments; starting again.");
        else if (resume is not null)
            log.WriteLine(saved!.Complete
                ? $"Already complete: {resume.ImagesScored} image(s) scored earlier ({resume.SkippedCount} skipped); rewriting the outputs."
                : $"Resuming: {resume.FilesDone} file(s) already done ({resume.ImagesScored} scored, {resume.SkippedCount} skipped).");

        var clock = Stopwatch.StartNew();
        double lastPrint = double.NegativeInfinity;
        var options = new DatasetExampleOptions
        {
            TopK = job.TopK,
            BatchSize = job.BatchSize,
            ImageSize = job.Size,
            ValuesRange = engine.ValuesRange,
            CheckpointEvery = job.CheckpointEvery,
            OnCheckpoint = state => WriteState(statePath, new SavedState(fingerprint, false, state)),
            ResumeFrom = resume,
            Progress = new SyncProgress(p =>
            {
                if (p.Skipped is { } skip)
                {
                    context.Err.WriteLine($"skipped: {skip.Message}");
                    return;
                }
                double now = clock.Elapsed.TotalSeconds;
                if (now - lastPrint < 5) return;
                lastPrint = now;
                log.WriteLine($"examples: {p.FilesDone} file(s) done, {p.ImagesScored} scored, {p.SkippedCount} skipped, elapsed {ProgressReporter.FormatDuration(clock.Elapsed)}");
                log.Flush();
            }),
        };
        DatasetExamplesResult result;
        if (saved?.Complete == true && resume is not null)
            result = DatasetExamples.Find(objectives, job.ImageDirectory, options with { ResumeFrom = resume, Progress = null }, new CancellationToken(canceled: true));
        else
            result = DatasetExamples.Find(objectives, job.ImageDirectory, options, ct);
        bool complete = !result.Cancelled;
        WriteState(statePath, new SavedState(fingerprint, complete, result.State));

        var entries = new List<ExamplesObjective>();
        for (int j = 0; j < names.Count; j++)
        {
            var found = result.Objectives[j];
            var region = found.ReceptiveField;
            var imagesOut = new List<ExamplesImage>();
            for (int r = 0; r < found.Examples.Count; r++)
            {
                var ex = found.Examples[r];
                var (file, crop) = complete ? WriteThumbnails(dir, names[j].Stem, r + 1, ex.Path, region, result.LoadOptions, context.Err) : (null, null);
                imagesOut.Add(new ExamplesImage(r + 1, ex.Path, ex.Score, file, crop));
            }
            entries.Add(new ExamplesObjective(names[j].Name, names[j].Stem,
                region is { } f ? new ExamplesRegion(f.X, f.Y, f.Width, f.Height) : null, imagesOut));
        }
        var examples = new ExamplesManifest
        {
            Model = engine.ModelName,
            Images = Path.GetFullPath(job.ImageDirectory),
            Parameters = parameters,
            Complete = complete,
            ImagesScored = result.ImagesScored,
            SkippedCount = result.SkippedCount,
            Skipped = result.Skipped.Select(x => new ExamplesSkip(x.Path, x.Failure.ToString(), x.Message)).ToList(),
            Objectives = entries,
            Updated = DateTimeOffset.UtcNow,
        };
        AtomicFile.WriteText(Path.Combine(dir, ExamplesManifest.FileName), examples.ToJson());
        var manifest = Manifest.TryRead(Path.Combine(dir, Manifest.FileName)) ?? new Manifest
        {
            Command = "examples",
            Title = "featureviz examples",
            Model = engine.ModelName,
            Parameters = parameters,
            Objectives = job.Objectives,
            Complete = true,
            Updated = DateTimeOffset.UtcNow,
        };
        string index = Path.Combine(dir, HtmlReport.FileName);
        AtomicFile.WriteText(index, HtmlReport.Build(manifest, examples));

        string skippedNote = result.SkippedCount == 0 ? "" : $", {result.SkippedCount} file(s) skipped (listed in {ExamplesManifest.FileName})";
        if (result.Cancelled)
        {
            log.WriteLine($"Interrupted after {result.ImagesScored} image(s){skippedNote}; run the command again to resume. {Path.GetFullPath(index)}");
            context.Err.WriteLine("Interrupted.");
            return ExitCodes.Cancelled;
        }
        log.WriteLine($"Scored {result.ImagesScored} image(s) on {names.Count} objective(s){skippedNote}: {Path.GetFullPath(index)}");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The thumbnail of a top image as the model saw it (resized and cropped to its input), and its receptive-field
    /// crop; (null, null) when the file can no longer be read (changed since it was scored).
    /// </summary>
    private static (string? File, string? Crop) WriteThumbnails(string dir, string stem, int rank, string source, PixelRegion? region, ImageLoadOptions load, TextWriter err)
    {
        if (!ImageFile.TryLoad(source, load, out var image, out var error))
        {
            err.WriteLine($"warning: top image {rank} of '{stem}' can no longer be read: {error!.Message}");
            return (null, null);
        }
        var rgb = ToRgb(image!);
        string file = $"{stem}.top{rank}.png";
        AtomicFile.WriteBytes(Path.Combine(dir, file), ImageFiles.EncodePng(rgb, null));
        if (region is not { } r) return (file, null);
        string crop = $"{stem}.top{rank}.crop.png";
        AtomicFile.WriteBytes(Path.Combine(dir, crop), ImageFiles.EncodePng(Crop(rgb, r), null));
        return (file, crop);
    }

    /// <summary>8-bit RGB of a loaded image (values 0..1; grayscale replicated).</summary>
    internal static RgbImage ToRgb(LoadedImage image)
    {
        int plane = image.Height * image.Width;
        var bytes = new byte[plane * 3];
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
            {
                float v = image.Pixels[(image.Channels == 1 ? 0 : c) * plane + p];
                bytes[p * 3 + c] = (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f);
            }
        return new RgbImage(image.Width, image.Height, bytes);
    }

    internal static RgbImage Crop(RgbImage image, PixelRegion r)
    {
        var bytes = new byte[r.Width * r.Height * 3];
        for (int y = 0; y < r.Height; y++)
            Array.Copy(image.Pixels, ((r.Y + y) * image.Width + r.X) * 3, bytes, y * r.Width * 3, r.Width * 3);
        return new RgbImage(r.Width, r.Height, bytes);
    }

    /// <summary>
    /// What a saved search depends on: the arguments and model, and the folder's files (relative path, size and
    /// modification time, in ordinal order); any change starts the search again.
    /// </summary>
    internal static string Fingerprint(ExamplesJob job, IReadOnlyDictionary<string, string> parameters)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => hash.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        foreach (var (key, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal)) Add($"{key}={value}");
        foreach (var item in job.Items) Add($"item={item.Name}");
        if (File.Exists(parameters["model"]))
        {
            var m = new FileInfo(parameters["model"]);
            Add($"modelFile={m.Length},{m.LastWriteTimeUtc.Ticks}");
        }
        var root = Path.GetFullPath(job.ImageDirectory);
        var listing = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden };
        foreach (var f in Directory.EnumerateFiles(root, "*", listing).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(f);
            Add($"{Path.GetRelativePath(root, f)}\t{info.Length}\t{info.LastWriteTimeUtc.Ticks}");
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static SavedState? ReadState(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var s = JsonSerializer.Deserialize<SavedState>(Tensors.IO.UserFile.ReadAllBytes(path, Manifest.MaxBytes, StateFileName), ExamplesManifest.Json);
            return s is { Fingerprint: not null, State: { Examples: not null, Skipped: not null } } && s.State.Examples.All(e => e is not null) ? s : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    private static void WriteState(string path, SavedState state) =>
        AtomicFile.WriteText(path, JsonSerializer.Serialize(state, ExamplesManifest.Json));

    /// <summary>Reports synchronously on the calling thread.</summary>
    private sealed class SyncProgress(Action<DatasetExamplesProgress> report) : IProgress<DatasetExamplesProgress>
    {
        public void Report(DatasetExamplesProgress value) => report(value);
    }
}
