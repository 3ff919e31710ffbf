using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.TestSupport;
using static FeatureViz.Onnx.Tests.Import.ModelBuilder;

namespace FeatureViz.Onnx.Tests.Import;

/// <summary>Graph execution: subgraphs, shape folding per input-shape signature, constants, scopes, gradients.</summary>
public sealed class GraphTests
{
    private static readonly CpuBackend Cpu = CpuBackend.Default;

    /// <summary>x [N, C, 2] -> Relu -> flatten via Shape/Gather/Unsqueeze/Concat/Reshape (the PyTorch export pattern) -> * w.</summary>
    private static ModelBuilder FlattenModel() => new ModelBuilder()
        .Input("x", 1, "N", 3, 2)
        .Initializer(Longs("zero", 0))
        .Initializer(Longs("minus1", -1))
        .Initializer("w", [1f, 2f, 3f, 4f, 5f, 6f], 6)
        .Node("Relu", ["x"], ["r"], "relu")
        .Node("Shape", ["r"], ["shape"], "shape")
        .Node("Gather", ["shape", "zero"], ["batch"], "gather", Int("axis", 0))
        .Node("Concat", ["batch", "minus1"], ["target"], "concat", Int("axis", 0))
        .Node("Reshape", ["r", "target"], ["flat"], "reshape")
        .Node("Mul", ["flat", "w"], ["y"], "mul")
        .Output("y", 1, "N", 6);

    [Fact]
    public void FoldsShapeArithmeticPerInputShape()
    {
        using var m = FlattenModel().Load();
        Assert.Equal([-1, 3, 2], m.Inputs[0].Shape);
        Assert.Equal([1, 6], m.GetLayer("y").Shape);
        Assert.Equal([3], m.GetLayer("shape").Shape);
        foreach (var n in new[] { 1, 4, 2, 4 })
        {
            var data = Rand.Uniform(n, n * 6);
            var y = m.Run(Tensor.FromArray(Cpu, data, n, 3, 2));
            Assert.Equal([n, 6], y.Shape.ToArray());
            var expected = data.Select((v, i) => Math.Max(v, 0f) * (i % 6 + 1)).ToArray();
            Approx.Equal(expected, y.ToArray());
        }
        // Integer results come back as float tensors.
        var s = m.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros(Cpu, 5, 3, 2) }, ["target"])["target"];
        Assert.Equal([5f, -1f], s.ToArray());
    }

    [Fact]
    public void InputShapesOptionFixesSymbolicDims()
    {
        using var m = FlattenModel().Load(new OnnxLoadOptions { InputShapes = new Dictionary<string, int[]> { ["x"] = [7, 3, 2] } });
        Assert.Equal([7, 6], m.GetLayer(-1).Shape);
        Assert.Throws<ArgumentException>(() => FlattenModel().Load(new OnnxLoadOptions { InputShapes = new Dictionary<string, int[]> { ["nope"] = [1] } }));
    }

    [Fact]
    public void RunsOnlyTheSubgraphTheRequestedTensorsNeed()
    {
        // The Reshape after "r" cannot run (8 elements into [3, -1]); asking for "r" never reaches it.
        using var m = new ModelBuilder().Input("x", 1, 2, 4).Initializer(Longs("s", 3, -1))
            .Node("Relu", ["x"], ["r"], "relu").Node("Reshape", ["r", "s"], ["y"], "bad").Output("y").Load();
        var x = Tensor.FromArray(Cpu, Rand.Uniform(1, 8), 2, 4);
        var r = m.Run(new Dictionary<string, Tensor> { ["x"] = x }, ["r"]);
        Assert.Equal([2, 4], r["r"].Shape.ToArray());
        Assert.Equal(r["r"].ToArray(), m.Run(new Dictionary<string, Tensor> { ["x"] = x }, ["relu"])["relu"].ToArray());
        Assert.Throws<OnnxImportException>(() => m.Run(x));
    }

    [Fact]
    public void GradientsReachTheInputButNotTheWeights()
    {
        using var m = FlattenModel().Load();
        var data = Rand.Uniform(2, 12);
        var x = Tensor.FromArray(Cpu, data, 2, 3, 2).RequireGrad();
        var y = m.Run(x);
        Assert.True(y.RequiresGrad);
        var g = Grad.Of(y.Sum(), [x])[0].ToArray();
        var expected = data.Select((v, i) => v > 0 ? (float)(i % 6 + 1) : 0f).ToArray();
        Approx.Equal(expected, g);
        // Without RequireGrad no graph is recorded.
        Assert.False(m.Run(Tensor.FromArray(Cpu, data, 2, 3, 2)).RequiresGrad);
    }

    [Fact]
    public void ConstantsSurviveTheCallersTensorScopes()
    {
        OnnxModel m;
        using (TensorScope.Begin())
        {
            m = FlattenModel().Load();
            using (TensorScope.Begin()) m.Run(Tensor.Zeros(Cpu, 3, 3, 2));
        }
        using (TensorScope.Begin())
        {
            var y = m.Run(Tensor.Full(Cpu, 1f, 3, 3, 2));
            Assert.Equal(Enumerable.Range(0, 18).Select(i => (float)(i % 6 + 1)).ToArray(), y.ToArray());
        }
        m.Dispose();
    }

    [Fact]
    public void UnsortedNodesAreOrderedAndLayersFollowTopologicalOrder()
    {
        using var m = new ModelBuilder().Input("x", 1, 2)
            .Node("Neg", ["a"], ["b"], "second")
            .Node("Relu", ["x"], ["a"], "first")
            .Output("b").Load();
        Assert.Equal(["first", "second"], m.Layers.Select(l => l.NodeName));
        Assert.Equal([0f, -1f], m.Run(Tensor.FromArray(Cpu, [-1f, 1f], 2)).ToArray());
        Assert.Equal("second", m.GetLayer(-1).NodeName);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.GetLayer(2));
        var ex = Assert.Throws<ArgumentException>(() => m.GetLayer("secnd"));
        Assert.Contains("second", ex.Message);
    }
}
