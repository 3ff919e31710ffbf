using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using static FeatureViz.Onnx.Tests.Import.ModelBuilder;

namespace FeatureViz.Onnx.Tests.Import;

/// <summary>
/// Inference runs (under <see cref="GradMode.NoGrad"/>) free each intermediate tensor after its last reader, so that
/// the backend's pool hands its memory to the next output of the same size; requested, aliased and fed tensors stay.
/// </summary>
public sealed class InferenceReleaseTests
{
    private const int Width = 1 << 16;

    /// <summary>x [1, 65536] -> eight Neg nodes in a row -> y.</summary>
    private static OnnxModel NegChain(CpuBackend backend)
    {
        var b = new ModelBuilder().Input("x", 1, 1, Width);
        for (int i = 0; i < 8; i++) b.Node("Neg", [i == 0 ? "x" : $"n{i - 1}"], [i == 7 ? "y" : $"n{i}"], $"neg{i}");
        return b.Output("y").Load(new OnnxLoadOptions { Backend = backend });
    }

    [Fact]
    public void AChainOfSameSizedOpsReusesTwoArraysUnderNoGrad()
    {
        using var backend = new CpuBackend(1);
        using var model = NegChain(backend);
        var xv = Enumerable.Range(0, Width).Select(i => (float)Math.Sin(i)).ToArray();
        using var x = Tensor.FromArray(backend, xv, 1, Width);
        long before = GC.GetAllocatedBytesForCurrentThread();
        float[] y;
        using (GradMode.NoGrad())
        using (var result = model.Run(x, "y")) y = result.ToArray();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before - (long)Width * sizeof(float);
        // Eight outputs of 256 KiB each: two arrays take turns when each is freed after its reader (before: eight).
        Assert.True(allocated < 3L * Width * sizeof(float), $"A forward through eight same-sized nodes allocated {allocated} bytes.");
        Assert.Equal(xv, y);
    }

    [Fact]
    public void WithGradientsEveryIntermediateStays()
    {
        using var backend = new CpuBackend(1);
        using var model = NegChain(backend);
        using var scope = TensorScope.Begin();
        var xv = Enumerable.Range(0, Width).Select(i => (float)Math.Cos(i)).ToArray();
        var x = Tensor.FromArray(backend, xv, 1, Width).RequireGrad();
        var y = model.Run(x, "y");
        var g = Grad.Of((y * y).Sum(), [x])[0].ToArray();
        // d/dx sum(x^2) = 2x: the backward pass reads the intermediates the forward made.
        for (int i = 0; i < Width; i++) Assert.Equal(2 * xv[i], g[i]);
    }

    [Fact]
    public void RequestedAliasedAndFedTensorsSurvive()
    {
        // r = Relu(x); a = ReduceSum(r) with no axes and noop_with_empty_axes = 1 (returns r itself); i = Identity(a);
        // n = Neg(i); s = Mul(i, n) = -relu(x)^2; r, n and s requested, x fed. r's and a's last reader runs before s.
        using var backend = new CpuBackend(1);
        using var model = new ModelBuilder(18).Input("x", 1, 2, 3)
            .Node("Relu", ["x"], ["r"], "relu")
            .Node("ReduceSum", ["r"], ["a"], "noop", Int("noop_with_empty_axes", 1))
            .Node("Identity", ["a"], ["i"], "identity")
            .Node("Neg", ["i"], ["n"], "neg")
            .Node("Mul", ["i", "n"], ["s"], "mul")
            .Output("s").Load(new OnnxLoadOptions { Backend = backend });
        float[] xv = [-1.5f, 0.25f, 2f, -0.5f, 3f, 1.25f];
        using var x = Tensor.FromArray(backend, xv, 2, 3);
        for (int run = 0; run < 2; run++)
        {
            using var _ = GradMode.NoGrad();
            var result = model.Run(new Dictionary<string, Tensor> { ["x"] = x }, ["r", "n", "s"]);
            var relu = xv.Select(v => Math.Max(v, 0.0)).ToArray();
            Assert.Equal(relu.Select(v => (float)v), result["r"].ToArray());
            Assert.Equal(relu.Select(v => (float)-v), result["n"].ToArray());
            Assert.Equal(relu.Select(v => (float)(-v * v)), result["s"].ToArray());
            Assert.Equal(xv, x.ToArray());
            foreach (var t in result.Values) t.Dispose();
        }
    }
}
