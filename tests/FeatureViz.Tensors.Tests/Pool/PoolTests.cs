using FeatureViz.Tensors;
using FeatureViz.Tensors.Tests.Movement;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Pool;

public abstract class PoolTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    public static TheoryData<int[], Pool2dOptions> Cases() => new()
    {
        { [1, 1, 4, 4], new Pool2dOptions(2, 2, 2, 2) },
        { [2, 3, 7, 6], new Pool2dOptions(3, 3) },
        { [1, 2, 7, 9], new Pool2dOptions(3, 2, 2, 3, PadTop: 1, PadLeft: 0, PadBottom: 2, PadRight: 1) },
        { [1, 2, 5, 5], new Pool2dOptions(3, 3, 2, 2, 1, 1, 1, 1, CountIncludePad: true) },
        { [1, 1, 8, 7], new Pool2dOptions(3, 3, 2, 2, CeilMode: true) },
        { [1, 2, 6, 6], new Pool2dOptions(3, 3, 2, 2, 1, 1, 1, 1, CeilMode: true, CountIncludePad: true) },
        { [1, 2, 9, 8], new Pool2dOptions(2, 3, 1, 2, 1, 1, 0, 1, DilationH: 2, DilationW: 3) },
        { [2, 1, 10, 11], new Pool2dOptions(3, 2, 3, 2, 2, 1, 1, 0, 2, 2, CeilMode: true, CountIncludePad: true) },
        { [1, 1, 3, 40], new Pool2dOptions(1, 20, 1, 7, 0, 3, 0, 2, CeilMode: true) }, // long rows (vector path)
        { [1, 2, 2, 2], new Pool2dOptions(3, 3, 3, 3, 1, 1, 1, 1, CeilMode: true, CountIncludePad: true) },
    };

    /// <summary>ONNX output length: floor/ceil of the window count; in ceil mode the last window must start inside the input or left padding.</summary>
    private static int OutLength(int size, int k, int s, int p0, int p1, int d, bool ceil)
    {
        double windows = (size + p0 + p1 - (d * (k - 1) + 1)) / (double)s;
        int n = (int)(ceil ? Math.Ceiling(windows) : Math.Floor(windows)) + 1;
        if (ceil && (n - 1) * s >= size + p0) n--;
        return n;
    }

    private static double[] Reference(float[] x, int[] shape, Pool2dOptions o, bool max, out int[] outShape)
    {
        int n = shape[0], c = shape[1], h = shape[2], w = shape[3];
        int oh = OutLength(h, o.KernelH, o.StrideH, o.PadTop, o.PadBottom, o.DilationH, o.CeilMode);
        int ow = OutLength(w, o.KernelW, o.StrideW, o.PadLeft, o.PadRight, o.DilationW, o.CeilMode);
        outShape = [n, c, oh, ow];
        var y = new double[n * c * oh * ow];
        int f = 0;
        for (int b = 0; b < n * c; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double m = double.NegativeInfinity, s = 0;
                    int inside = 0, padded = 0;
                    for (int ki = 0; ki < o.KernelH; ki++)
                        for (int kj = 0; kj < o.KernelW; kj++)
                        {
                            int r = i * o.StrideH - o.PadTop + ki * o.DilationH;
                            int q = j * o.StrideW - o.PadLeft + kj * o.DilationW;
                            if (r < h + o.PadBottom && q < w + o.PadRight) padded++;
                            if (r < 0 || r >= h || q < 0 || q >= w) continue;
                            double v = x[(b * h + r) * w + q];
                            m = Math.Max(m, v);
                            s += v;
                            inside++;
                        }
                    y[f++] = max ? m : s / (o.CountIncludePad ? padded : inside);
                }
        return y;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MaxPoolMatchesNaiveLoop(int[] shape, Pool2dOptions o)
    {
        var data = Rand.Uniform(3, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        var y = x.MaxPool2d(o);
        var expected = Reference(data, shape, o, true, out var os);
        Assert.Equal(os, y.Shape.ToArray());
        Approx.Equal(expected, y.ToArray(), 0, 0, "MaxPool2d");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AvgPoolMatchesNaiveLoop(int[] shape, Pool2dOptions o)
    {
        var data = Rand.Uniform(4, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        var y = x.AvgPool2d(o);
        var expected = Reference(data, shape, o, false, out var os);
        Assert.Equal(os, y.Shape.ToArray());
        Approx.Equal(expected, y.ToArray(), 1e-5, 1e-6, "AvgPool2d");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    [ChecksGradientOf("MaxPool2d")]
    public void MaxPoolVjp(int[] shape, Pool2dOptions o) =>
        GradCheck.Vjp(Backend, t => t[0].MaxPool2d(o), [(Nd.Distinct(5, Nd.Numel(shape)), shape)]);

    [Theory]
    [MemberData(nameof(Cases))]
    [ChecksGradientOf("AvgPool2d")]
    public void AvgPoolVjp(int[] shape, Pool2dOptions o) =>
        GradCheck.Vjp(Backend, t => t[0].AvgPool2d(o), [Rand.Of(6, shape)]);

    [Fact]
    public void CeilModeOutputSizesByHand()
    {
        // ONNX test_maxpool_2d_ceil: 4x4, kernel 3, stride 2 -> 2x2 (floor would give 1x1).
        using var a = Tensor.Zeros(Backend, 1, 1, 4, 4);
        Assert.Equal([1, 1, 2, 2], a.MaxPool2d(new Pool2dOptions(3, 3, 2, 2, CeilMode: true)).Shape.ToArray());
        Assert.Equal([1, 1, 1, 1], a.MaxPool2d(new Pool2dOptions(3, 3, 2, 2)).Shape.ToArray());
        // test_maxpool_2d_ceil_output_size_reduce_by_one: 2x2, kernel 1, stride 2 -> 1x1.
        using var b = Tensor.Zeros(Backend, 1, 1, 2, 2);
        Assert.Equal([1, 1, 1, 1], b.MaxPool2d(new Pool2dOptions(1, 1, 2, 2, CeilMode: true)).Shape.ToArray());
        // test_averagepool_2d_ceil_last_window_starts_on_pad: 2x2, kernel 3, stride 3, pads 1 -> 1x1.
        Assert.Equal([1, 1, 1, 1], b.AvgPool2d(new Pool2dOptions(3, 3, 3, 3, 1, 1, 1, 1, CeilMode: true, CountIncludePad: true)).Shape.ToArray());
    }

    [Fact]
    public void PaddingNeverWinsMaxPool()
    {
        using var x = Tensor.Full(Backend, -5f, 1, 1, 2, 2);
        Assert.All(x.MaxPool2d(new Pool2dOptions(2, 2, 1, 1, 1, 1, 1, 1)).ToArray(), v => Assert.Equal(-5f, v));
    }

    [Theory]
    [InlineData(1, 12, 3, 3, 2)]   // a 3x3, stride-2 window over rows long enough for the vector path
    [InlineData(1, 16, 1, 16, 1)]  // one window as wide as the row
    public void MaxPoolPropagatesNaNAndGivesItTheGradient(int h, int w, int kh, int kw, int stride)
    {
        var data = Rand.Uniform(21, 2 * h * w * 3);
        data[5] = float.NaN;                 // plane 0, row 0
        data[h * w + w + 3] = float.NaN;     // plane 1, row 1
        data[h * w + w + 4] = float.NaN;     // and its right neighbour: the first in window order gets the gradient
        using var x = Tensor.FromArray(Backend, data, 1, 2, h * 3, w).RequireGrad();
        var o = new Pool2dOptions(kh, kw, stride, stride);
        var y = x.MaxPool2d(o);
        var yv = y.ToArray();
        var dy = Rand.Uniform(22, yv.Length);
        y.Mul(Tensor.FromArray(Backend, dy, y.Shape.ToArray())).Sum().Backward();
        var g = x.Grad!.ToArray();
        // Reference: a naive window loop in which NaN is the maximum and the first NaN (row-major) takes the gradient.
        int oh = y.Shape[2], ow = y.Shape[3], H = h * 3;
        var eg = new double[data.Length];
        for (int p = 0; p < 2; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int arg = -1;
                    float m = float.NegativeInfinity;
                    for (int a = 0; a < kh; a++)
                        for (int b = 0; b < kw; b++)
                        {
                            int idx = p * H * w + (i * stride + a) * w + j * stride + b;
                            float v = data[idx];
                            if (float.IsNaN(m)) continue;
                            if (float.IsNaN(v) || v > m) { m = v; arg = idx; }
                        }
                    int o2 = (p * oh + i) * ow + j;
                    Assert.True(float.IsNaN(m) ? float.IsNaN(yv[o2]) : yv[o2] == m, $"output {o2}: {yv[o2]}, expected {m}");
                    eg[arg] += dy[o2];
                }
        Approx.Equal(eg, g, 1e-6, 1e-7, "MaxPool2d gradient with NaN");
        Assert.Contains(yv, float.IsNaN);
    }

    [Fact]
    public void MaxPoolGradientGoesToTheFirstMaximumOnTies()
    {
        using var x = Tensor.FromArray(Backend, [1f, 3, 3, 2], 1, 1, 2, 2).RequireGrad();
        x.MaxPool2d(new Pool2dOptions(2, 2)).Sum().Backward();
        Assert.Equal([0f, 1, 0, 0], x.Grad!.ToArray());
    }

    [Fact]
    public void AvgPoolGradientUsesTheForwardDivisor()
    {
        // 1x3 input, kernel 1x2, pad left 1: windows [pad, x0], [x1, x2] with divisors 1 and 2 (padding excluded).
        using var x = Tensor.FromArray(Backend, [2f, 4, 6], 1, 1, 1, 3).RequireGrad();
        var y = x.AvgPool2d(new Pool2dOptions(1, 2, 1, 2, 0, 1, 0, 0));
        Assert.Equal([2f, 5], y.ToArray());
        y.Sum().Backward();
        Assert.Equal([1f, 0.5f, 0.5f], x.Grad!.ToArray());
    }

    [Theory]
    [InlineData(new[] { 2, 3, 5, 7 })]
    [InlineData(new[] { 1, 2, 1, 1 })]
    [InlineData(new[] { 1, 1, 9, 40 })]
    [ChecksGradientOf("GlobalAveragePool", "GlobalMaxPool")]
    public void GlobalPools(int[] shape)
    {
        int n = shape[0] * shape[1], plane = shape[2] * shape[3];
        var data = Nd.Distinct(8, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        var avg = x.GlobalAveragePool();
        var max = x.GlobalMaxPool();
        Assert.Equal([shape[0], shape[1], 1, 1], avg.Shape.ToArray());
        Assert.Equal([shape[0], shape[1], 1, 1], max.Shape.ToArray());
        var ea = new double[n];
        var em = new double[n];
        for (int p = 0; p < n; p++)
        {
            double s = 0, m = double.NegativeInfinity;
            for (int i = 0; i < plane; i++) { s += data[p * plane + i]; m = Math.Max(m, data[p * plane + i]); }
            ea[p] = s / plane;
            em[p] = m;
        }
        Approx.Equal(ea, avg.ToArray(), 1e-5, 1e-6, "GlobalAveragePool");
        Approx.Equal(em, max.ToArray(), 0, 0, "GlobalMaxPool");
        GradCheck.Vjp(Backend, t => t[0].GlobalAveragePool(), [(data, shape)]);
        GradCheck.Vjp(Backend, t => t[0].GlobalMaxPool(), [(data, shape)]);
    }

    [Fact]
    public void PoolingRejectsBadInput()
    {
        using var x = Tensor.Zeros(Backend, 1, 1, 3, 3);
        var e = Assert.Throws<ArgumentException>(() => x.MaxPool2d(new Pool2dOptions(4, 4)));
        Assert.Contains("MaxPool2d", e.Message);
        Assert.Contains("[1, 1, 3, 3]", e.Message);
        Assert.Contains("larger", e.Message);
        Assert.NotNull(x.AvgPool2d(new Pool2dOptions(4, 4, PadBottom: 1, PadRight: 1)));
        e = Assert.Throws<ArgumentException>(() => x.AvgPool2d(new Pool2dOptions(2, 2, DilationH: 3)));
        Assert.Contains("AvgPool2d", e.Message);
        Assert.Throws<ArgumentException>(() => x.AvgPool2d(new Pool2dOptions(2, 2, 0, 1)));
        Assert.Throws<ArgumentException>(() => x.AvgPool2d(new Pool2dOptions(2, 2, PadTop: -1)));
        using var v = Tensor.Zeros(Backend, 3, 3);
        e = Assert.Throws<ArgumentException>(() => v.GlobalAveragePool());
        Assert.Contains("GlobalAveragePool", e.Message);
        Assert.Contains("[3, 3]", e.Message);
    }
}
