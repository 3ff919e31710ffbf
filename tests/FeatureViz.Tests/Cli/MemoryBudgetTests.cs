using FeatureViz.Cli;
using FeatureViz.Cli.Render;
using FeatureViz.Onnx;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;

namespace FeatureViz.Tests.Cli;

/// <summary>The up-front memory estimate: runs that cannot fit the budget are refused at once, others run.</summary>
public class MemoryBudgetTests
{
    [Fact]
    public async Task ARunThatCannotFitIsRefusedWithTheEstimateAndASmallerBatch()
    {
        // The fake engine estimates 1 MiB + 16 float copies of the image per image, plus 1 MiB: at 256x256 13 MiB an image.
        var engine = new FakeRenderEngine { MemoryBudget = 40L << 20 };
        var (code, _, err) = await CliHarness.Run(engine, CancellationToken.None,
            "render", "--objective", "channel:conv1:0-7", "--size", "256x256", "--batch", "8", "--steps", "1", "--out", CliHarness.TempDir());
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("needs about 105.0 MiB", err); // 8 x 13 MiB + 1 MiB
        Assert.Contains("40.0 MiB is available", err);
        Assert.Contains("--batch 3 or less", err); // (40 - 1) / 13 = 3
        Assert.Empty(engine.Rendered);

        var tiny = new FakeRenderEngine { MemoryBudget = 4L << 20 };
        (code, _, err) = await CliHarness.Run(tiny, CancellationToken.None,
            "gallery", "--layer", "conv1", "--size", "256x256", "--batch", "2", "--steps", "1", "--out", CliHarness.TempDir());
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("smaller --size", err);
    }

    [Fact]
    public async Task ARunThatFitsRuns()
    {
        var engine = new FakeRenderEngine { MemoryBudget = 40L << 20 };
        var (code, _, err) = await CliHarness.Run(engine, CancellationToken.None,
            "render", "--objective", "channel:conv1:0-7", "--size", "256x256", "--batch", "3", "--steps", "1", "--out", CliHarness.TempDir());
        Assert.True(code == 0, err);
        Assert.Equal(8, engine.Rendered.Count);
    }

    [Fact]
    public void TheLibraryEstimateCoversTheActivationsOfABatchAndScalesWithIt()
    {
        string dir = CliHarness.TempDir();
        string path = TinyOnnxModel.WriteConv(dir);
        using var engine = new LibraryRenderEngine(path, FeatureViz.Cli.Commands.ComputeDevice.Cpu(1));
        var settings = new RenderSettings { Width = 16, Height = 16, Steps = 10, BatchSize = 3 };
        var one = engine.EstimateMemory(settings, 1);
        var three = engine.EstimateMemory(settings, 3);
        Assert.Equal(3 * one.Activations, three.Activations);
        Assert.Equal(3 * one.ImageTensors, three.ImageTensors);

        // Independent reference: every node output of a forward pass of 3 images, as float32 (three passes of one
        // image: the model declares a static batch of 1, and every op of this conv model is per image).
        using var model = OnnxModel.Load(path);
        long bytes;
        using (GradMode.NoGrad())
        {
            var x = Tensor.Zeros(model.Backend, 1, 3, 16, 16);
            var outputs = model.Run(new Dictionary<string, Tensor> { ["image"] = x }, model.Layers.Select(l => l.OutputName).ToList());
            bytes = 3 * (outputs.Values.Sum(t => 4L * t.Numel) + 4L * x.Numel);
        }
        Assert.True(three.Activations >= bytes, $"estimate {three.Activations} < activations {bytes}");
        Assert.True(three.Activations <= 4 * bytes, $"estimate {three.Activations} > 4 x activations {bytes}");
        Assert.Equal(24L * 4 * 3 * 16 * 16 * 3, three.ImageTensors);

        var frames = engine.EstimateMemory(settings with { SaveEvery = 2 }, 1);
        Assert.Equal(6L * (4 * 3 * 16 * 16 + 3 * 16 * 16), frames.Snapshots); // steps 2, 4, ..., 10 and the start
    }

    [Fact]
    public async Task TheRealEngineRefusesARunOverItsBudget()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        var engine = new LibraryRenderEngine(model, FeatureViz.Cli.Commands.ComputeDevice.Cpu(1)) { MemoryBudget = 1L << 20 };
        var (code, _, err) = await CliHarness.Run(engine, CancellationToken.None,
            "render", "--model", model, "--objective", "channel:conv/relu:0-3", "--size", "64x64", "--steps", "1", "--out", Path.Combine(dir, "o"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("activations kept for the backward pass", err);
        Assert.False(File.Exists(Path.Combine(dir, "o", "manifest.json")));
    }
}
