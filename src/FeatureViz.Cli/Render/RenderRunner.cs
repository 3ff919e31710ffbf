using System.Diagnostics;
using FeatureViz.Cli.Output;

namespace FeatureViz.Cli.Render;

/// <summary>What a run did.</summary>
internal sealed record RunSummary(string OutputDirectory, Manifest Manifest, int Rendered, int Reused);

/// <summary>What to render and where.</summary>
internal sealed record RenderJob(
    string OutputDirectory,
    string Command,
    string Title,
    IReadOnlyList<string> Objectives,
    RenderSettings Settings,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<RenderItem> Items,
    bool Force,
    IReadOnlyDictionary<string, byte[]>? ExtraFiles = null);

/// <summary>
/// Renders the items of a job batch by batch into a locked <see cref="OutputFolder"/>, writing each finished image,
/// manifest.json and index.html atomically after every batch. An image already in the folder is kept when its file is
/// intact (SHA-256 as recorded) and its pixel parameters equal the job's; otherwise it is recomputed. Batches are
/// planned over the whole job, and a batch that is recomputed is optimized together with its intact members that
/// were made in that same batch, so a resumed run writes the bytes an uninterrupted run would have. On cancellation
/// the current batch is dropped and the files describe exactly the finished images.
/// </summary>
internal static class RenderRunner
{
    public static RunSummary Run(RenderJob job, IRenderEngine engine, IRunProgress progress, CancellationToken cancellationToken)
    {
        using var folder = OutputFolder.Open(job.OutputDirectory, job.Title);
        string dir = job.OutputDirectory;
        // Files the report shows beside the images (accentuate's seed), written once the folder is ours.
        foreach (var (name, bytes) in job.ExtraFiles ?? new Dictionary<string, byte[]>())
            AtomicFile.WriteBytes(Path.Combine(dir, name), bytes);
        var manifest = new Manifest
        {
            Command = job.Command,
            Title = job.Title,
            Model = engine.ModelName,
            Parameters = job.Parameters,
            Objectives = job.Objectives,
        };

        var existing = folder.ReadItems(progress.Message);
        var wanted = job.Items.ToDictionary(i => i.Name, i => ItemParameters(job, i), StringComparer.Ordinal);
        var kept = new Dictionary<string, ManifestItem>(StringComparer.Ordinal);
        int differing = 0;
        foreach (var (name, item) in existing)
        {
            if (!wanted.TryGetValue(name, out var parameters)) kept[name] = item; // another job's image: kept as it is
            else if (!job.Force && item.SameImageAs(parameters)) kept[name] = item;
            else if (!job.Force) differing++;
        }
        if (differing > 0)
            progress.Message($"note: recomputing {differing} image(s) in {dir} made with other parameters (e.g. another --seed or --steps).");

        var todo = job.Items.Where(i => !kept.ContainsKey(i.Name)).ToHashSet();
        int reused = job.Items.Count - todo.Count;
        if (reused > 0) progress.Message($"Resuming: {reused} of {job.Items.Count} image(s) already in {dir}.");
        var planOrder = job.Items.Select((item, k) => (item.Name, k)).ToDictionary(p => p.Name, p => p.k, StringComparer.Ordinal);
        manifest.Items.AddRange(kept.Values);
        Sort(manifest, planOrder);
        Save(dir, manifest, complete: todo.Count == 0);

        var batches = new List<RenderBatch>();
        foreach (var planned in RenderPlan.Batch(job.Items, Math.Max(1, job.Settings.BatchSize)))
        {
            if (!planned.Items.Any(todo.Contains)) continue;
            var names = planned.Items.Select(i => i.Name).ToList();
            // Intact members made in this very batch are optimized again (not rewritten) so the others come out identical.
            var members = planned.Items.Where(i => todo.Contains(i) || kept[i.Name].BatchItems.SequenceEqual(names)).ToList();
            batches.AddRange(RenderPlan.Batch(members, members.Count));
        }
        int rendered = 0;
        for (int b = 0; b < batches.Count; b++)
        {
            var batch = batches[b];
            cancellationToken.ThrowIfCancellationRequested();
            string label = batch.Items.Count == 1 ? batch.Items[0].Name : $"{batch.Items[0].Name} .. {batch.Items[^1].Name}";
            progress.BeginBatch(b, batches.Count, label, job.Settings.Steps + job.Settings.WarmupSteps);
            var clock = Stopwatch.StartNew();
            IReadOnlyList<ItemResult> results;
            try
            {
                results = engine.Render(batch, job.Settings, progress.Step, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The device lost, out of memory, a kernel that failed: the run ends here. The batches finished before
                // are written, and manifest.json and index.html describe exactly them.
                progress.Message($"Batch {b + 1} of {batches.Count} ({label}) failed on {engine.DeviceName}; the {manifest.Items.Count} finished image(s) in {dir} are kept (run the command again to resume).");
                throw;
            }
            double seconds = clock.Elapsed.TotalSeconds / Math.Max(1, results.Count);
            var batchNames = batch.Items.Select(i => i.Name).ToList();
            foreach (var r in results.Where(r => todo.Contains(r.Item)))
            {
                var item = Write(dir, r, wanted[r.Item.Name], batchNames, Math.Round(seconds, 3));
                manifest.Items.RemoveAll(i => i.Name == item.Name || i.File == item.File);
                manifest.Items.Add(item);
                rendered++;
            }
            Sort(manifest, planOrder);
            Save(dir, manifest, complete: b == batches.Count - 1);
        }
        return new RunSummary(dir, manifest, rendered, reused);
    }

    /// <summary>The parameters recorded with one image: the job's pixel parameters, its objective and the batch size.</summary>
    internal static Dictionary<string, string> ItemParameters(RenderJob job, RenderItem item) => ItemParameters(job.Parameters, item.Name);

    /// <summary>The parameters recorded with the image of objective <paramref name="name"/> in a run with <paramref name="parameters"/>.</summary>
    internal static Dictionary<string, string> ItemParameters(IReadOnlyDictionary<string, string> parameters, string name)
    {
        var p = ManifestItem.PixelParameters.Where(parameters.ContainsKey).ToDictionary(k => k, k => parameters[k], StringComparer.Ordinal);
        p["objective"] = name;
        if (parameters.TryGetValue("batch", out var batch)) p["batch"] = batch;
        return p;
    }

    /// <summary>Writes an image (its manifest item embedded) and its animation; returns the item with the files' hashes.</summary>
    private static ManifestItem Write(string dir, ItemResult r, Dictionary<string, string> parameters, List<string> batchNames, double seconds)
    {
        string file = r.Item.Stem + ".png";
        string? gif = r.Frames.Count > 1 ? r.Item.Stem + ".gif" : null;
        string? weights = r.Cppn is null ? null : r.Item.Stem + ".cppn.json";
        bool maps = r.TransparencyMap is not null;
        var item = new ManifestItem
        {
            Name = r.Item.Name,
            File = file,
            Animation = gif,
            CppnWeights = weights,
            Transparency = maps ? r.Item.Stem + ".alpha.png" : null,
            TransparencyMap = maps ? r.Item.Stem + ".map.png" : null,
            Objective = r.Item.Name,
            Width = r.Image.Width,
            Height = r.Image.Height,
            FinalLoss = r.Losses.Count > 0 ? r.Losses[^1] : double.NaN,
            Losses = ManifestCurve.Downsample(r.Losses),
            CurveSteps = ManifestCurve.Steps(r.Losses.Count),
            ObjectiveValues = r.ObjectiveValues is { Count: > 0 } o ? ManifestCurve.Downsample(o) : null,
            FinalObjective = r.ObjectiveValues is { Count: > 0 } f ? f[^1] : null,
            Seconds = 0,
            Parameters = parameters,
            BatchItems = batchNames,
            PixelsSha256 = ImageFiles.PixelsSha256(r.Image),
        };
        // The embedded copy holds only what the pixels determine (no time), so the PNG's bytes are reproducible.
        byte[] png = ImageFiles.EncodePng(r.Image, Manifest.ItemToJson(item));
        string? gifHash = null;
        if (gif is not null)
        {
            byte[] gifBytes = ImageFiles.EncodeGif(r.Frames);
            AtomicFile.WriteBytes(Path.Combine(dir, gif), gifBytes);
            gifHash = OutputFolder.Sha256(gifBytes);
        }
        if (weights is not null) AtomicFile.WriteText(Path.Combine(dir, weights), r.Cppn!.ToJson());
        string? mapsHash = null;
        if (r.TransparencyMap is { } map)
        {
            byte[] alphaPng = ImageFiles.EncodeRgbaPng(r.Image, map), mapPng = ImageFiles.EncodeGrayPng(r.Image.Width, r.Image.Height, map);
            AtomicFile.WriteBytes(Path.Combine(dir, item.Transparency!), alphaPng);
            AtomicFile.WriteBytes(Path.Combine(dir, item.TransparencyMap!), mapPng);
            mapsHash = $"{OutputFolder.Sha256(alphaPng)},{OutputFolder.Sha256(mapPng)}";
        }
        AtomicFile.WriteBytes(Path.Combine(dir, file), png);
        return item with { Seconds = seconds, Sha256 = OutputFolder.Sha256(png), AnimationSha256 = gifHash, TransparencySha256 = mapsHash };
    }

    private static void Sort(Manifest manifest, Dictionary<string, int> planOrder)
    {
        var sorted = manifest.Items.OrderBy(i => planOrder.GetValueOrDefault(i.Name, int.MaxValue)).ThenBy(i => i.Name, StringComparer.Ordinal).ToList();
        manifest.Items.Clear();
        manifest.Items.AddRange(sorted);
    }

    private static void Save(string dir, Manifest manifest, bool complete)
    {
        manifest.Complete = complete;
        manifest.Updated = DateTimeOffset.UtcNow;
        AtomicFile.WriteText(Path.Combine(dir, Manifest.FileName), manifest.ToJson());
        AtomicFile.WriteText(Path.Combine(dir, HtmlReport.FileName), HtmlReport.Build(manifest, ExamplesManifest.TryRead(dir)));
    }
}
