using FeatureViz.Cli.Objectives;
using FeatureViz.Cli.Output;
using FeatureViz.Cli.Render;

namespace FeatureViz.Cli.ScaleOut;

/// <summary>Where an item stands in a plan folder.</summary>
internal enum ItemState
{
    /// <summary>Every image of the item is there, intact (SHA-256 as recorded) and made with the plan's parameters.</summary>
    Done,

    /// <summary>Not rendered yet, or not finished (a shard is at it, or was killed while at it).</summary>
    Missing,

    /// <summary>The last attempt failed (its error is recorded) and the item is not done.</summary>
    Failed,
}

/// <summary>An item's state, its finished images (in plan order) when done, and the recorded error when failed.</summary>
internal sealed record ItemStatus(PlanItem Item, ItemState State, IReadOnlyList<ManifestItem> Images, string? Error);

/// <summary>
/// The per-item store of a plan folder: each item renders into its own sub-folder (items/item-NNNNNN), an
/// <see cref="OutputFolder"/> with its own lock, so shards on a shared folder never contend for a lock and a retried
/// shard finds the finished items by their hashes.
/// </summary>
internal static class PlanItems
{
    /// <summary>Written into an item's folder when rendering it failed (removed when it succeeds).</summary>
    public const string FailureFileName = "failed.txt";

    /// <summary>The item's folder.</summary>
    public static string Folder(string planFolder, PlanItem item) => Path.Combine(planFolder, WorkPlan.ItemFolderName(item.Index));

    /// <summary>Checks an item's folder without locking it (see <see cref="OutputFolder.ReadItems(string, Action{string})"/>).</summary>
    public static ItemStatus Inspect(string planFolder, WorkPlan plan, PlanItem item)
    {
        string dir = Folder(planFolder, item);
        if (!Directory.Exists(dir)) return new ItemStatus(item, ItemState.Missing, [], null);
        var images = OutputFolder.ReadItems(dir, _ => { });
        var found = new List<ManifestItem>();
        foreach (string name in item.Objectives)
        {
            if (!images.TryGetValue(name, out var image) || !image.SameImageAs(RenderRunner.ItemParameters(plan.Parameters, name))) break;
            found.Add(image);
        }
        if (found.Count == item.Objectives.Count) return new ItemStatus(item, ItemState.Done, found, null);
        string failure = Path.Combine(dir, FailureFileName);
        if (File.Exists(failure))
        {
            string text;
            try
            {
                text = File.ReadAllText(failure).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                text = $"(the error file cannot be read: {e.Message})";
            }
            return new ItemStatus(item, ItemState.Failed, [], text);
        }
        return new ItemStatus(item, ItemState.Missing, [], null);
    }

    /// <summary>
    /// The render job of an item: its channels as one batch, into its folder, with the plan's parameters (the model as
    /// the plan names it, so the images are the same whichever path a shard loaded the model from) and this shard's device.
    /// </summary>
    public static RenderJob Job(string planFolder, WorkPlan plan, PlanItem item, IRenderEngine engine, RenderSettings settings)
    {
        string text = $"channel:'{item.Layer}':{string.Join(",", item.Channels)}";
        var items = RenderPlan.Expand([ObjectiveParser.Parse(text)], engine.LayerName);
        if (!items.Select(i => i.Name).SequenceEqual(item.Objectives, StringComparer.Ordinal))
            throw new InvalidDataException(
                $"plan item {item.Index} (layer '{item.Layer}'): the model names its objectives [{string.Join(", ", items.Select(i => i.Name))}], "
                + $"the plan [{string.Join(", ", item.Objectives)}]; make the plan again for this model and tool.");
        var parameters = new Dictionary<string, string>(plan.Parameters, StringComparer.Ordinal) { ["device"] = settings.Device };
        return new RenderJob(Folder(planFolder, item), "run-shard", $"featureviz plan item {item.Index}: {item.Layer}", [text],
            settings with { Seed = item.Seed }, parameters, items, Force: false);
    }

    /// <summary>
    /// Removes the lock files a killed run left in a finished item's folder (the operating system released the lock
    /// itself, but the files stay), so a finished atlas holds the same files however often it was interrupted. An item
    /// another process holds is left alone.
    /// </summary>
    public static void ReleaseStaleLock(string planFolder, PlanItem item)
    {
        string folder = Folder(planFolder, item);
        if (!File.Exists(Path.Combine(folder, OutputFolder.LockFileName)) && !File.Exists(Path.Combine(folder, OutputFolder.OwnerFileName))) return;
        try
        {
            OutputFolder.Open(folder, "run-shard (releasing a stale lock)").Dispose();
        }
        catch (OutputFolderBusyException)
        {
        }
    }

    /// <summary>Records why an item failed (atomically, in its folder).</summary>
    public static void RecordFailure(string planFolder, PlanItem item, string error) =>
        AtomicFile.WriteText(Path.Combine(Folder(planFolder, item), FailureFileName), error + "\n");

    /// <summary>Removes an item's failure record after it succeeded.</summary>
    public static void ClearFailure(string planFolder, PlanItem item)
    {
        string path = Path.Combine(Folder(planFolder, item), FailureFileName);
        if (File.Exists(path)) File.Delete(path);
    }
}
