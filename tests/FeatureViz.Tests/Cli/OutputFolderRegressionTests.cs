using System.Text.Json;
using FeatureViz.Cli;

namespace FeatureViz.Tests.Cli;

/// <summary>
/// Regression tests for issue 9, defects 3 (arguments expanded before they are bounded), 4 (the output folder is not
/// protected) and the <c>--out</c> part of 5. Each failed on the code before the fix.
/// </summary>
public class OutputFolderRegressionTests
{
    private static string[] Render(string dir, params string[] extra) =>
        ["render", "--objective", "channel:conv1:0-3", "--steps", "2", "--size", "8x8", "--batch", "2", "--out", dir, .. extra];

    private static JsonElement ReadManifest(string dir) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json"))).RootElement;

    /// <summary>Runs the CLI synchronously on a thread of its own and counts what that thread allocated.</summary>
    private static (int Code, string Err, long Allocated) RunMeasured(params string[] args)
    {
        (int, string, long) result = default;
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var (code, _, err) = CliHarness.Run(args).GetAwaiter().GetResult();
            result = (code, err, GC.GetAllocatedBytesForCurrentThread() - before);
        });
        thread.Start();
        thread.Join();
        return result;
    }

    [Theory]
    [InlineData("--objective", "render", "--objective", "channel:conv1:0-50000000")]
    [InlineData("--channels", "gallery", "--layer", "conv1", "--channels", "0-50000000")]
    public void ChannelRangeIsCheckedBeforeItIsExpanded(string option, params string[] args)
    {
        // The old parser built a List of 50M ints (>200 MB) before it looked at the layer.
        var (code, err, allocated) = RunMeasured([.. args, "--out", CliHarness.TempDir()]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(option, err);
        Assert.Contains("0-50000000", err);
        Assert.Contains("8 channels", err);
        Assert.True(allocated < 32_000_000, $"allocated {allocated} bytes");
    }

    [Fact]
    public void NeuronRangeIsBoundedBeforeItIsExpanded()
    {
        var (code, err, allocated) = RunMeasured("render", "--objective", "neuron:conv1:0-50000000", "--out", CliHarness.TempDir());
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--objective", err);
        Assert.Contains("0-50000000", err);
        Assert.Contains("100000 images", err);
        Assert.True(allocated < 32_000_000, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData("--batch", "--batch", "1000000")]
    [InlineData("--steps", "--steps", "2000000000")]
    [InlineData("--warmup", "--warmup", "2000000000")]
    [InlineData("--threads", "--threads", "100000")]
    public async Task HugeCountsAreRefusedAtOnce(string named, params string[] args)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)); // the old code started the run (exit 130 here)
        var (code, _, err) = await CliHarness.Run(null, cts.Token, ["render", "--objective", "channel:conv1:0", "--size", "8x8", "--out", CliHarness.TempDir(), .. args]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(named, err);
    }

    [Fact]
    public async Task ASecondRunIntoABusyFolderIsRefusedNamingTheFolderAndPid()
    {
        string dir = CliHarness.TempDir();
        using var gate = new ManualResetEventSlim();
        var first = new FakeRenderEngine { Gate = gate };
        var running = Task.Run(() => CliHarness.Run(first, CancellationToken.None, Render(dir)));
        Assert.True(first.Started.Wait(TimeSpan.FromSeconds(30)), "the first run did not start");

        var second = new FakeRenderEngine();
        var (code, _, err) = await CliHarness.Run(second, CancellationToken.None, Render(dir, "--seed", "5"));
        gate.Set();
        var (firstCode, _, firstErr) = await running;

        Assert.True(firstCode == 0, firstErr);
        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains(Path.GetFullPath(dir), err);
        Assert.Contains($"pid {Environment.ProcessId}", err);
        Assert.Empty(second.Rendered);
        var items = ReadManifest(dir).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(4, items.Count);
        Assert.All(items, i => Assert.Equal("0", i.GetProperty("parameters").GetProperty("seed").GetString()));
    }

    [Fact]
    public async Task AnotherSeedRecomputesAndRecordsTheSeed()
    {
        string dir = CliHarness.TempDir();
        Assert.Equal(0, (await CliHarness.Run(new FakeRenderEngine(), CancellationToken.None, Render(dir, "--seed", "1"))).Code);
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "channel_conv1_0.png"));
        var second = new FakeRenderEngine();
        Assert.Equal(0, (await CliHarness.Run(second, CancellationToken.None, Render(dir, "--seed", "7"))).Code);
        Assert.Equal(4, second.Rendered.Count);
        Assert.NotEqual(before, File.ReadAllBytes(Path.Combine(dir, "channel_conv1_0.png")));
        var root = ReadManifest(dir);
        Assert.Equal("7", root.GetProperty("parameters").GetProperty("seed").GetString());
        Assert.All(root.GetProperty("items").EnumerateArray(), i => Assert.Equal("7", i.GetProperty("parameters").GetProperty("seed").GetString()));
    }

    [Fact]
    public async Task ATruncatedImageIsRecomputed()
    {
        string dir = CliHarness.TempDir();
        Assert.Equal(0, (await CliHarness.Run(new FakeRenderEngine(), CancellationToken.None, Render(dir))).Code);
        string png = Path.Combine(dir, "channel_conv1_2.png");
        byte[] good = File.ReadAllBytes(png);
        File.WriteAllBytes(png, good[..(good.Length / 2)]);
        var again = new FakeRenderEngine();
        var (code, _, err) = await CliHarness.Run(again, CancellationToken.None, Render(dir));
        Assert.True(code == 0, err);
        Assert.Contains("channel:conv1:2", again.Rendered);
        Assert.Equal(good, File.ReadAllBytes(png));
    }

    [Theory]
    [InlineData("{\"items\": null, \"parameters\": null, \"command\": \"render\", \"title\": \"t\", \"model\": \"m\"}")]
    [InlineData("{\"command\": \"render\", \"title\": \"t\", \"model\": \"m\", \"parameters\": {}, \"items\": [null]}")]
    [InlineData("{\"command\": \"render\", \"title\": \"t\", \"model\": \"m\", \"parameters\": {}, \"items\": [{\"name\": \"x\", \"file\": \"../../../../etc/passwd\", \"objective\": \"x\", \"width\": 1, \"height\": 1, \"finalLoss\": 0, \"losses\": [], \"seconds\": 0}]}")]
    [InlineData("{ not json")]
    public async Task ADamagedManifestIsRebuiltFromTheValidFilesWithAWarning(string damaged)
    {
        string dir = CliHarness.TempDir();
        Assert.Equal(0, (await CliHarness.Run(new FakeRenderEngine(), CancellationToken.None, Render(dir))).Code);
        File.WriteAllText(Path.Combine(dir, "manifest.json"), damaged);
        var again = new FakeRenderEngine();
        var (code, output, err) = await CliHarness.Run(again, CancellationToken.None, Render(dir));
        Assert.True(code == 0, err);
        Assert.Contains("manifest.json", output + err);
        Assert.Contains("rebuilt", output + err);
        Assert.Empty(again.Rendered); // the images themselves were intact
        var files = ReadManifest(dir).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("file").GetString()).Order().ToList();
        Assert.Equal(Directory.GetFiles(dir, "*.png").Select(Path.GetFileName).Order().ToList(), files);
    }

    [Fact]
    public async Task StaleTemporariesAreRemoved()
    {
        string dir = CliHarness.TempDir();
        Assert.Equal(0, (await CliHarness.Run(new FakeRenderEngine(), CancellationToken.None, Render(dir))).Code);
        string stale = Path.Combine(dir, $".channel_conv1_0.png.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(stale, [1, 2, 3]);
        Assert.Equal(0, (await CliHarness.Run(new FakeRenderEngine(), CancellationToken.None, Render(dir))).Code);
        Assert.False(File.Exists(stale));
    }

    [Theory]
    [InlineData("render")]
    [InlineData("gallery")]
    [InlineData("eval")]
    [InlineData("grad")]
    public async Task OutNamingAFileOrAnImpossiblePathIsAUsageError(string command)
    {
        string dir = CliHarness.TempDir();
        string file = Path.Combine(dir, "existing.txt");
        File.WriteAllText(file, "x");
        string model = TinyOnnxModel.Write(dir);
        string x = Path.Combine(dir, "x.npy");
        FeatureViz.Cli.IO.Npy.Write(x, new float[8], [2, 4]);
        string[] targets = command == "grad" ? [dir, "/proc/x/g.npy", ""] : [file, "/proc/x", ""];
        foreach (var target in targets)
        {
            string[] args = command switch
            {
                "render" => ["render", "--objective", "channel:conv1:0", "--steps", "1", "--size", "8x8", "--out", target],
                "gallery" => ["gallery", "--layer", "conv1", "--steps", "1", "--size", "8x8", "--out", target],
                "eval" => ["eval", "--model", model, "--input", $"x={x}", "--output-dir", target],
                _ => ["grad", "--model", model, "--input", $"x={x}", "--tensor", "out:0", "--cotangent", x, "--wrt", "x", "--out", target],
            };
            var (code, _, err) = await CliHarness.Run(args);
            Assert.True(code == ExitCodes.Usage, $"'{target}': exit {code}: {err}");
            Assert.Contains(command == "eval" ? "--output-dir" : "--out", err);
            Assert.DoesNotContain("   at ", err);
        }
    }
}
