using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors;
using FeatureViz.TestSupport;
using static FeatureViz.Onnx.Tests.Import.ModelBuilder;

namespace FeatureViz.Onnx.Tests.Import;

/// <summary>
/// Comparisons, logical ops, Where, Floor/Ceil/Round/Sign, ArgMax and Pow with a tensor exponent run on the backend:
/// after the first run (which folds the shape arithmetic), a run moves nothing between host and device.
/// </summary>
public sealed class OnDeviceOpsTests
{
    private static ModelBuilder Graph() => new ModelBuilder(13)
        .Input("x", 1, 2, 5).Input("y", 1, 2, 5)
        .Node("Greater", ["x", "y"], ["gt"]).Node("LessOrEqual", ["x", "y"], ["le"]).Node("Not", ["gt"], ["ngt"])
        .Node("And", ["ngt", "le"], ["both"]).Node("Xor", ["gt", "le"], ["either"]).Node("Or", ["gt", "both"], ["any"])
        .Node("Where", ["both", "x", "y"], ["min"])
        .Node("Floor", ["x"], ["floor"]).Node("Ceil", ["x"], ["ceil"]).Node("Round", ["x"], ["round"]).Node("Sign", ["x"], ["sign"])
        .Node("ArgMax", ["x"], ["argmax"], "argmax", Int("axis", 1), Int("keepdims", 0))
        .Node("ArgMin", ["x"], ["argmin"], "argmin", Int("axis", 0), Int("select_last_index", 1))
        .Node("Abs", ["x"], ["abs"]).Node("Pow", ["abs", "y"], ["pow"])
        .Output("min", 1, 2, 5).Output("pow", 1, 2, 5);

    private static readonly string[] Names = ["gt", "le", "both", "either", "any", "min", "floor", "ceil", "round", "sign", "argmax", "argmin", "pow"];

    [Fact]
    public void ARunAfterTheFirst_TransfersNothing_AndMatchesTheReferences()
    {
        using var counting = new CountingBackend(CpuBackend.Default);
        using var m = Graph().Load(new OnnxLoadOptions { Backend = counting });
        float[] x = [-2.5f, -1.5f, 0.5f, 1.5f, 2.5f, 0.3f, -0.7f, 3f, 3f, -4f];
        float[] y = [1f, -1.5f, 2f, 0.5f, -3f, 0.3f, 2f, 1.5f, -1f, 0.5f];
        var tx = Tensor.FromArray(counting, x, 2, 5);
        var ty = Tensor.FromArray(counting, y, 2, 5);
        var feeds = new Dictionary<string, Tensor> { ["x"] = tx, ["y"] = ty };
        m.Run(feeds, Names);
        counting.Reset();
        var r = m.Run(feeds, Names);
        Assert.Equal(0, counting.Uploads);
        Assert.Equal(0, counting.Downloads);

        float B(bool b) => b ? 1f : 0f;
        float[] Each(Func<int, float> f) => Enumerable.Range(0, 10).Select(f).ToArray();
        Assert.Equal(Each(i => B(x[i] > y[i])), r["gt"].ToArray());
        Assert.Equal(Each(i => B(x[i] <= y[i])), r["le"].ToArray());
        Assert.Equal(Each(i => B(!(x[i] > y[i]) && x[i] <= y[i])), r["both"].ToArray());
        Assert.Equal(Each(i => B((x[i] > y[i]) ^ (x[i] <= y[i]))), r["either"].ToArray());
        Assert.Equal(Each(i => 1f), r["any"].ToArray());
        Assert.Equal(Each(i => Math.Min(x[i], y[i])), r["min"].ToArray());
        Assert.Equal(Each(i => (float)Math.Floor((double)x[i])), r["floor"].ToArray());
        Assert.Equal(Each(i => (float)Math.Ceiling((double)x[i])), r["ceil"].ToArray());
        Assert.Equal(Each(i => (float)Math.Round((double)x[i], MidpointRounding.ToEven)), r["round"].ToArray());
        Assert.Equal(Each(i => (float)Math.Sign((double)x[i])), r["sign"].ToArray());
        // Row 0: the largest is 2.5 at 4; row 1: 3 at 2 and 3 (first wins).
        Assert.Equal([4f, 2f], r["argmax"].ToArray());
        Assert.Equal([1, 5], r["argmin"].Shape.ToArray());
        Assert.Equal(Each(i => i < 5 ? B(x[i] >= x[i + 5]) : float.NaN).Take(5).ToArray(), r["argmin"].ToArray());
        Approx.Equal(Each(i => (float)Math.Pow(Math.Abs((double)x[i]), y[i])), r["pow"].ToArray(), 1e-6, 1e-7, "pow");
    }

    [Fact]
    public void WhereAndTensorPow_PassGradientsToBothOperands()
    {
        using var m = Graph().Load();
        // |x| away from 0 (Pow's gradient in the exponent needs log|x|); x and y apart (no ties in Where).
        float[] x = [-2.5f, -1.5f, 0.5f, 1.5f, 2.5f, 0.3f, -0.7f, 3f, 1.2f, -4f];
        float[] y = [1f, -1.2f, 2f, 0.5f, -3f, 0.6f, 2f, 1.5f, -1f, 0.5f];
        Tensor Run(Tensor[] t, string name) => m.Run(new Dictionary<string, Tensor> { ["x"] = t[0], ["y"] = t[1] }, [name])[name];
        GradCheck.Vjp(m.Backend, t => Run(t, "pow"), [(x, [2, 5]), (y, [2, 5])]);
        GradCheck.Vjp(m.Backend, t => Run(t, "min"), [(x, [2, 5]), (y, [2, 5])]);
    }

    [Fact]
    public void HostConstantsFeedingTensorOps_AreUploadedOnce()
    {
        // An int64 initializer added to a float tensor, and a bool mask folded from it selecting between tensors.
        using var counting = new CountingBackend(CpuBackend.Default);
        using var m = new ModelBuilder(13).Input("x", 1, 2, 5).Initializer(Longs("k", 1, 0, 2, 0, 3))
            .Node("Cast", ["k"], ["mask"], "mask", Int("to", 9))
            .Node("Add", ["x", "k"], ["sum"]).Node("Where", ["mask", "x", "sum"], ["y"]).Output("y", 1, 2, 5)
            .Load(new OnnxLoadOptions { Backend = counting });
        var data = Rand.Uniform(3, 10);
        var x = Tensor.FromArray(counting, data, 2, 5);
        m.Run(x, "y");
        counting.Reset();
        var y = m.Run(x, "y");
        Assert.Equal((0, 0), (counting.Uploads, counting.Downloads));
        long[] k = [1, 0, 2, 0, 3];
        Assert.Equal(Enumerable.Range(0, 10).Select(i => k[i % 5] != 0 ? data[i] : data[i] + k[i % 5]).ToArray(), y.ToArray());
    }

    private static ModelBuilder GatherGraph() => new ModelBuilder(13).Input("x", 1, 2, 5).Initializer(Longs("idx", 4, -1, 0, 4))
        .Node("Gather", ["x", "idx"], ["g"], "constant", Int("axis", 1))
        .Node("ArgMax", ["x"], ["best"], "argmax", Int("axis", 1), Int("keepdims", 0))
        .Node("Gather", ["x", "best"], ["h"], "computed", Int("axis", 1))
        .Output("g", 1, 2, 4).Output("h", 1, 2, 2);

    [Fact]
    public void Gather_WithConstantIndicesUploadsOnce_AndWithComputedIndicesNeverLeavesTheDevice()
    {
        using var counting = new CountingBackend(CpuBackend.Default);
        using var m = GatherGraph().Load(new OnnxLoadOptions { Backend = counting });
        float[] data = [0.5f, -1f, 3f, 2f, 0.1f, 4f, 0.2f, -3f, 1f, 2.5f];
        var x = Tensor.FromArray(counting, data, 2, 5);
        m.Run(new Dictionary<string, Tensor> { ["x"] = x }, ["g", "h"]);
        counting.Reset();
        var r = m.Run(new Dictionary<string, Tensor> { ["x"] = x }, ["g", "h"]);
        Assert.Equal((0, 0), (counting.Uploads, counting.Downloads));
        Assert.Equal(2, counting.Calls(nameof(FeatureViz.Tensors.Backends.IBackend.Gather)));
        // Constant indices [4, -1, 0, 4] per row; computed: the row's argmax (2 in row 0, 0 in row 1) gathered along
        // axis 1 for both rows, so h[r, k] = x[r, argmax[k]].
        Assert.Equal([0.1f, 0.1f, 0.5f, 0.1f, 2.5f, 2.5f, 4f, 2.5f], r["g"].ToArray());
        Assert.Equal([3f, 0.5f, -3f, 4f], r["h"].ToArray());
        Tensor Run(Tensor[] t, string name) => m.Run(new Dictionary<string, Tensor> { ["x"] = t[0] }, [name])[name];
        GradCheck.Vjp(m.Backend, t => Run(t, "g"), [(data, [2, 5])]);
        GradCheck.Vjp(m.Backend, t => Run(t, "h"), [(data, [2, 5])]);
    }
}

