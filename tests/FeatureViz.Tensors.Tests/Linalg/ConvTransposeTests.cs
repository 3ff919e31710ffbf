using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Linalg;

public abstract class ConvTransposeTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    public static TheoryData<int[], int[], bool, ConvTranspose2dOptions> Cases() => new()
    {
        { [2, 4, 5, 6], [4, 3, 3, 3], true, new ConvTranspose2dOptions(StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, OutputPaddingH: 1, OutputPaddingW: 1) },
        { [1, 4, 5, 5], [4, 2, 3, 2], false, new ConvTranspose2dOptions(StrideH: 2, StrideW: 1, PadTop: 0, PadLeft: 1, PadBottom: 2, PadRight: 0, DilationH: 1, DilationW: 2, OutputPaddingH: 1, Groups: 2) },
        { [1, 3, 4, 4], [3, 1, 3, 3], true, new ConvTranspose2dOptions(StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, OutputPaddingH: 1, OutputPaddingW: 1, Groups: 3) },
        { [2, 5, 4, 3], [5, 6, 1, 1], true, new ConvTranspose2dOptions() },
        { [1, 2, 3, 3], [2, 3, 3, 3], false, new ConvTranspose2dOptions() },
        { [1, 3, 4, 5], [3, 2, 2, 3], true, new ConvTranspose2dOptions(StrideH: 1, StrideW: 3, DilationH: 2, DilationW: 1, OutputPaddingW: 2) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesScatterDefinition(int[] xs, int[] ws, bool withBias, ConvTranspose2dOptions o)
    {
        var (x, _) = Rand.Of(1, xs);
        var (w, _) = Rand.Of(2, ws);
        var b = withBias ? Rand.Uniform(3, ws[1] * o.Groups) : null;
        using var tx = Tensor.FromArray(Backend, x, xs);
        using var tw = Tensor.FromArray(Backend, w, ws);
        using var tb = b is null ? null : Tensor.FromArray(Backend, b, b.Length);
        using var y = tx.ConvTranspose2d(tw, tb, o);
        var expected = Reference.ConvTranspose2d(x, xs, w, ws, b, o, out var ys);
        Assert.Equal(ys, y.Shape.ToArray());
        Approx.Equal(expected, y.ToArray(), 1e-5, 1e-5, "ConvTranspose2d");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    [ChecksGradientOf("ConvTranspose2d")]
    public void GradientsMatchFiniteDifferences(int[] xs, int[] ws, bool withBias, ConvTranspose2dOptions o)
    {
        var inputs = new List<(float[], int[])> { Rand.Of(4, xs), Rand.Of(5, ws) };
        if (withBias) inputs.Add(Rand.Of(6, ws[1] * o.Groups));
        GradCheck.Vjp(Backend, t => t[0].ConvTranspose2d(t[1], t.Length > 2 ? t[2] : null, o), inputs.ToArray());
    }

    [Fact]
    public void FrozenWeightsNeverRunTheWeightGradientKernel()
    {
        // A fresh counter around the backend under test: the weight-gradient method must not be called.
        using var backend = new CountingBackend(Backend);
        using var x = Tensor.FromArray(backend, Rand.Uniform(7, 2 * 3 * 4 * 4), 2, 3, 4, 4).RequireGrad();
        using var w = Tensor.FromArray(backend, Rand.Uniform(8, 3 * 2 * 3 * 3), 3, 2, 3, 3);
        x.ConvTranspose2d(w, null, new ConvTranspose2dOptions(StrideH: 2, StrideW: 2)).Sum().Backward();
        Assert.NotNull(x.Grad);
        Assert.Equal(0, backend.Calls(nameof(IBackend.Conv2dBackwardWeight)));
    }

    [Fact]
    public void BadInputsAreRejectedWithOpShapesAndArgument()
    {
        var cpu = Backend;
        using var x = Tensor.Zeros(cpu, 1, 4, 5, 5);
        using var w = Tensor.Zeros(cpu, 3, 2, 3, 3);
        var e = Assert.Throws<ArgumentException>(() => x.ConvTranspose2d(w, null, new ConvTranspose2dOptions()));
        Assert.Contains("ConvTranspose2d", e.Message); Assert.Contains("[1, 4, 5, 5]", e.Message); Assert.Contains("[3, 2, 3, 3]", e.Message);
        Assert.Equal("weight", e.ParamName);
        using var w4 = Tensor.Zeros(cpu, 4, 2, 3, 3);
        e = Assert.Throws<ArgumentException>(() => x.ConvTranspose2d(w4, null, new ConvTranspose2dOptions(Groups: 3)));
        Assert.Equal("options", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => x.ConvTranspose2d(w4, null, new ConvTranspose2dOptions(StrideH: 2, OutputPaddingH: 2)));
        Assert.Contains("output padding", e.Message);
        using var bias = Tensor.Zeros(cpu, 4);
        e = Assert.Throws<ArgumentException>(() => x.ConvTranspose2d(w4, bias, new ConvTranspose2dOptions()));
        Assert.Equal("bias", e.ParamName);
    }
}
