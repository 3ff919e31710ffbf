using FeatureViz.Cli.Commands;
using System.Text.Json;
using FeatureViz.Cli;
using FeatureViz.Cli.Bench;
using FeatureViz.Cli.Objectives;
using FeatureViz.Cli.Render;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Cli;

/// <summary><c>featureviz bench</c>: option checks (exit 2 naming the option), the memory refusal, and a small real run.</summary>
public class BenchCommandTests
{
    [Theory]
    [InlineData("--batch", "0")]
    [InlineData("--batch", "100000")]
    [InlineData("--threads", "0")]
    [InlineData("--threads", "-3")]
    [InlineData("--threads", "5000")]
    [InlineData("--size", "4x4")]
    [InlineData("--size", "100000x100000")]
    [InlineData("--size", "wide")]
    [InlineData("--warmup", "-1")]
    [InlineData("--repeat", "0")]
    [InlineData("--device", "tpu")]
    [InlineData("--layer", " ")]
    public async Task ImpossibleValuesAreUsageErrorsNamingTheOption(string option, string value)
    {
        var engine = new CountingEngine();
        var (code, _, err) = await CliHarness.Run(engine, CancellationToken.None, "bench", option, value);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith($"error: {option}", err);
        Assert.False(engine.Created, "the options are checked before the model loads");
    }

    [Fact]
    public async Task SizeTimesBatchBeyondTheLimitIsRefused()
    {
        var (code, _, err) = await CliHarness.Run("bench", "--size", "4096x4096", "--batch", "8");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--size 4096x4096 times --batch 8", err);
    }

    [Fact]
    public async Task AnUnknownLayerIsAUsageErrorNamingLayer()
    {
        var (code, _, err) = await CliHarness.Run("bench", "--layer", "nope");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: --layer:", err);
    }

    [Fact]
    public async Task ABenchThatCannotFitInMemoryIsRefusedBeforeItStarts()
    {
        var engine = new FakeRenderEngine { MemoryBudget = 4L << 20 };
        var (code, output, err) = await CliHarness.Run(engine, CancellationToken.None, "bench", "--size", "512x512", "--batch", "4");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("but only 4.0 MiB is available", err);
        Assert.Equal("", output);
    }

    [Fact]
    public void SpreadIsTheInterquartileRangeOverTheMedian()
    {
        // Type-7 quantiles of 1..5: Q1 = 2, median = 3, Q3 = 4; of 1..4: Q1 = 1.75, median = 2.5, Q3 = 3.25.
        var odd = TimingStats.Of([5, 1, 4, 2, 3]);
        Assert.Equal((3.0, 1.0, 5.0), (odd.MedianMs, odd.MinMs, odd.MaxMs));
        Assert.Equal(100 * 2.0 / 3.0, odd.SpreadPercent, 9);
        var even = TimingStats.Of([4, 1, 3, 2]);
        Assert.Equal(2.5, even.MedianMs, 12);
        Assert.Equal(100 * 1.5 / 2.5, even.SpreadPercent, 9);
        var perImage = odd.Per(4);
        Assert.Equal((0.75, 0.25, 1.25), (perImage.MedianMs, perImage.MinMs, perImage.MaxMs));
    }

    /// <summary>
    /// mnist-8 (the ONNX model zoo's MNIST CNN): a 5x5 convolution 1 -> 8 channels at 28x28 (same padding), 2x2 max
    /// pooling, a 5x5 convolution 8 -> 16 at 14x14, 3x3 pooling with stride 3 to 4x4, and a 256 -> 10 matrix product.
    /// </summary>
    private const double Mnist8Flops = 2.0 * (28 * 28 * 8 * 25 + 14 * 14 * 16 * 8 * 25 + 256 * 10);

    [SharedDataFact("data/models/mnist-8.onnx")]
    public async Task ARealRunOnMnist8PrintsOrderedPositiveTimesAndTheModelsFlops()
    {
        string path = SharedData.PathOf("data", "models", "mnist-8.onnx");
        using var engine = new LibraryRenderEngine(path, ComputeDevice.Cpu(1));
        var (code, output, err) = await CliHarness.Run(engine, CancellationToken.None,
            "bench", "--model", path, "--threads", "1", "--batch", "2", "--warmup", "1", "--repeat", "3", "--json");
        Assert.True(code == ExitCodes.Ok, err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("featureviz bench", root.GetProperty("tool").GetString());
        Assert.Equal(1, root.GetProperty("threads").GetInt32());
        Assert.Equal(2, root.GetProperty("batch").GetInt32());
        Assert.Equal(3, root.GetProperty("repeat").GetInt32());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        Assert.Equal((28, 28), (root.GetProperty("width").GetInt32(), root.GetProperty("height").GetInt32()));
        Assert.Equal(3, root.GetProperty("computeNodes").GetInt32());
        double peak = root.GetProperty("peakGflops").GetDouble();
        Assert.True(peak > 0);
        Assert.Equal(2, root.GetProperty("peakGflopsRuns").GetArrayLength());
        var passes = root.GetProperty("perImage");
        Assert.Equal(["forward", "forwardInputGradient", "optimizationStep"], passes.EnumerateObject().Select(p => p.Name).ToArray());
        foreach (var pass in passes.EnumerateObject())
        {
            var p = pass.Value;
            double min = p.GetProperty("minMs").GetDouble(), median = p.GetProperty("medianMs").GetDouble(), max = p.GetProperty("maxMs").GetDouble();
            Assert.True(min > 0 && min <= median && median <= max, $"{pass.Name}: min {min}, median {median}, max {max}");
            Assert.True(p.GetProperty("spreadPercent").GetDouble() >= 0);
            double flops = p.GetProperty("flops").GetDouble();
            Assert.Equal(pass.Name == "forward" ? Mnist8Flops : 2 * Mnist8Flops, flops);
            double gflops = p.GetProperty("gflops").GetDouble();
            Assert.Equal(flops / (median * 1e6), gflops, 6);
            Assert.Equal(100 * gflops / peak, p.GetProperty("percentOfPeak").GetDouble(), 6);
        }
        Assert.True(root.GetProperty("allocatedBytesPerStep").GetInt64() > 0);
        Assert.Contains("optimization step:", err);
    }

    [SharedDataFact("data/models/mnist-8.onnx")]
    public async Task ProfileListsEveryForwardNodeOncePerImageAndTheBackwardOps()
    {
        string path = SharedData.PathOf("data", "models", "mnist-8.onnx");
        using var engine = new LibraryRenderEngine(path, ComputeDevice.Cpu(1));
        var (code, output, err) = await CliHarness.Run(engine, CancellationToken.None,
            "bench", "--model", path, "--threads", "1", "--warmup", "1", "--repeat", "2", "--json", "--profile");
        Assert.True(code == ExitCodes.Ok, err);
        using var doc = JsonDocument.Parse(output);
        var profile = doc.RootElement.GetProperty("profile");
        Assert.Equal(2, profile.GetProperty("images").GetInt32());
        var nodes = profile.GetProperty("forwardByNode").EnumerateArray().ToList();
        // mnist-8 runs two convolutions and a matrix product per image (among its other nodes), each exactly once.
        Assert.Equal(2, nodes.Count(n => n.GetProperty("op").GetString() == "Conv"));
        Assert.Contains(nodes, n => n.GetProperty("op").GetString() == "MatMul");
        Assert.All(nodes, n => Assert.Equal(1.0, n.GetProperty("callsPerImage").GetDouble()));
        Assert.All(nodes, n => Assert.True(n.GetProperty("msPerImage").GetDouble() >= 0));
        Assert.Equal(nodes.Select(n => n.GetProperty("node").GetString()).Distinct().Count(), nodes.Count);
        var byOp = profile.GetProperty("forwardByOp").EnumerateArray().ToList();
        Assert.Equal(nodes.Sum(n => n.GetProperty("msPerImage").GetDouble()), byOp.Sum(n => n.GetProperty("msPerImage").GetDouble()), 9);
        var backward = profile.GetProperty("backwardByOp").EnumerateArray().Select(n => n.GetProperty("op").GetString()).ToList();
        Assert.Contains("Conv2d", backward);
        Assert.Null(FeatureViz.Tensors.Profiling.OpProfile.Active);
    }

    /// <summary>A fake engine that records whether the command got as far as creating it.</summary>
    private sealed class CountingEngine : IRenderEngine
    {
        private readonly FakeRenderEngine _inner = new();
        public bool Created { get; private set; }
        public string ModelName { get { Created = true; return _inner.ModelName; } }
        public (int Width, int Height) InputSize { get { Created = true; return _inner.InputSize; } }
        public long MemoryBudget => _inner.MemoryBudget;
        public string LayerName(LayerSpec layer) { Created = true; return _inner.LayerName(layer); }
        public string DefaultLayer() => _inner.DefaultLayer();
        public int ChannelCount(LayerSpec layer) => _inner.ChannelCount(layer);
        public MemoryEstimate EstimateMemory(RenderSettings settings, int images) { Created = true; return _inner.EstimateMemory(settings, images); }
        public void Validate(ObjectiveExpression expression) => _inner.Validate(expression);
        public IReadOnlyList<ItemResult> Render(RenderBatch batch, RenderSettings settings, Action<StepReport> onStep, CancellationToken cancellationToken) => _inner.Render(batch, settings, onStep, cancellationToken);
        public void Dispose() { }
    }
}
