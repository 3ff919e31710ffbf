using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Tests.Import;

/// <summary>Inputs must match the declared static dims; symbolic dims take any size (issue 9, Build 5 / defect 5).</summary>
public sealed class StrictInputTests
{
    private static Tensor Zeros(params int[] dims) => Tensor.Zeros(CpuBackend.Default, dims);

    private static Dictionary<string, Tensor> Feed(Tensor x) => new() { ["x"] = x };

    [Fact]
    public void AStaticShapeMustMatchExactly()
    {
        using var m = new ModelBuilder().Input("x", 1, 1, 1, 28, 28).Node("Relu", ["x"], ["y"]).Output("y").Load();
        Assert.Equal([1, 1, 28, 28], m.Run(Feed(Zeros(1, 1, 28, 28)))["y"].Shape.ToArray());
        var ex = Assert.Throws<ArgumentException>(() => m.Run(Feed(Zeros(1, 1, 27, 29))));
        Assert.Contains("'x'", ex.Message);
        Assert.Contains("[1, 1, 27, 29] (783 values)", ex.Message);
        Assert.Contains("[1, 1, 28, 28] (784 values)", ex.Message);
        Assert.Throws<ArgumentException>(() => m.Run(Feed(Zeros(2, 1, 28, 28))));
        Assert.False(m.Inputs[0].Accepts([1, 1, 27, 29]));
        Assert.Contains("783 values", m.Inputs[0].ShapeMismatch([1, 1, 27, 29]));
        Assert.Null(m.Inputs[0].ShapeMismatch([1, 1, 28, 28]));
    }

    [Fact]
    public void SymbolicDimsTakeAnySizeAndStaticOnesStillCount()
    {
        using var m = new ModelBuilder().Input("x", 1, "N", 3, "H", 4).Node("Relu", ["x"], ["y"]).Output("y").Load();
        Assert.Equal([5, 3, 7, 4], m.Run(Feed(Zeros(5, 3, 7, 4)))["y"].Shape.ToArray());
        var ex = Assert.Throws<ArgumentException>(() => m.Run(Feed(Zeros(5, 2, 7, 4))));
        Assert.Contains("-1 = any size", ex.Message);
        Assert.True(m.Inputs[0].Accepts([1, 3, 1, 4]));
        Assert.False(m.Inputs[0].Accepts([1, 3, 1, 5]));
    }

    [Fact]
    public void InputShapesCannotOverrideAStaticDim()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ModelBuilder().Input("x", 1, 1, "N").Node("Relu", ["x"], ["y"]).Output("y")
            .Load(new OnnxLoadOptions { InputShapes = new Dictionary<string, int[]> { ["x"] = [2, 5] } }));
        Assert.Contains("dimension 0", ex.Message);
        using var ok = new ModelBuilder().Input("x", 1, 1, "N").Node("Relu", ["x"], ["y"]).Output("y")
            .Load(new OnnxLoadOptions { InputShapes = new Dictionary<string, int[]> { ["x"] = [1, 5] } });
        Assert.Equal([1, 5], ok.GetLayer(-1).Shape);
    }
}
