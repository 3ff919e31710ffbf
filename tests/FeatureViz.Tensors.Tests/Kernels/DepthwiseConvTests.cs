using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;
using FeatureViz.Tensors.Tests.Linalg;
using FeatureViz.TestSupport;
using Xunit;

namespace FeatureViz.Tensors.Tests.Kernels;

/// <summary>
/// The CPU depthwise kernel (padded, stride-phase-split planes) against float64 loops: forward (with bias and a fused
/// activation), the input gradient element by element, and finite differences. The rows are wide enough for full
/// vectors and tails; strides 1 to 4 (2 takes the permute split), padding on either side, dilation, a channel
/// multiplier and batches.
/// </summary>
public class DepthwiseConvTests
{
    public static TheoryData<int[], int[], Conv2dOptions, int> Cases() => new()
    {
        // x shape, w shape, options, threads
        { [1, 6, 17, 33], [6, 1, 3, 3], new Conv2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 6), 1 },
        { [2, 5, 23, 40], [5, 1, 3, 3], new Conv2dOptions(StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 5), 2 },
        { [1, 4, 19, 50], [8, 1, 3, 3], new Conv2dOptions(StrideH: 2, StrideW: 2, PadTop: 0, PadLeft: 0, PadBottom: 1, PadRight: 1, Groups: 4), 2 },
        { [1, 3, 30, 70], [3, 1, 5, 5], new Conv2dOptions(StrideH: 3, StrideW: 3, PadTop: 2, PadLeft: 2, PadBottom: 2, PadRight: 2, DilationH: 2, DilationW: 2, Groups: 3), 1 },
        { [1, 2, 9, 7], [2, 1, 3, 3], new Conv2dOptions(StrideH: 4, StrideW: 4, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 2), 1 },
        { [1, 3, 112, 112], [3, 1, 3, 3], new Conv2dOptions(StrideH: 2, StrideW: 2, PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1, Groups: 3), 2 },
        { [1, 2, 14, 14], [2, 1, 5, 5], new Conv2dOptions(StrideH: 1, StrideW: 2, PadTop: 2, PadLeft: 3, PadBottom: 0, PadRight: 2, Groups: 2), 1 },
        { [1, 2, 6, 20], [2, 1, 3, 3], new Conv2dOptions(PadTop: 0, PadLeft: 0, Groups: 2), 1 },
        // A padded copy of 10^10 floats (the ONNX fuzz mutant that crashed the process): the plain kernel instead.
        { [1, 2, 5, 5], [2, 1, 3, 3], new Conv2dOptions(PadTop: 100000, PadLeft: 100000, PadBottom: 100000, PadRight: 100000, DilationH: 100000, DilationW: 100000, Groups: 2), 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardWithBiasAndActivationMatchesFloat64(int[] xs, int[] ws, Conv2dOptions o, int threads)
    {
        using var backend = new CpuBackend(threads);
        var (x, _) = Rand.Of(1, xs);
        var (w, _) = Rand.Of(2, ws);
        var b = Rand.Uniform(3, ws[0]);
        using var tx = Tensor.FromArray(backend, x, xs);
        using var tw = Tensor.FromArray(backend, w, ws);
        using var tb = Tensor.FromArray(backend, b, ws[0]);
        var expected = Reference.Conv2d(x, xs, w, ws, b, o, out var ys);
        using var y = tx.Conv2d(tw, tb, o);
        Assert.Equal(ys, y.Shape.ToArray());
        Approx.Equal(expected, y.ToArray(), 1e-5, 1e-5, "depthwise Conv2d");
        // Relu6 (Clip(0, 6)) and a hard sigmoid in the epilogue.
        using var clipped = tx.Conv2dActivation(tw, tb, o, ConvEpilogue.Clip(0f, 6f));
        Approx.Equal(expected.Select(v => Math.Clamp(v, 0, 6)).ToArray(), clipped.ToArray(), 1e-5, 1e-5, "depthwise Conv2d + Relu6");
        using var hard = tx.Conv2dActivation(tw, tb, o, ConvEpilogue.HardSigmoid(0.2f, 0.5f));
        Approx.Equal(expected.Select(v => Math.Clamp(0.2 * v + 0.5, 0, 1)).ToArray(), hard.ToArray(), 1e-5, 1e-5, "depthwise Conv2d + HardSigmoid");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void InputGradientMatchesFloat64Adjoint(int[] xs, int[] ws, Conv2dOptions o, int threads)
    {
        using var backend = new CpuBackend(threads);
        using var scope = TensorScope.Begin();
        var x = Tensor.FromArray(backend, Rand.Uniform(4, xs.Aggregate(1, (p, d) => p * d)), xs).RequireGrad();
        var (w, _) = Rand.Of(5, ws);
        var y = x.Conv2d(Tensor.FromArray(backend, w, ws), null, o);
        int[] ys = y.Shape.ToArray();
        var dyv = Rand.Uniform(6, y.Numel);
        var expected = Adjoint(dyv, ys, w, ws, xs, o);
        // Twice: the per-thread scratch is reused and must start clean.
        for (int call = 0; call < 2; call++)
            Approx.Equal(expected, Grad.Of(y, [x], Tensor.FromArray(backend, dyv, ys))[0].ToArray(), 1e-5, 1e-5, $"depthwise input gradient, call {call}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientsMatchFiniteDifferences(int[] xs, int[] ws, Conv2dOptions o, int threads)
    {
        using var backend = new CpuBackend(threads);
        GradCheck.Vjp(backend, t => t[0].Conv2d(t[1], t[2], o), [Rand.Of(7, xs), Rand.Of(8, ws), Rand.Of(9, ws[0])]);
    }

    /// <summary>dx[n, c, ih, iw] = sum over the outputs o of channel c and their taps reading (ih, iw) of w * dy, in float64.</summary>
    private static double[] Adjoint(float[] dy, int[] ys, float[] w, int[] ws, int[] xs, Conv2dOptions o)
    {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], oc = ws[0], kh = ws[2], kw = ws[3], oh = ys[2], ow = ys[3];
        int og = oc / c;
        var dx = new double[n * c * h * wd];
        for (int b = 0; b < n; b++)
        for (int q = 0; q < oc; q++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            double g = dy[((b * oc + q) * oh + i) * ow + j];
            for (int u = 0; u < kh; u++)
            for (int v = 0; v < kw; v++)
            {
                int ih = i * o.StrideH - o.PadTop + u * o.DilationH, iw = j * o.StrideW - o.PadLeft + v * o.DilationW;
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                dx[((b * c + q / og) * h + ih) * wd + iw] += g * w[(q * kh + u) * kw + v];
            }
        }
        return dx;
    }
}
