using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Linalg;

public abstract class ConvTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    public static TheoryData<int[], int[], bool, Conv2dOptions> Cases() => new()
    {
        { [2, 3, 7, 9], [4, 3, 3, 3], true, new Conv2dOptions() },
        { [2, 3, 7, 9], [4, 3, 3, 3], false, new Conv2dOptions(StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 0, PadBottom: 2, PadRight: 1) },
        { [1, 4, 9, 8], [6, 2, 3, 2], true, new Conv2dOptions(StrideH: 1, StrideW: 2, PadTop: 2, PadLeft: 1, PadBottom: 1, PadRight: 2, DilationH: 2, DilationW: 2, Groups: 2) },
        { [2, 5, 8, 7], [5, 1, 3, 3], true, new Conv2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 5) },
        { [1, 3, 9, 9], [6, 1, 3, 3], false, new Conv2dOptions(StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, Groups: 3) },
        { [2, 8, 5, 6], [6, 8, 1, 1], true, new Conv2dOptions() },
        { [1, 4, 7, 7], [3, 4, 1, 1], false, new Conv2dOptions(StrideH: 2, StrideW: 2) },
        { [1, 3, 10, 11], [4, 3, 3, 3], true, new Conv2dOptions(PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, DilationH: 2, DilationW: 2) },
        { [1, 16, 20, 20], [32, 16, 3, 3], true, new Conv2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1) },
        // Wide layers (stride-1 input gradient through the cached flipped weights, with groups and dilation).
        { [1, 3, 6, 5], [130, 3, 3, 3], false, new Conv2dOptions(PadTop: 1, PadLeft: 0, PadBottom: 2, PadRight: 1) },
        { [1, 4, 6, 5], [262, 2, 3, 3], true, new Conv2dOptions(PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, DilationH: 2, DilationW: 2, Groups: 2) },
        // ... and the strided input gradient the GEMM + col2im route.
        { [1, 3, 7, 6], [130, 3, 3, 3], false, new Conv2dOptions(StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesDirectLoops(int[] xs, int[] ws, bool withBias, Conv2dOptions o)
    {
        var (x, _) = Rand.Of(1, xs);
        var (w, _) = Rand.Of(2, ws);
        var b = withBias ? Rand.Uniform(3, ws[0]) : null;
        using var tx = Tensor.FromArray(Backend, x, xs);
        using var tw = Tensor.FromArray(Backend, w, ws);
        using var tb = b is null ? null : Tensor.FromArray(Backend, b, ws[0]);
        using var y = tx.Conv2d(tw, tb, o);
        var expected = Reference.Conv2d(x, xs, w, ws, b, o, out var ys);
        Assert.Equal(ys, y.Shape.ToArray());
        Approx.Equal(expected, y.ToArray(), 1e-5, 1e-5, "Conv2d");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    [ChecksGradientOf("Conv2d")]
    public void GradientsMatchFiniteDifferences(int[] xs, int[] ws, bool withBias, Conv2dOptions o)
    {
        var inputs = new List<(float[], int[])> { Rand.Of(4, xs), Rand.Of(5, ws) };
        if (withBias) inputs.Add(Rand.Of(6, ws[0]));
        GradCheck.Vjp(Backend, t => t[0].Conv2d(t[1], t.Length > 2 ? t[2] : null, o), inputs.ToArray());
    }

    [Fact]
    public void WideLayerInputGradientIsATransposedConvolutionOnEveryCall()
    {
        // The input gradient of a convolution is the transposed convolution of dy with the same weights; the second
        // call reuses the cached re-laid-out weights, a third uses the same weights in another geometry.
        int[] xs = [1, 4, 6, 5], ws = [262, 2, 3, 3];
        var o = new Conv2dOptions(PadTop: 2, PadLeft: 1, PadBottom: 2, PadRight: 1, DilationH: 2, DilationW: 1, Groups: 2);
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(Backend, Rand.Uniform(11, 4 * 6 * 5), xs).RequireGrad();
        var (wv, _) = Rand.Of(12, ws);
        var w = Tensor.FromArray(Backend, wv, ws);
        var y = x.Conv2d(w, null, o);
        var dyv = Rand.Uniform(13, y.Numel);
        var dy = Tensor.FromArray(Backend, dyv, y.Shape.ToArray());
        var expected = Reference.ConvTranspose2d(dyv, y.Shape.ToArray(), wv, ws, null,
            new ConvTranspose2dOptions(PadTop: 2, PadLeft: 1, PadBottom: 2, PadRight: 1, DilationH: 2, DilationW: 1, Groups: 2), out var gs);
        Assert.Equal(xs, gs);
        for (int call = 0; call < 2; call++)
            Approx.Equal(expected, FeatureViz.Tensors.Autograd.Grad.Of(x.Conv2d(w, null, o), [x], dy)[0].ToArray(), 1e-5, 1e-5, $"call {call}");
        var x1 = Tensor.FromArray(Backend, Rand.Uniform(14, 4 * 5 * 5), 1, 4, 5, 5).RequireGrad();
        var o1 = new Conv2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 2);
        var y1 = x1.Conv2d(w, null, o1);
        var dy1v = Rand.Uniform(15, y1.Numel);
        var expected1 = Reference.ConvTranspose2d(dy1v, y1.Shape.ToArray(), wv, ws, null,
            new ConvTranspose2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 2), out _);
        Approx.Equal(expected1, FeatureViz.Tensors.Autograd.Grad.Of(y1, [x1], Tensor.FromArray(Backend, dy1v, y1.Shape.ToArray()))[0].ToArray(), 1e-5, 1e-5, "other geometry");
    }

    [Fact]
    public void FrozenWeightsNeverRunTheWeightGradientKernel()
    {
        // A fresh counter around the backend under test: the weight-gradient method must not be called.
        using var backend = new CountingBackend(Backend);
        using var x = Tensor.FromArray(backend, Rand.Uniform(7, 2 * 3 * 6 * 6), 2, 3, 6, 6).RequireGrad();
        using var w = Tensor.FromArray(backend, Rand.Uniform(8, 4 * 3 * 3 * 3), 4, 3, 3, 3);
        using var b = Tensor.FromArray(backend, Rand.Uniform(9, 4), 4);
        var opts = new Conv2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1);
        x.Conv2d(w, b, opts).Sum().Backward();
        Assert.NotNull(x.Grad);
        Assert.Equal(0, backend.Calls(nameof(IBackend.Conv2dBackwardWeight)));
        w.RequireGrad();
        x.Conv2d(w, b, opts).Sum().Backward();
        Assert.Equal(1, backend.Calls(nameof(IBackend.Conv2dBackwardWeight)));
        Assert.NotNull(w.Grad);
    }

    [Fact]
    public void BadInputsAreRejectedWithOpShapesAndArgument()
    {
        var cpu = Backend;
        using var x = Tensor.Zeros(cpu, 1, 4, 5, 5);
        ArgumentException Throws(Func<Tensor> f) => Assert.Throws<ArgumentException>(f);

        using var wBadC = Tensor.Zeros(cpu, 2, 3, 3, 3);
        var e = Throws(() => x.Conv2d(wBadC, null, new Conv2dOptions()));
        Assert.Contains("Conv2d", e.Message); Assert.Contains("[1, 4, 5, 5]", e.Message); Assert.Contains("[2, 3, 3, 3]", e.Message);
        Assert.Equal("weight", e.ParamName);

        using var w3 = Tensor.Zeros(cpu, 3, 1, 3, 3);
        e = Throws(() => x.Conv2d(w3, null, new Conv2dOptions(Groups: 3)));
        Assert.Contains("groups=3", e.Message); Assert.Equal("options", e.ParamName);

        using var wBig = Tensor.Zeros(cpu, 2, 4, 6, 3);
        e = Throws(() => x.Conv2d(wBig, null, new Conv2dOptions()));
        Assert.Contains("larger than the padded input", e.Message); Assert.Equal("weight", e.ParamName);
        using var ok = x.Conv2d(wBig, null, new Conv2dOptions(PadTop: 1));
        Assert.Equal(new[] { 1, 2, 1, 3 }, ok.Shape.ToArray());

        using var x3 = Tensor.Zeros(cpu, 4, 5, 5);
        using var w = Tensor.Zeros(cpu, 2, 4, 3, 3);
        e = Throws(() => x3.Conv2d(w, null, new Conv2dOptions()));
        Assert.Contains("4-D", e.Message); Assert.Equal("input", e.ParamName);

        using var bias = Tensor.Zeros(cpu, 3);
        e = Throws(() => x.Conv2d(w, bias, new Conv2dOptions()));
        Assert.Equal("bias", e.ParamName);

        e = Throws(() => x.Conv2d(w, null, new Conv2dOptions(StrideH: 0)));
        Assert.Equal("options", e.ParamName);
    }
}
