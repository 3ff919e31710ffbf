using System.Text.Json;
using FeatureViz.Cli.Objectives;
using FeatureViz.Cli.Output;
using FeatureViz.Cli.Render;
using FeatureViz.Cli.ScaleOut;

namespace FeatureViz.Tests.Cli.ScaleOut;

/// <summary>plan, run-shard and merge in-process on the fake engine: the whole flow, retries, and the bad input of issue 13.</summary>
public class ScaleOutCommandTests
{
    private static async Task RunAllShards(string plan, int shards)
    {
        for (int s = 0; s < shards; s++)
        {
            var (code, _, err) = await ScaleOutHarness.Run("run-shard", "--plan", plan, "--shard", $"{s}/{shards}");
            Assert.True(code == 0, err);
        }
    }

    [Fact]
    public async Task ThePlanListsEveryChannelInBatchesWithTheModelHashAndCosts()
    {
        var (plan, model) = await ScaleOutHarness.FakePlan();
        var p = WorkPlan.Read(plan);
        Assert.Equal(6, p.Items.Count); // conv1: 8 channels, conv2: 16, in batches of 4
        Assert.Equal(Enumerable.Range(0, 8).Select(c => ("conv1", c)).Concat(Enumerable.Range(0, 16).Select(c => ("conv2", c))),
            p.Items.SelectMany(i => i.Channels.Select(c => (i.Layer, c))));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(model))), p.Model.Sha256);
        Assert.All(p.Items, i => Assert.Equal(3, p.Settings.Steps));
        // The fake engine has no FLOP count: cost = pixels x 3 (forward and backward) x steps x images.
        Assert.All(p.Items, i => Assert.Equal(32L * 24 * 3 * 3 * 4, i.Cost));
        Assert.Equal(["channel:conv2:4", "channel:conv2:5", "channel:conv2:6", "channel:conv2:7"], p.Items[3].Objectives);
    }

    [Fact]
    public async Task EveryRenderOptionTravelsThroughThePlanIntoTheImages()
    {
        var (plan, _) = await ScaleOutHarness.FakePlan("--regularizer", "l2=0.5", "--regularizer", "tv=0.25", "--lr-schedule", "cosine",
            "--lr", "0.125", "--seed", "7", "--size", "40x20", "--pixel", "--transforms", "lucid", "--warmup", "2", "--save-every", "1");
        var s = WorkPlan.Read(plan).Settings;
        Assert.Equal([new RegularizerSpec("l2", 0.5), new RegularizerSpec("tv", 0.25)], s.Regularizers);
        Assert.Equal((LrSchedule.Cosine, 0.125, 7, 40, 20, ImageParam.Pixel, TransformSet.Lucid, 2, 1), (s.LrSchedule, s.LearningRate, s.Seed, s.Width, s.Height, s.Param, s.Transforms, s.WarmupSteps, s.SaveEvery));
        Assert.All(WorkPlan.Read(plan).Items, i => Assert.Equal(7, i.Seed));
        var (code, _, err) = await ScaleOutHarness.Run("run-shard", "--plan", plan, "--shard", "0/1");
        Assert.True(code == 0, err);
        (code, _, err) = await ScaleOutHarness.Run("merge", plan);
        Assert.True(code == 0, err);
        var image = Manifest.Read(Path.Combine(plan, "gallery", "conv1", "manifest.json"), out _)!.Items[0];
        Assert.Equal("l2=0.5, tv=0.25", image.Parameters["regularizers"]);
        Assert.Equal("cosine", image.Parameters["lrSchedule"]);
        Assert.Equal("40x20", image.Parameters["size"]);
        Assert.Equal((40, 20), (image.Width, image.Height));
        Assert.NotNull(image.Animation); // --save-every: the GIF is merged too
        Assert.True(File.Exists(Path.Combine(plan, "gallery", "conv1", image.Animation)));
    }

    [Fact]
    public async Task ShardsThenMergeGiveTheGalleryOfEveryLayer()
    {
        var (plan, _) = await ScaleOutHarness.FakePlan();
        await RunAllShards(plan, 4);
        var (code, output, err) = await ScaleOutHarness.Run("merge", plan);
        Assert.True(code == 0, err);
        Assert.Contains("6 of 6 item(s) done", output);
        foreach (var (layer, channels) in new[] { ("conv1", 8), ("conv2", 16) })
        {
            var m = Manifest.Read(Path.Combine(plan, "gallery", layer, "manifest.json"), out var problem);
            Assert.True(m is not null, problem);
            Assert.True(m.Complete);
            Assert.Equal(Enumerable.Range(0, channels).Select(c => $"channel:{layer}:{c}"), m.Items.Select(i => i.Name));
            foreach (var item in m.Items)
                Assert.Equal(item.Sha256, OutputFolder.Sha256(Path.Combine(plan, "gallery", layer, item.File)));
            Assert.Contains("<img", File.ReadAllText(Path.Combine(plan, "gallery", layer, "index.html")));
        }
        string overview = File.ReadAllText(Path.Combine(plan, "gallery", "index.html"));
        Assert.Contains("href=\"conv1/index.html\"", overview);
        Assert.Contains("href=\"conv2/index.html\"", overview);
        Assert.DoesNotContain("Incomplete", overview);
    }

    [Fact]
    public async Task ARetriedShardSkipsItsFinishedItemsWithoutRendering()
    {
        var (plan, _) = await ScaleOutHarness.FakePlan();
        var first = new FakeRenderEngine();
        var (code, _, err) = await ScaleOutHarness.Run(null, first, "run-shard", "--plan", plan, "--shard", "0/2");
        Assert.True(code == 0, err);
        Assert.NotEmpty(first.Rendered);
        // One of the shard's items loses an image (as a kill mid-write or a damaged disk would leave it).
        var mine = ShardAssignment.ItemsOf(WorkPlan.Read(plan).Costs, 0, 2);
        string damaged = Path.Combine(plan, WorkPlan.ItemFolderName(mine[0]));
        File.WriteAllBytes(Directory.GetFiles(damaged, "*.png")[0], [0x89, 0x50]);
        var again = new FakeRenderEngine();
        string output;
        (code, output, err) = await ScaleOutHarness.Run(null, again, "run-shard", "--plan", plan, "--shard", "0/2");
        Assert.True(code == 0, err);
        foreach (int i in mine.Skip(1)) Assert.Contains($"skip items/item-{i:D6}", output);
        Assert.Equal(WorkPlan.Read(plan).Items[mine[0]].Objectives, again.Rendered);
    }

    [Fact]
    public async Task ARetriedShardRemovesTheLockFilesAKilledRunLeftInAFinishedItem()
    {
        var (plan, _) = await ScaleOutHarness.FakePlan();
        var (code, _, err) = await ScaleOutHarness.Run(null, new FakeRenderEngine(), "run-shard", "--plan", plan, "--shard", "0/1");
        Assert.True(code == 0, err);
        // A run killed after its item's last file but before it deleted its lock files leaves them behind (the kernel
        // releases the lock itself); a finished atlas must not depend on when a shard was killed.
        string item = Path.Combine(plan, WorkPlan.ItemFolderName(0));
        File.WriteAllText(Path.Combine(item, OutputFolder.LockFileName), "");
        File.WriteAllText(Path.Combine(item, OutputFolder.OwnerFileName), "pid 1, run-shard, started earlier");
        var again = new FakeRenderEngine();
        string output;
        (code, output, err) = await ScaleOutHarness.Run(null, again, "run-shard", "--plan", plan, "--shard", "0/1");
        Assert.True(code == 0, err);
        Assert.Empty(again.Rendered);
        Assert.Contains("skip items/item-000000", output);
        Assert.False(File.Exists(Path.Combine(item, OutputFolder.LockFileName)), "stale lock file left in a finished item");
        Assert.False(File.Exists(Path.Combine(item, OutputFolder.OwnerFileName)), "stale lock owner file left in a finished item");
    }

    [Fact]
    public async Task MergeWhileItemsAreMissingExitsOneListingThemAndShowsWhatIsDone()
    {
        var (plan, _) = await ScaleOutHarness.FakePlan();
        var (code, _, err) = await ScaleOutHarness.Run("run-shard", "--plan", plan, "--shard", "0/3");
        Assert.True(code == 0, err);
        var done = ShardAssignment.ItemsOf(WorkPlan.Read(plan).Costs, 0, 3);
        string output;
        (code, output, err) = await ScaleOutHarness.Run("merge", plan);
        Assert.Equal(1, code);
        Assert.Contains($"{done.Count} of 6 item(s) done", output);
        for (int i = 0; i < 6; i++)
        {
            if (done.Contains(i)) Assert.DoesNotContain($"missing: items/item-{i:D6}", err);
            else Assert.Contains($"missing: items/item-{i:D6}", err);
        }
        Assert.Contains("incomplete", err);
        Assert.Contains("Incomplete", File.ReadAllText(Path.Combine(plan, "gallery", "index.html")));
        // Once the other shards ran, the next merge is complete.
        await RunAllShards(plan, 3);
        (code, _, err) = await ScaleOutHarness.Run("merge", plan);
        Assert.True(code == 0, err);
    }

    [Fact]
    public async Task AFailedItemIsRecordedTheOthersAreRenderedAndMergeReportsIt()
    {
        var (plan, _) = await ScaleOutHarness.FakePlan();
        var engine = new FailingEngine(new FakeRenderEngine(), "channel:conv2:9");
        var (code, output, err) = await ScaleOutHarness.Run(null, engine, "run-shard", "--plan", plan, "--shard", "0/1");
        Assert.Equal(1, code);
        Assert.Contains("items/item-000004", err); // conv2 channels 8-11
        Assert.Contains("1 of 6 item(s) not done", err);
        Assert.Equal(5, output.Split('\n').Count(l => l.StartsWith("done ", StringComparison.Ordinal)));
        string mergeErr;
        (code, _, mergeErr) = await ScaleOutHarness.Run("merge", plan);
        Assert.Equal(1, code);
        Assert.Contains("failed: items/item-000004", mergeErr);
        Assert.Contains("device lost (test)", mergeErr);
        // The retry renders only the failed item, and clears its failure.
        var retry = new FakeRenderEngine();
        (code, _, err) = await ScaleOutHarness.Run(null, retry, "run-shard", "--plan", plan, "--shard", "0/1");
        Assert.True(code == 0, err);
        Assert.Equal(["channel:conv2:8", "channel:conv2:9", "channel:conv2:10", "channel:conv2:11"], retry.Rendered);
        (code, _, err) = await ScaleOutHarness.Run("merge", plan);
        Assert.True(code == 0, err);
    }

    [Theory]
    [InlineData("\"steps\": 3", "\"steps\": 4")]
    [InlineData("\"channels\": [\n", "\"channels\":  [\n")]
    [InlineData("\"layer\": \"conv2\"", "\"layer\": \"conv1\"")]
    public async Task AHandEditedPlanIsRefusedNamingTheFile(string from, string to)
    {
        var (plan, _) = await ScaleOutHarness.FakePlan();
        string path = Path.Combine(plan, "plan.json");
        string text = File.ReadAllText(path);
        Assert.Contains(from, text);
        File.WriteAllText(path, ReplaceFirst(text, from, to));
        foreach (var args in new[] { new[] { "run-shard", "--plan", plan, "--shard", "0/1" }, ["merge", plan] })
        {
            var (code, _, err) = await ScaleOutHarness.Run(args);
            Assert.Equal(1, code);
            Assert.Contains(Path.GetFullPath(path), err);
            Assert.Contains("checksum", err);
            Assert.Contains("edited by hand", err);
        }
        Assert.Empty(ScaleOutHarness.ItemFolders(plan));
        Assert.False(Directory.Exists(Path.Combine(plan, "gallery")));
    }

    private static string ReplaceFirst(string text, string from, string to)
    {
        int i = text.IndexOf(from, StringComparison.Ordinal);
        return text[..i] + to + text[(i + from.Length)..];
    }

    [Fact]
    public async Task APlanThatIsNotJsonOrHasNoChecksumIsRefused()
    {
        var (plan, _) = await ScaleOutHarness.FakePlan();
        string path = Path.Combine(plan, "plan.json");
        string text = File.ReadAllText(path);
        File.WriteAllText(path, text[..(text.Length / 2)]);
        var (code, _, err) = await ScaleOutHarness.Run("run-shard", "--plan", plan, "--shard", "0/1");
        Assert.Equal(1, code);
        Assert.Contains(Path.GetFullPath(path), err);
        using (var doc = JsonDocument.Parse(text))
            File.WriteAllText(path, "{\"plan\": " + doc.RootElement.GetProperty("plan").GetRawText() + "}");
        (code, _, err) = await ScaleOutHarness.Run("run-shard", "--plan", plan, "--shard", "0/1");
        Assert.Equal(1, code);
        Assert.Contains("not a featureviz plan", err);
    }

    [Fact]
    public async Task AModelChangedUnderThePlanIsRefused()
    {
        var (plan, model) = await ScaleOutHarness.FakePlan();
        File.AppendAllText(model, "x");
        var (code, _, err) = await ScaleOutHarness.Run("run-shard", "--plan", plan, "--shard", "0/1");
        Assert.Equal(1, code);
        Assert.Contains(Path.GetFullPath(model), err);
        Assert.Contains("SHA-256", err);
        Assert.Contains("changed under the plan", err);
        Assert.Empty(ScaleOutHarness.ItemFolders(plan));
        // Another file with the planned bytes, passed with --model (as a pod mounting the model elsewhere), is accepted.
        string copy = Path.Combine(Path.GetDirectoryName(model)!, "mounted.onnx");
        File.WriteAllBytes(copy, [1, 2, 3, 4, 5, 6, 7, 8]);
        (code, _, err) = await ScaleOutHarness.Run("run-shard", "--plan", plan, "--shard", "0/1", "--model", copy);
        Assert.True(code == 0, err);
    }

    [Fact]
    public async Task ASecondMergeWhileOneRunsFailsClearlyAndLeavesTheGalleryAsItWas()
    {
        var (plan, _) = await ScaleOutHarness.FakePlan();
        await RunAllShards(plan, 2);
        var (code, _, err) = await ScaleOutHarness.Run("merge", plan);
        Assert.True(code == 0, err);
        var before = ScaleOutHarness.Files(Path.Combine(plan, "gallery"));
        // A merge in progress holds the plan folder's lock.
        using (OutputFolder.Open(plan, "featureviz merge"))
        {
            (code, _, err) = await ScaleOutHarness.Run("merge", plan);
            Assert.Equal(1, code);
            Assert.Contains("in use by another featureviz run", err);
            Assert.Contains($"pid {Environment.ProcessId}", err);
        }
        Assert.Equal(before, ScaleOutHarness.Files(Path.Combine(plan, "gallery")));
    }

    [Fact]
    public async Task ConcurrentMergesNeverLeaveAMixedGallery()
    {
        var (plan, _) = await ScaleOutHarness.FakePlan();
        await RunAllShards(plan, 1);
        var (code, _, err) = await ScaleOutHarness.Run("merge", plan);
        Assert.True(code == 0, err);
        var reference = ScaleOutHarness.Files(Path.Combine(plan, "gallery"));
        // A killed merge's leftovers are cleaned up by the next one.
        Directory.CreateDirectory(Path.Combine(plan, ".gallery.tmp-killed", "conv1"));
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ScaleOutHarness.Run("merge", plan))));
        Assert.Contains(runs, r => r.Code == 0);
        Assert.All(runs, r => Assert.True(r.Code == 0 || (r.Code == 1 && r.Err.Contains("in use by another featureviz run")), r.Err));
        Assert.Equal(reference, ScaleOutHarness.Files(Path.Combine(plan, "gallery")));
        Assert.Empty(Directory.GetDirectories(plan, ".gallery.*"));
    }

    [Fact]
    public async Task PlanRefusesToReplaceADifferentPlanWithoutForceAndKeepsAnEqualOne()
    {
        var (plan, model) = await ScaleOutHarness.FakePlan();
        string before = File.ReadAllText(Path.Combine(plan, "plan.json"));
        var (code, output, err) = await ScaleOutHarness.Run("plan", "--model", model, "--layers", "conv1,conv2", "--steps", "3", "--batch", "4", "--out", plan);
        Assert.True(code == 0, err);
        Assert.Contains("Kept the equal plan", output);
        Assert.Equal(before, File.ReadAllText(Path.Combine(plan, "plan.json")));
        (code, _, err) = await ScaleOutHarness.Run("plan", "--model", model, "--layers", "conv1", "--steps", "3", "--out", plan);
        Assert.Equal(2, code);
        Assert.Contains("--force", err);
        (code, _, err) = await ScaleOutHarness.Run("plan", "--model", model, "--layers", "conv1", "--steps", "3", "--out", plan, "--force");
        Assert.True(code == 0, err);
        Assert.Equal(2, WorkPlan.Read(plan).Items.Count);
    }

    /// <summary>Delegates to an engine but fails the batch holding one objective (as a lost device would).</summary>
    private sealed class FailingEngine(IRenderEngine inner, string failOn) : IRenderEngine
    {
        public string ModelName => inner.ModelName;
        public (int Width, int Height) InputSize => inner.InputSize;
        public long MemoryBudget => inner.MemoryBudget;
        public string LayerName(LayerSpec layer) => inner.LayerName(layer);
        public string DefaultLayer() => inner.DefaultLayer();
        public int ChannelCount(LayerSpec layer) => inner.ChannelCount(layer);
        public MemoryEstimate EstimateMemory(RenderSettings settings, int images) => inner.EstimateMemory(settings, images);
        public void Validate(ObjectiveExpression expression) => inner.Validate(expression);
        public void Dispose() => inner.Dispose();

        public IReadOnlyList<ItemResult> Render(RenderBatch batch, RenderSettings settings, Action<StepReport> onStep, CancellationToken cancellationToken) =>
            batch.Items.Any(i => i.Name == failOn) ? throw new InvalidOperationException("device lost (test)") : inner.Render(batch, settings, onStep, cancellationToken);
    }
}
