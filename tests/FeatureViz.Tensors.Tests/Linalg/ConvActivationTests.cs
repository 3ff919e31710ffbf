using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Linalg;

/// <summary>
/// <see cref="Tensor.Conv2dActivation"/> and <see cref="IBackend.Conv2dActivation"/>: the forward against a float64
/// convolution followed by the activation in float64; the backend's override against the
/// <see cref="FusedDefaults.Conv2dActivation"/> composition on its own core; the gradient against finite differences
/// and against the unfused ops' gradient.
/// </summary>
public abstract class ConvActivationTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    public static readonly ConvEpilogue[] Epilogues =
    [
        ConvEpilogue.None, ConvEpilogue.Relu, ConvEpilogue.Clip(-0.5f, 0.7f), ConvEpilogue.Clip(0f, float.PositiveInfinity),
        ConvEpilogue.LeakyRelu(0.1f), ConvEpilogue.HardSigmoid(0.3f, 0.4f),
    ];

    // The paths of the CPU forward: GEMM with im2col (one K block; two K blocks, where an epilogue applied before
    // the last block would be wrong; threaded, with ragged edge tiles), pointwise GEMM, grouped, depthwise.
    public static readonly (int[] X, int[] W, bool Bias, Conv2dOptions O)[] Geometries =
    [
        ([2, 3, 7, 9], [4, 3, 3, 3], true, new Conv2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1)),
        ([1, 40, 13, 11], [20, 40, 3, 3], true, new Conv2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1)),
        ([2, 8, 5, 6], [7, 8, 1, 1], false, new Conv2dOptions()),
        ([1, 4, 9, 8], [6, 2, 3, 2], true, new Conv2dOptions(StrideH: 1, StrideW: 2, PadTop: 2, PadLeft: 1, PadBottom: 1, PadRight: 2, DilationH: 2, DilationW: 2, Groups: 2)),
        ([2, 5, 8, 7], [5, 1, 3, 3], true, new Conv2dOptions(StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 5)),
    ];

    public static TheoryData<int, int> Cases()
    {
        var data = new TheoryData<int, int>();
        for (int e = 0; e < Epilogues.Length; e++)
            for (int g = 0; g < Geometries.Length; g++) data.Add(e, g);
        return data;
    }

    /// <summary>The activation in float64, from its definition.</summary>
    private static double Activate(ConvEpilogue e, double z) => e.Activation switch
    {
        ConvActivation.Relu => z > 0 ? z : 0,
        ConvActivation.Clip => Math.Min(Math.Max(z, e.Alpha), e.Beta),
        ConvActivation.LeakyRelu => z >= 0 ? z : e.Alpha * z,
        ConvActivation.HardSigmoid => Math.Max(0, Math.Min(1, e.Alpha * z + e.Beta)),
        _ => z,
    };

    private static (float[] X, float[] W, float[]? B) Inputs(int geometry)
    {
        var (xs, ws, withBias, _) = Geometries[geometry];
        // Weights scaled so that outputs spread across every branch of the activations (both Clip bounds included).
        var w = Rand.Of(2, ws).Data.Select(v => v * 2f / MathF.Sqrt(ws[1] * ws[2] * ws[3])).ToArray();
        return (Rand.Of(1, xs).Data, w, withBias ? Rand.Uniform(3, ws[0], -0.5f, 0.5f) : null);
    }

    /// <summary>The inputs of a geometry as tensors on the backend (in the caller's scope).</summary>
    private static (Tensor X, Tensor W, Tensor? B) Tensors(int geometry)
    {
        var (xs, ws, _, _) = Geometries[geometry];
        var (x, w, b) = Inputs(geometry);
        return (Tensor.FromArray(Backend, x, xs), Tensor.FromArray(Backend, w, ws), b is null ? null : Tensor.FromArray(Backend, b, ws[0]));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesFloat64ConvolutionThenActivation(int epilogue, int geometry)
    {
        var e = Epilogues[epilogue];
        var (xs, ws, _, o) = Geometries[geometry];
        var (x, w, b) = Inputs(geometry);
        using var scope = TensorScope.Begin();
        var (tx, tw, tb) = Tensors(geometry);
        var y = tx.Conv2dActivation(tw, tb, o, e);
        var expected = Reference.Conv2d(x, xs, w, ws, b, o, out var ys).Select(z => Activate(e, z)).ToArray();
        Assert.Equal(ys, y.Shape.ToArray());
        Approx.Equal(expected, y.ToArray(), 1e-5, 1e-5, $"Conv2dActivation {e}");
        if (e.Activation == ConvActivation.Clip && e.Beta < 1)
        {
            // The inputs reach both bounds, so the test sees every branch.
            Assert.Contains(expected, v => v == e.Alpha);
            Assert.Contains(expected, v => v == e.Beta);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OverrideMatchesComposition(int epilogue, int geometry)
    {
        var e = Epilogues[epilogue];
        var (xs, ws, _, o) = Geometries[geometry];
        using var scope = TensorScope.Begin();
        var (tx, tw, tb) = Tensors(geometry);
        // The geometry the tensor op resolves, from a plain convolution's output shape.
        var yShape = tx.Conv2d(tw, tb, o).Shape;
        var g = new Conv2dGeometry(N: xs[0], C: xs[1], H: xs[2], W: xs[3], O: ws[0], KH: ws[2], KW: ws[3], OH: yShape[2], OW: yShape[3],
            StrideH: o.StrideH, StrideW: o.StrideW, PadTop: o.PadTop, PadLeft: o.PadLeft, DilationH: o.DilationH, DilationW: o.DilationW, Groups: o.Groups);
        using var overridden = Backend.Conv2dActivation(tx.Storage, tw.Storage, tb?.Storage, g, e);
        using var composed = FusedDefaults.Conv2dActivation(Backend, tx.Storage, tw.Storage, tb?.Storage, g, e);
        var a = new float[overridden.Length];
        var c = new float[composed.Length];
        Backend.Download(overridden, a);
        Backend.Download(composed, c);
        Approx.Equal(c, a, 1e-5, 1e-6, $"Conv2dActivation {e}: override vs composition");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    [ChecksGradientOf("Conv2dActivation")]
    public void GradientsMatchFiniteDifferences(int epilogue, int geometry)
    {
        var e = Epilogues[epilogue];
        var (xs, ws, withBias, o) = Geometries[geometry];
        var (x, w, b) = Inputs(geometry);
        var inputs = new List<(float[], int[])> { (x, xs), (w, ws) };
        if (withBias) inputs.Add((b!, [ws[0]]));
        // A small step: a 1e-3 step moves some outputs across a kink, and one crossing biases the central difference
        // by up to |c_j dz_j/dh| (order 1) whichever op computes the activation. The float32 rounding of the ~100-3000
        // outputs then limits the difference to about 5e-3 absolute, hence atol. InputGradientEqualsTheUnfusedOps
        // checks the same gradient to 1e-5 against the unfused ops.
        GradCheck.Vjp(Backend, t => t[0].Conv2dActivation(t[1], t.Length > 2 ? t[2] : null, o, e), inputs.ToArray(), seed: 7, eps: 1e-4, atol: 1e-2);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void InputGradientEqualsTheUnfusedOps(int epilogue, int geometry)
    {
        var e = Epilogues[epilogue];
        var o = Geometries[geometry].O;
        foreach (bool straightThrough in new[] { false, true })
        {
            using var scope = TensorScope.Begin();
            using var st = straightThrough ? GradMode.StraightThroughRelu() : null;
            var (tx, tw, tb) = Tensors(geometry);
            tx.RequireGrad();
            var fused = tx.Conv2dActivation(tw, tb, o, e);
            var z = tx.Conv2d(tw, tb, o);
            var unfused = e.Activation switch
            {
                ConvActivation.Relu => z.Relu(),
                ConvActivation.Clip => z.Clip(e.Alpha, e.Beta),
                ConvActivation.LeakyRelu => z.LeakyRelu(e.Alpha),
                ConvActivation.HardSigmoid => z.HardSigmoid(e.Alpha, e.Beta),
                _ => z,
            };
            var dy = Tensor.FromArray(Backend, Rand.Uniform(9, fused.Numel), fused.Shape.ToArray());
            var gFused = Grad.Of(fused, [tx], dy)[0].ToArray();
            var gUnfused = Grad.Of(unfused, [tx], dy)[0].ToArray();
            // Only Clip's gradient at a pre-activation exactly on a bound differs, and random inputs never hit one.
            Approx.Equal(gUnfused, gFused, 1e-5, 1e-6, $"{e} input gradient, straight-through ReLU {straightThrough}");
        }
    }

    [Fact]
    public void ClipGradientIsZeroOutsideAndOneStrictlyInsideTheBounds()
    {
        // 1x1 convolution with weight 1: z = x, so the gradient is the activation's derivative itself.
        using var scope = TensorScope.Begin();
        float[] values = [-2f, -0.5f, -0.25f, 0f, 0.5f, 0.75f, 3f];
        var x = Tensor.FromArray(Backend, values, 1, 1, 1, values.Length).RequireGrad();
        var w = Tensor.FromArray(Backend, [1f], 1, 1, 1, 1);
        var y = x.Conv2dActivation(w, null, new Conv2dOptions(), ConvEpilogue.Clip(-0.5f, 0.75f));
        var g = Grad.Of(y, [x], Tensor.FromArray(Backend, Enumerable.Repeat(1f, values.Length).ToArray(), y.Shape.ToArray()))[0].ToArray();
        Assert.Equal([-0.5f, -0.5f, -0.25f, 0f, 0.5f, 0.75f, 0.75f], y.ToArray());
        // Documented difference from ClipOp: on a bound (z = -0.5, z = 0.75) the fused gradient is 0.
        Assert.Equal([0f, 0f, 1f, 1f, 1f, 0f, 0f], g);
    }

    [Theory]
    [InlineData(ConvActivation.Clip, 1f, 0f)]
    [InlineData(ConvActivation.LeakyRelu, 0f, 0f)]
    [InlineData(ConvActivation.LeakyRelu, -0.1f, 0f)]
    [InlineData(ConvActivation.HardSigmoid, 0f, 0.5f)]
    [InlineData((ConvActivation)99, 0f, 0f)]
    public void RejectsEpiloguesWhoseGradientTheOutputCannotGive(ConvActivation activation, float alpha, float beta)
    {
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(Backend, Rand.Uniform(1, 8), 1, 2, 2, 2);
        var w = Tensor.FromArray(Backend, Rand.Uniform(2, 6), 3, 2, 1, 1);
        var ex = Assert.Throws<ArgumentException>(() => x.Conv2dActivation(w, null, new Conv2dOptions(), new ConvEpilogue(activation, alpha, beta)));
        Assert.Equal("epilogue", ex.ParamName);
        Assert.Contains("Conv2dActivation", ex.Message);
        Assert.Contains("[1, 2, 2, 2]", ex.Message);
    }
}
