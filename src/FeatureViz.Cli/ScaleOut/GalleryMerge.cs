using System.Globalization;
using System.Net;
using System.Text;
using FeatureViz.Cli.Output;
using FeatureViz.Cli.Render;

namespace FeatureViz.Cli.ScaleOut;

/// <summary>What a merge found: every item's status, and the gallery folder it wrote.</summary>
internal sealed record MergeResult(string Gallery, IReadOnlyList<ItemStatus> Items)
{
    public int Done => Items.Count(i => i.State == ItemState.Done);

    public IEnumerable<ItemStatus> Missing => Items.Where(i => i.State == ItemState.Missing);

    public IEnumerable<ItemStatus> Failed => Items.Where(i => i.State == ItemState.Failed);

    public bool Complete => Done == Items.Count;
}

/// <summary>
/// Builds the combined gallery of a plan folder: gallery/index.html (an overview of the layers, with what is missing
/// or failed) and per layer gallery/LAYER/ with its images, manifest.json and index.html. The gallery is built in a
/// temporary folder and renamed into place, so readers and later merges see the old gallery or the new one, never a
/// mix; the plan folder's lock makes a second merge at the same time fail at once. Its files are a function of the
/// plan and the finished images only (no clock time, no timings), so a gallery merged from many shards is byte for
/// byte the one merged from a single process.
/// </summary>
internal static class GalleryMerge
{
    /// <summary>The gallery folder in a plan folder.</summary>
    public const string GalleryFolder = "gallery";

    private const string TempPrefix = ".gallery.tmp-";
    private const string OldPrefix = ".gallery.old-";

    /// <summary>Merges under the plan folder's lock; throws <see cref="OutputFolderBusyException"/> when another merge (or plan) holds it.</summary>
    public static MergeResult Run(string planFolder, WorkPlan plan)
    {
        using var folder = OutputFolder.Open(planFolder, "featureviz merge");
        string root = folder.Directory;
        RemoveLeftovers(root);
        var statuses = plan.Items.Select(i => PlanItems.Inspect(root, plan, i)).ToList();
        string temp = Path.Combine(root, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            Write(temp, root, plan, statuses);
            Swap(root, temp);
        }
        catch
        {
            TryDeleteFolder(temp);
            throw;
        }
        return new MergeResult(Path.Combine(root, GalleryFolder), statuses);
    }

    private static void Write(string temp, string root, WorkPlan plan, List<ItemStatus> statuses)
    {
        Directory.CreateDirectory(temp);
        var layers = new List<(string Layer, string Folder, List<ItemStatus> Items)>();
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in statuses.GroupBy(s => s.Item.Layer))
        {
            string stem = RenderPlan.Stem(group.Key);
            string name = stem;
            for (int k = 2; !used.Add(name); k++) name = $"{stem}_{k}";
            layers.Add((group.Key, name, group.ToList()));
        }
        foreach (var (layer, name, items) in layers)
        {
            string dir = Path.Combine(temp, name);
            Directory.CreateDirectory(dir);
            var manifest = new Manifest
            {
                Command = "merge",
                Title = $"featureviz atlas: {layer}",
                Model = plan.Model.Name,
                Parameters = plan.Parameters,
                Objectives = [$"channel:'{layer}':{string.Join(",", items.SelectMany(i => i.Item.Channels))}"],
                Complete = items.All(i => i.State == ItemState.Done),
                // The plan's time, not the clock's: merging the same images again gives the same bytes.
                Updated = plan.Created,
            };
            foreach (var status in items.Where(i => i.State == ItemState.Done))
            {
                string source = PlanItems.Folder(root, status.Item);
                foreach (var image in status.Images)
                {
                    foreach (string file in image.Files) File.Copy(Path.Combine(source, file), Path.Combine(dir, file));
                    // Timings differ from run to run; the gallery records only what the pixels depend on.
                    manifest.Items.Add(image with { Seconds = 0 });
                }
            }
            File.WriteAllText(Path.Combine(dir, Manifest.FileName), manifest.ToJson());
            File.WriteAllText(Path.Combine(dir, HtmlReport.FileName), HtmlReport.Build(manifest));
        }
        File.WriteAllText(Path.Combine(temp, HtmlReport.FileName), Overview(plan, layers));
    }

    /// <summary>Replaces gallery/ by <paramref name="temp"/>: the old one is renamed away first, then removed.</summary>
    private static void Swap(string root, string temp)
    {
        string gallery = Path.Combine(root, GalleryFolder);
        string? old = null;
        if (Directory.Exists(gallery))
        {
            old = Path.Combine(root, OldPrefix + Guid.NewGuid().ToString("N"));
            Directory.Move(gallery, old);
        }
        Directory.Move(temp, gallery);
        if (old is not null) TryDeleteFolder(old);
    }

    /// <summary>Removes the temporaries of a merge that was killed (this merge holds the lock, so none is in use).</summary>
    private static void RemoveLeftovers(string root)
    {
        foreach (string d in Directory.EnumerateDirectories(root, ".gallery.*"))
        {
            string name = Path.GetFileName(d);
            if (name.StartsWith(TempPrefix, StringComparison.Ordinal) || name.StartsWith(OldPrefix, StringComparison.Ordinal)) TryDeleteFolder(d);
        }
    }

    private static void TryDeleteFolder(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next merge's RemoveLeftovers.
        }
    }

    private static string Overview(WorkPlan plan, List<(string Layer, string Folder, List<ItemStatus> Items)> layers)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        int images = plan.Items.Sum(i => i.Channels.Count);
        int done = layers.Sum(l => l.Items.Where(i => i.State == ItemState.Done).Sum(i => i.Images.Count));
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html>");
        sb.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.AppendLine("<title>featureviz atlas</title>");
        sb.AppendLine("""
            <style>
            body{font-family:system-ui,sans-serif;margin:24px;background:#fafafa;color:#222}
            h1{font-size:20px} table{border-collapse:collapse;font-size:13px} td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}
            .incomplete{color:#b00}
            </style></head><body>
            """);
        sb.AppendLine("<h1>featureviz atlas</h1>");
        sb.Append("<p>Model: <code>").Append(E(plan.Model.Name)).Append("</code> (SHA-256 <code>").Append(E(plan.Model.Sha256)).Append("</code>) &middot; planned ")
          .Append(E(plan.Created.ToString("u", CultureInfo.InvariantCulture))).Append(" &middot; ").Append(done).Append(" of ").Append(images).AppendLine(" image(s)</p>");
        var notDone = layers.SelectMany(l => l.Items).Where(i => i.State != ItemState.Done).ToList();
        if (notDone.Count > 0)
            sb.Append("<p class=\"incomplete\">Incomplete: ").Append(notDone.Count(i => i.State == ItemState.Missing)).Append(" item(s) missing, ")
              .Append(notDone.Count(i => i.State == ItemState.Failed)).AppendLine(" failed (listed below). Run the shards again, then merge again.</p>");
        sb.AppendLine("<table id=\"layers\"><tr><th>layer</th><th>images</th><th>items done</th></tr>");
        foreach (var (layer, folder, items) in layers)
        {
            int layerImages = items.Sum(i => i.Item.Channels.Count);
            int layerDone = items.Where(i => i.State == ItemState.Done).Sum(i => i.Images.Count);
            sb.Append("<tr><td><a href=\"").Append(E(Uri.EscapeDataString(folder))).Append("/index.html\">").Append(E(layer)).Append("</a></td><td>")
              .Append(layerDone).Append(" / ").Append(layerImages).Append("</td><td>").Append(items.Count(i => i.State == ItemState.Done)).Append(" / ").Append(items.Count)
              .AppendLine("</td></tr>");
        }
        sb.AppendLine("</table>");
        if (notDone.Count > 0)
        {
            sb.AppendLine("<h2>Not done</h2><table id=\"not-done\"><tr><th>item</th><th>layer</th><th>channels</th><th>state</th></tr>");
            foreach (var s in notDone)
                sb.Append("<tr><td>").Append(E(s.Item.FolderText)).Append("</td><td>").Append(E(s.Item.Layer)).Append("</td><td>")
                  .Append(string.Join(",", s.Item.Channels)).Append("</td><td>").Append(s.State == ItemState.Failed ? "failed: " + E(s.Error ?? "") : "missing").AppendLine("</td></tr>");
            sb.AppendLine("</table>");
        }
        sb.AppendLine("<details><summary>Parameters</summary><table id=\"parameters\">");
        foreach (var (k, v) in plan.Parameters) sb.Append("<tr><th>").Append(E(k)).Append("</th><td>").Append(E(v)).AppendLine("</td></tr>");
        sb.AppendLine("</table></details>");
        sb.AppendLine("</body></html>");
        return sb.ToString();
    }
}
