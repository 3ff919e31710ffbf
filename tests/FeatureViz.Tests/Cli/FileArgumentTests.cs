using FeatureViz.Cli;
using FeatureViz.Cli.Render;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Cli;

/// <summary>
/// Issue 9 (Build 2, defect 5's <c>--model /dev/zero</c>): every file render and gallery read on a user's behalf goes
/// through the one checked reader: <c>--model</c> and direction vectors that are devices, folders or FIFOs are exit 2
/// naming the option; a manifest.json or PNG in the output folder that is a FIFO, or a huge manifest, is treated as
/// damaged (rebuilt with a warning) instead of blocking the run or exhausting memory. Each failed on the code before.
/// </summary>
public class FileArgumentTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static string[] Render(string dir) =>
        ["render", "--objective", "channel:conv1:0-3", "--steps", "2", "--size", "8x8", "--batch", "2", "--out", dir];

    /// <summary>A path that is not a regular file: a device (given as is), the folder <paramref name="dir"/>, or a FIFO named <paramref name="fifoName"/> in it; null where such files do not exist (Windows).</summary>
    private static string? SpecialPath(string kind, string dir, string fifoName)
    {
        if (OperatingSystem.IsWindows()) return null;
        string fifo = Path.Combine(dir, fifoName);
        return kind switch
        {
            "folder" => dir,
            "fifo" => SpecialFiles.MakeFifo(fifo) ? fifo : null,
            _ => kind,
        };
    }

    public static TheoryData<string, string> NotRegularFiles() => new()
    {
        { "render", "/dev/zero" },
        { "gallery", "/dev/zero" },
        { "render", "folder" },
        { "gallery", "folder" },
        { "render", "fifo" },
        { "gallery", "fifo" },
    };

    [Theory]
    [MemberData(nameof(NotRegularFiles))]
    public async Task ModelThatIsNotARegularFileIsAUsageErrorNamingModel(string command, string kind)
    {
        string dir = CliHarness.TempDir();
        if (SpecialPath(kind, dir, "model.onnx") is not { } model) return;
        string[] args = command == "render"
            ? ["render", "--model", model, "--objective", "channel:conv1:0", "--steps", "1", "--size", "8x8", "--out", Path.Combine(dir, "out")]
            : ["gallery", "--model", model, "--layer", "conv1", "--steps", "1", "--size", "8x8", "--out", Path.Combine(dir, "out")];
        var (code, _, err) = await CliHarness.Run(args).WaitAsync(Limit);
        Assert.True(code == ExitCodes.Usage, $"exit {code}: {err}");
        Assert.Contains("--model", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("folder")]
    [InlineData("fifo")]
    public async Task DirectionVectorThatIsNotARegularFileIsAUsageErrorNamingObjective(string kind)
    {
        string dir = CliHarness.TempDir();
        if (SpecialPath(kind, dir, "v.npy") is not { } vector) return;
        string model = TinyOnnxModel.WriteConv(dir);
        using var engine = new LibraryRenderEngine(model, FeatureViz.Cli.Commands.ComputeDevice.Cpu(1));
        var (code, _, err) = await CliHarness.Run(engine, CancellationToken.None,
            "render", "--objective", $"direction:conv/relu:{vector}", "--steps", "1", "--size", "16x16", "--out", Path.Combine(dir, "out")).WaitAsync(Limit);
        Assert.True(code == ExitCodes.Usage, $"exit {code}: {err}");
        Assert.Contains("--objective", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Theory]
    [InlineData("manifest.json")]
    [InlineData("stray.png")]
    public async Task AFifoInTheOutputFolderIsSkippedNotRead(string name)
    {
        if (OperatingSystem.IsWindows()) return;
        string dir = CliHarness.TempDir();
        Assert.Equal(0, (await CliHarness.Run(new FakeRenderEngine(), CancellationToken.None, Render(dir))).Code);
        string fifo = Path.Combine(dir, name);
        File.Delete(fifo);
        if (!SpecialFiles.MakeFifo(fifo)) return;
        var again = new FakeRenderEngine();
        var run = Task.Run(() => CliHarness.Run(again, CancellationToken.None, Render(dir)));
        if (await Task.WhenAny(run, Task.Delay(Limit)) != run)
        {
            // Unblock the reader stuck in open/read of the FIFO (it then reads end-of-file), then fail.
            await File.WriteAllBytesAsync(fifo, []);
            Assert.Fail($"the run blocked on the FIFO {name}");
        }
        var (code, output, err) = await run;
        Assert.True(code == 0, err);
        Assert.Empty(again.Rendered); // the images are intact: the FIFO changes nothing
        if (name == "manifest.json") Assert.Contains("rebuilt", output + err);
    }
}

/// <summary>
/// A manifest.json over <see cref="FeatureViz.Cli.Output.Manifest.MaxBytes"/> is damaged and not read. Runs alone: it
/// measures process-wide allocations (failed on the code before, which read the whole file).
/// </summary>
[Collection(nameof(FeatureViz.Tests.Library.MemoryGrowthCollection))]
public class HugeManifestTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AHugeManifestIsTreatedAsDamagedWithoutReadingIt()
    {
        string dir = CliHarness.TempDir();
        Assert.Equal(0, (await CliHarness.Run(new FakeRenderEngine(), CancellationToken.None, FileArgumentRender(dir))).Code);
        using (var huge = new FileStream(Path.Combine(dir, "manifest.json"), FileMode.Create))
            huge.SetLength((256L << 20) + 1); // sparse: no disk used
        var again = new FakeRenderEngine();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var (code, output, err) = await CliHarness.Run(again, CancellationToken.None, FileArgumentRender(dir)).WaitAsync(Limit);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(code == 0, err);
        Assert.Contains("rebuilt", output + err);
        Assert.Empty(again.Rendered);
        // Reading it would allocate its 256 MiB at least twice (bytes, then UTF-16); the run itself needs a few MiB.
        Assert.True(allocated < 128L << 20, $"allocated {allocated} bytes");
    }

    private static string[] FileArgumentRender(string dir) =>
        ["render", "--objective", "channel:conv1:0-3", "--steps", "2", "--size", "8x8", "--batch", "2", "--out", dir];
}
