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
    bool Force);

/// <summary>
/// Renders the items of a job batch by batch, writing each finished image, manifest.json and index.html atomically
/// after every batch. Items whose image already exists in the folder's manifest are kept, not recomputed (resume).
/// On cancellation the current batch is dropped and the files describe exactly the finished images.
/// </summary>
internal static class RenderRunner
{
    public static RunSummary Run(RenderJob job, IRenderEngine engine, IRunProgress progress, CancellationToken cancellationToken)
    {
        string dir = job.OutputDirectory;
        Directory.CreateDirectory(dir);
        var manifest = new Manifest
        {
            Command = job.Command,
            Title = job.Title,
            Model = engine.ModelName,
            Parameters = job.Parameters,
            Objectives = job.Objectives,
        };

        var existing = job.Force ? null : Manifest.TryRead(Path.Combine(dir, Manifest.FileName));
        var kept = new Dictionary<string, ManifestItem>(StringComparer.Ordinal);
        if (existing is not null)
        {
            foreach (var item in existing.Items)
                if (File.Exists(Path.Combine(dir, item.File))) kept[item.Name] = item;
            if (kept.Count > 0 && !existing.Parameters.OrderBy(p => p.Key).SequenceEqual(job.Parameters.OrderBy(p => p.Key)))
                progress.Message($"note: keeping {kept.Count} finished image(s) in {dir} rendered with other parameters (use --force to recompute them).");
        }

        var todo = job.Items.Where(i => !kept.ContainsKey(i.Name)).ToList();
        int reused = job.Items.Count - todo.Count;
        if (reused > 0) progress.Message($"Resuming: {reused} of {job.Items.Count} image(s) already in {dir}.");
        var planOrder = job.Items.Select((item, k) => (item.Name, k)).ToDictionary(p => p.Name, p => p.k, StringComparer.Ordinal);
        manifest.Items.AddRange(kept.Values);
        Save(dir, manifest, complete: todo.Count == 0);

        var batches = RenderPlan.Batch(todo, Math.Max(1, job.Settings.BatchSize));
        int rendered = 0;
        for (int b = 0; b < batches.Count; b++)
        {
            var batch = batches[b];
            cancellationToken.ThrowIfCancellationRequested();
            string label = batch.Items.Count == 1 ? batch.Items[0].Name : $"{batch.Items[0].Name} .. {batch.Items[^1].Name}";
            progress.BeginBatch(b, batches.Count, label, job.Settings.Steps + job.Settings.WarmupSteps);
            var clock = Stopwatch.StartNew();
            var results = engine.Render(batch, job.Settings, progress.Step, cancellationToken);
            double seconds = clock.Elapsed.TotalSeconds / Math.Max(1, results.Count);
            foreach (var r in results)
            {
                string file = r.Item.Stem + ".png";
                ImageFiles.WritePng(Path.Combine(dir, file), r.Image);
                string? gif = null;
                if (r.Frames.Count > 1)
                {
                    gif = r.Item.Stem + ".gif";
                    ImageFiles.WriteGif(Path.Combine(dir, gif), r.Frames);
                }
                manifest.Items.RemoveAll(i => i.Name == r.Item.Name);
                manifest.Items.Add(new ManifestItem
                {
                    Name = r.Item.Name,
                    File = file,
                    Animation = gif,
                    Objective = r.Item.Name,
                    Width = r.Image.Width,
                    Height = r.Image.Height,
                    FinalLoss = r.Losses.Count > 0 ? r.Losses[^1] : double.NaN,
                    Losses = r.Losses,
                    Seconds = Math.Round(seconds, 3),
                });
                rendered++;
            }
            manifest.Items.Sort((x, y) => Order(x).CompareTo(Order(y)));
            Save(dir, manifest, complete: b == batches.Count - 1);
        }
        return new RunSummary(dir, manifest, rendered, reused);

        int Order(ManifestItem i) => planOrder.TryGetValue(i.Name, out int k) ? k : int.MaxValue;
    }

    private static void Save(string dir, Manifest manifest, bool complete)
    {
        manifest.Complete = complete;
        manifest.Updated = DateTimeOffset.UtcNow;
        AtomicFile.WriteText(Path.Combine(dir, Manifest.FileName), manifest.ToJson());
        AtomicFile.WriteText(Path.Combine(dir, HtmlReport.FileName), HtmlReport.Build(manifest));
    }
}
