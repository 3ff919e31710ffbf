using FeatureViz.Onnx.Graph;
using FeatureViz.Onnx.Tests.Import;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.TestSupport;
using Onnx;
using Xunit.Abstractions;

namespace FeatureViz.Onnx.Tests.Models;

/// <summary>
/// The load-time fusion of Conv + BatchNormalization + activation chains (<see cref="OnnxLoadOptions.FuseConvolutions"/>):
/// fused runs against ONNX Runtime and against the same model loaded with fusion off, for the graph outputs and for
/// requested intermediate layers (a BatchNormalization output, a ReLU output, a convolution output), the input
/// gradient against the unfused model's, and the backend calls that show what ran fused.
/// </summary>
public abstract class ConvFusionTests<TBackend>(ITestOutputHelper output) : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private static readonly Lazy<CountingBackend> Counting = new(() => new CountingBackend(Backend));
    private static readonly Lazy<OnnxModel> Fused = new(() => OnnxModel.LoadResNet18(new OnnxLoadOptions { Backend = Counting.Value }));
    private static readonly Lazy<OnnxModel> Unfused = new(() => OnnxModel.LoadResNet18(new OnnxLoadOptions { Backend = Backend, FuseConvolutions = false }));

    private static Tensor Run(OnnxModel m, float[] data, int[] dims, string name) =>
        m.Run(new Dictionary<string, Tensor> { [m.Inputs[0].Name] = Tensor.FromArray(m.Backend, data, dims) }, [name])[name];

    [Fact]
    public void ResNet18FoldsEveryBatchNormIntoItsConvolution()
    {
        var proto = ResNet18Tests<TBackend>.MergedProto().Graph;
        // Counted on the protobuf: convolutions whose output only a BatchNormalization reads.
        int expected = proto.Node.Count(c => c.OpType == "Conv"
            && proto.Node.Where(n => n.Input.Contains(c.Output[0])).Select(n => n.OpType).SequenceEqual(["BatchNormalization"]));
        var chains = Fused.Value.Graph.Chains.Values.ToList();
        output.WriteLine(string.Join("\n", chains.Select(c => string.Join(" -> ", c.Stages.Select(s => $"{s.Name} ({s.OpType})")))));
        Assert.True(expected >= 20, $"the bundled ResNet18 has {expected} Conv -> BatchNormalization pairs");
        Assert.Equal(expected, chains.Count);
        Assert.All(chains, c => Assert.Equal("BatchNormalization", c.Stages[1].OpType));
        Assert.Contains(chains, c => c.Stages.Length == 3 && c.Stages[2].OpType == "Relu");
        Assert.Empty(Unfused.Value.Graph.Chains);
    }

    [Fact]
    public void ResNet18MatchesOrtAndTheUnfusedGraphOnOutputsAndTargetedLayers()
    {
        var fused = Fused.Value;
        var counting = Counting.Value;
        var chains = fused.Graph.Chains.Values.Where(c => c.Stages.Length == 3).OrderBy(c => c.Stages[0].Index).ToList();
        var first = chains[0];
        var last = chains[^1];
        string[] targets =
        [
            "features",
            first.Stages[1].Outputs[0], first.Stages[2].Outputs[0], // a BatchNormalization output, then its ReLU's
            last.Stages[1].Outputs[0], last.Stages[2].Outputs[0], last.Stages[0].Outputs[0], // and a convolution output
        ];
        var data = Rand.Uniform(21, 3 * 224 * 224, 0f, 255f);
        int[] dims = [1, 3, 224, 224];
        var ort = OrtOracle.Run(ResNet18Tests<TBackend>.MergedProto(), "input", data, dims, targets);
        foreach (var target in targets)
        {
            using var scope = TensorScope.Begin();
            counting.Reset();
            var ours = Run(fused, data, dims, target).ToArray();
            var calls = counting.Snapshot();
            var reference = Run(Unfused.Value, data, dims, target).ToArray();
            double vsOrt = OrtOracle.RelativeMaxError(ours, ort[target]), vsUnfused = OrtOracle.RelativeMaxError(ours, reference);
            output.WriteLine($"{target}: vs ORT {vsOrt:G3}, vs unfused {vsUnfused:G3}; Conv2d {calls.GetValueOrDefault("Conv2d")}, " +
                $"Conv2dActivation {calls.GetValueOrDefault("Conv2dActivation")}, ChannelAffine {calls.GetValueOrDefault("ChannelAffine")}, Relu kernels {calls.GetValueOrDefault("Unary")}");
            Assert.True(vsOrt <= 1e-4, $"{target}: max|fused-ORT|/max|ORT| = {vsOrt:G3}");
            Assert.True(vsUnfused <= 1e-5, $"{target}: max|fused-unfused|/max|unfused| = {vsUnfused:G3}");
            // Every BatchNormalization on the way was folded, whichever layer was asked for (the first chain's, when its
            // output is the target, into a plain convolution: the ReLU after it must not run).
            Assert.Equal(0, calls.GetValueOrDefault("ChannelAffine"));
            if (target == first.Stages[1].Outputs[0]) Assert.Equal((0, 1), (calls.GetValueOrDefault("Unary"), calls.GetValueOrDefault("Conv2d")));
            else Assert.True(calls.GetValueOrDefault("Conv2dActivation") > 0, $"{target}: no activation ran fused");
        }
    }

    [Fact]
    public void ResNet18InputGradientOfATargetedReluEqualsTheUnfusedGraphs()
    {
        var chains = Fused.Value.Graph.Chains.Values.Where(c => c.Stages.Length == 3).OrderBy(c => c.Stages[0].Index).ToList();
        string relu = chains[chains.Count / 2].Stages[2].Outputs[0], bn = chains[chains.Count / 2].Stages[1].Outputs[0];
        var data = Rand.Uniform(22, 3 * 224 * 224, 0f, 255f);
        foreach (var layer in new[] { relu, bn })
        {
            float[] Gradient(OnnxModel m)
            {
                using var scope = TensorScope.Begin();
                var x = Tensor.FromArray(m.Backend, data, 1, 3, 224, 224).RequireGrad();
                var y = m.Run(x, layer);
                var weights = Tensor.FromArray(m.Backend, Rand.Uniform(23, y.Numel), y.Shape.ToArray());
                return Grad.Of(y.Mul(weights).Sum(), [x])[0].ToArray();
            }
            var fused = Gradient(Fused.Value);
            var unfused = Gradient(Unfused.Value);
            double err = OrtOracle.RelativeMaxError(fused, unfused);
            double scale = unfused.Max(v => Math.Abs(v));
            var relative = fused.Zip(unfused, (a, b) => Math.Abs(a - b) / scale).Order().ToArray();
            int off = relative.Count(v => v > 1e-4);
            output.WriteLine($"{layer}: input gradient max|fused-unfused|/max|unfused| = {err:G3}; {off} of {relative.Length} elements over 1e-4, median {relative[relative.Length / 2]:G3}");
            // The folded weights round differently from Conv then BatchNormalization (and 3x3 layers run Winograd, whose
            // rounding differs again), so a ReLU whose pre-activation is within rounding of zero can take the other
            // side: the gradient then differs over that unit's receptive field (measured: one patch of ~1,300 of the
            // 150,528 input elements with Winograd, none with the direct kernels). The fusion is exact when the rest agrees.
            Assert.True(relative[relative.Length / 2] <= 1e-5, $"{layer}: median relative difference {relative[relative.Length / 2]:G3}");
            Assert.True(off <= relative.Length / 50, $"{layer}: {off} input-gradient elements differ by more than 1e-4 of the largest (max {err:G3}): more than a flipped ReLU's receptive field.");
        }
    }

    public static IEnumerable<object[]> LightModels() => SharedModelTests<TBackend>.LightModels();

    [SharedDataTheory("data/models")]
    [MemberData(nameof(LightModels))]
    public void LightModelFusedMatchesUnfused(string name)
    {
        var path = SharedModelTests<TBackend>.ModelPath($"light_{name}.onnx");
        using var fused = OnnxModel.Load(path, new OnnxLoadOptions { Backend = Backend });
        using var unfused = OnnxModel.Load(path, new OnnxLoadOptions { Backend = Backend, FuseConvolutions = false });
        var dims = fused.Inputs[0].Shape.Select(d => d < 0 ? 1 : d).ToArray();
        var data = Rand.Uniform(24, dims.Aggregate(1, (p, q) => p * q));
        using var scope = TensorScope.Begin();
        var a = fused.Run(Tensor.FromArray(Backend, data, dims)).ToArray();
        var b = unfused.Run(Tensor.FromArray(Backend, data, dims)).ToArray();
        double err = OrtOracle.RelativeMaxError(a, b);
        var chains = fused.Graph.Chains.Values.ToList();
        output.WriteLine($"light_{name}: {chains.Count} chains ({chains.Count(c => c.BatchNormStage >= 0)} with BatchNormalization), max|fused-unfused|/max|unfused| = {err:G3}");
        Assert.True(err <= 1e-5, $"light_{name}: max|fused-unfused|/max|unfused| = {err:G3}");
    }

    /// <summary>Conv [-> BatchNormalization] [-> activation] on a [1, 3, 9, 8] input, 4 output channels, pads 1.</summary>
    private static ModelProto Chain(bool batchNorm, string? activation, int opset = 17, bool conv1d = false, bool convIsOutput = false)
    {
        var b = new ModelBuilder(opset).Input("x", 1, conv1d ? [1, 3, 9] : [1, 3, 9, 8]);
        var wDims = conv1d ? new long[] { 4, 3, 3 } : [4, 3, 3, 3];
        b.Initializer("w", Rand.Uniform(31, (int)wDims.Aggregate(1L, (p, q) => p * q)).Select(v => v * 0.6f).ToArray(), wDims);
        b.Initializer("bias", Rand.Uniform(32, 4, -0.3f, 0.3f), 4);
        b.Node("Conv", ["x", "w", "bias"], ["conv"], "conv", ModelBuilder.Ints("pads", conv1d ? [1, 1] : [1, 1, 1, 1]));
        string last = "conv";
        if (batchNorm)
        {
            b.Initializer("gamma", Rand.Uniform(33, 4, 0.5f, 2f), 4).Initializer("beta", Rand.Uniform(34, 4, -0.5f, 0.5f), 4)
                .Initializer("mean", Rand.Uniform(35, 4, -0.3f, 0.3f), 4).Initializer("var", Rand.Uniform(36, 4, 0.2f, 1.5f), 4);
            b.Node("BatchNormalization", ["conv", "gamma", "beta", "mean", "var"], ["bn"], "bn", ModelBuilder.Float("epsilon", 1e-3f));
            last = "bn";
        }
        switch (activation)
        {
            case "Clip":
                b.Initializer("lo", [-0.4f]).Initializer("hi", [0.6f]);
                b.Node("Clip", [last, "lo", "hi"], ["act"], "act");
                break;
            case "LeakyRelu":
                b.Node("LeakyRelu", [last], ["act"], "act", ModelBuilder.Float("alpha", 0.2f));
                break;
            case "HardSigmoid":
                b.Node("HardSigmoid", [last], ["act"], "act", ModelBuilder.Float("alpha", 0.3f));
                break;
            case not null:
                b.Node(activation, [last], ["act"], "act");
                break;
        }
        if (activation is not null) last = "act";
        b.Output(last, 1);
        if (convIsOutput) b.Output("conv", 1);
        return b.Build();
    }

    public static TheoryData<bool, string?, bool, int> ChainCases() => new()
    {
        { true, "Relu", false, 3 }, { true, "Clip", false, 3 }, { false, "LeakyRelu", false, 2 }, { true, "HardSigmoid", false, 3 },
        { true, null, false, 2 }, { true, "Relu", true, 3 }, { false, "Sigmoid", false, 0 },
    };

    [Theory]
    [MemberData(nameof(ChainCases))]
    public void SmallChainsMatchOrtOnEveryTensor(bool batchNorm, string? activation, bool conv1d, int stages)
    {
        var proto = Chain(batchNorm, activation, conv1d: conv1d);
        int[] dims = conv1d ? [1, 3, 9] : [1, 3, 9, 8];
        var data = Rand.Uniform(37, dims.Aggregate(1, (p, q) => p * q), -2f, 2f);
        using var m = OnnxModel.Load(new MemoryStream(Google.Protobuf.MessageExtensions.ToByteArray(proto)), new OnnxLoadOptions { Backend = Backend });
        Assert.Equal(stages, m.Graph.Chains.Values.SingleOrDefault()?.Stages.Length ?? 0);
        var names = m.Layers.Select(l => l.OutputName).ToArray();
        var ort = OrtOracle.Run(proto, "x", data, dims, names);
        // Each tensor asked for alone, so that everything after it runs fused as far as it can.
        foreach (var name in names)
        {
            using var scope = TensorScope.Begin();
            var ours = Run(m, data, dims, name).ToArray();
            double err = OrtOracle.RelativeMaxError(ours, ort[name]);
            Assert.True(err <= 1e-5, $"{activation ?? "no activation"}{(conv1d ? " (1-D)" : "")}, {name}: max|ours-ORT|/max|ORT| = {err:G3}");
        }
    }

    [Fact]
    public void AConvolutionThatIsAGraphOutputOrReadTwiceStaysUnfused()
    {
        using (var m = OnnxModel.Load(new MemoryStream(Google.Protobuf.MessageExtensions.ToByteArray(Chain(true, "Relu", convIsOutput: true))), new OnnxLoadOptions { Backend = Backend }))
            Assert.Empty(m.Graph.Chains);
        // The BatchNormalization output read by the ReLU and by a graph output: Conv + BatchNormalization still fold.
        var proto = Chain(true, "Relu");
        proto.Graph.Output.Add(ModelBuilder.Info("bn", 1, []));
        using var folded = OnnxModel.Load(new MemoryStream(Google.Protobuf.MessageExtensions.ToByteArray(proto)), new OnnxLoadOptions { Backend = Backend });
        Assert.Equal(2, Assert.Single(folded.Graph.Chains.Values).Stages.Length);
    }
}
