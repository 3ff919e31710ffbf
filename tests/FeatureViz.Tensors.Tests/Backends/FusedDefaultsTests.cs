using FeatureViz.Tensors.Backends;
using FeatureViz.Tensors.Tests.Linalg;
using FeatureViz.Tensors.Tests.Nn;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Backends;

/// <summary>
/// Every fused <see cref="IBackend"/> method: the backend's override (here the CPU kernels) against the default
/// composition of <see cref="FusedDefaults"/> run on the same backend's core, on random inputs; and the composition
/// against an independent float64 reference (or, for adjoints, the adjoint identity with the forward op). A new
/// backend that overrides a fused method checks it the same way.
/// </summary>
public abstract class FusedDefaultsTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{

    private static TensorStorage Up(float[] data) => Backend.Upload(data);

    private static float[] Down(TensorStorage s)
    {
        var a = new float[s.Length];
        Backend.Download(s, a);
        return a;
    }

    private static double[] D(float[] x) => x.Select(v => (double)v).ToArray();

    private static double Dot(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    /// <summary>Asserts that the override and the composition agree and returns the composition's values.</summary>
    private static float[] Agree(TensorStorage overridden, TensorStorage composed, string what, double rtol = 1e-5, double atol = 1e-6)
    {
        using var o = overridden;
        using var c = composed;
        var composedValues = Down(c);
        Approx.Equal(Down(o), composedValues, rtol, atol, $"{what}: override vs composition");
        return composedValues;
    }

    [Theory]
    [InlineData(new[] { 3, 1 }, new[] { 2, 3, 4 })]
    [InlineData(new[] { 1 }, new[] { 2, 5 })]
    [InlineData(new[] { 2, 1, 3 }, new[] { 2, 4, 3 })]
    public void BroadcastTo(int[] shape, int[] outShape)
    {
        var x = Rand.Uniform(1, shape.Aggregate(1, (a, b) => a * b));
        using var xs = Up(x);
        var y = Agree(Backend.BroadcastTo(xs, shape, outShape), FusedDefaults.BroadcastTo(Backend, xs, shape, outShape), "BroadcastTo");
        var expected = new double[y.Length];
        int shift = outShape.Length - shape.Length;
        for (int i = 0; i < expected.Length; i++)
        {
            var idx = Movement.Nd.Unravel(i, outShape);
            var src = Enumerable.Range(0, shape.Length).Select(d => shape[d] == 1 ? 0 : idx[d + shift]).ToArray();
            expected[i] = x[Movement.Nd.Ravel(src, shape)];
        }
        Approx.Equal(expected, y, 0, 0, "BroadcastTo vs reference");
    }

    [Fact]
    public void ConcatAndSplit()
    {
        int outer = 3;
        int[] inner = [2, 0, 5, 1];
        var parts = inner.Select((w, k) => Rand.Uniform(10 + k, outer * w)).ToArray();
        var stores = parts.Select(Up).ToArray();
        try
        {
            var y = Agree(Backend.Concat(stores, outer, inner), FusedDefaults.Concat(Backend, stores, outer, inner), "Concat");
            int total = inner.Sum();
            var expected = new double[outer * total];
            for (int o = 0, col = 0; o < outer; o++, col = 0)
                for (int k = 0; k < parts.Length; col += inner[k], k++)
                    for (int j = 0; j < inner[k]; j++)
                        expected[o * total + col + j] = parts[k][o * inner[k] + j];
            Approx.Equal(expected, y, 0, 0, "Concat vs reference");

            using var joined = Up(y);
            var overridden = Backend.Split(joined, outer, inner);
            var composed = FusedDefaults.Split(Backend, joined, outer, inner);
            for (int k = 0; k < parts.Length; k++)
                Approx.Equal(D(parts[k]), Agree(overridden[k], composed[k], $"Split part {k}"), 0, 0, $"Split part {k} vs reference");
        }
        finally
        {
            foreach (var s in stores) s.Dispose();
        }
    }

    [Theory]
    [InlineData(PadMode.Reflect)]
    [InlineData(PadMode.Edge)]
    [InlineData(PadMode.Wrap)]
    public void PadBackward(PadMode mode)
    {
        // Axis 0 untouched, axis 1 padded beyond its length (reflections bounce), axis 2 cropped on one side, padded on the other.
        int[] shape = [2, 3, 6];
        int[] pads = [0, 4, -2, 0, 5, 3];
        var g = Geometry(shape, pads, mode);
        var x = Rand.Uniform(3, g.InNumel);
        var dy = Rand.Uniform(4, g.OutNumel);
        using var dys = Up(dy);
        var dx = Agree(Backend.PadBackward(dys, g), FusedDefaults.PadBackward(Backend, dys, g), $"PadBackward {mode}");
        using var xs = Up(x);
        using var padded = Backend.Pad(xs, g);
        Assert.Equal(Dot(Down(padded), dy), Dot(x, dx), 4);
    }

    private static PadGeometry Geometry(int[] shape, int[] pads, PadMode mode)
    {
        int r = shape.Length;
        var begin = new int[r];
        var lo = new int[r];
        var len = new int[r];
        var outDims = new int[r];
        for (int a = 0; a < r; a++)
        {
            int b = pads[a], e = pads[r + a];
            begin[a] = Math.Max(0, b);
            lo[a] = Math.Max(0, -b);
            len[a] = shape[a] - Math.Max(0, -b) - Math.Max(0, -e);
            outDims[a] = len[a] + Math.Max(0, b) + Math.Max(0, e);
        }
        return new PadGeometry(shape, outDims, begin, lo, len, mode, 0f);
    }

    [Fact]
    public void GatherAndGatherBackward()
    {
        // Device index tables: negative indices count from the end; out-of-range and non-integer ones select nothing.
        int outer = 3, axisDim = 5, inner = 4;
        float[] indices = [4, 0, 2, 2, -1, 1, 4, 5, -6, 1.5f, -5];
        int Row(float v)
        {
            double f = v < 0 ? v + axisDim : v;
            return f >= 0 && f < axisDim && f == Math.Floor(f) ? (int)f : -1;
        }
        var x = Rand.Uniform(5, outer * axisDim * inner);
        using var xs = Up(x);
        using var table = Up(indices);
        var y = Agree(Backend.Gather(xs, outer, axisDim, inner, table), FusedDefaults.Gather(Backend, xs, outer, axisDim, inner, table), "Gather");
        var expected = new double[outer * indices.Length * inner];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < indices.Length; j++)
                for (int i = 0; i < inner; i++)
                    expected[(o * indices.Length + j) * inner + i] = Row(indices[j]) < 0 ? 0 : x[(o * axisDim + Row(indices[j])) * inner + i];
        Approx.Equal(expected, y, 0, 0, "Gather vs reference");

        var dy = Rand.Uniform(6, expected.Length);
        using var dys = Up(dy);
        var dx = Agree(Backend.GatherBackward(dys, outer, axisDim, inner, table),
            FusedDefaults.GatherBackward(Backend, dys, outer, axisDim, inner, table), "GatherBackward");
        var dxExpected = new double[x.Length];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < indices.Length; j++)
                for (int i = 0; i < inner; i++)
                    if (Row(indices[j]) >= 0) dxExpected[(o * axisDim + Row(indices[j])) * inner + i] += dy[(o * indices.Length + j) * inner + i];
        Approx.Equal(dxExpected, dx, 1e-6, 1e-6, "GatherBackward vs reference");
    }

    [Theory]
    [InlineData(1, 1, 0, 1, false)]
    [InlineData(2, 2, 1, 1, true)]
    [InlineData(2, 1, 0, 2, true)]
    public void ConvTranspose2d(int stride, int groups, int pad, int dilation, bool withBias)
    {
        int n = 2, cin = 4, h = 4, w = 5, coutPerGroup = 3, kh = 3, kw = 2;
        var o = new ConvTranspose2dOptions(StrideH: stride, StrideW: stride, PadTop: pad, PadLeft: pad, PadBottom: pad, PadRight: pad,
            DilationH: dilation, DilationW: dilation, Groups: groups);
        int[] xShape = [n, cin, h, w], wShape = [cin, coutPerGroup, kh, kw];
        var x = Rand.Uniform(7, xShape.Aggregate(1, (a, b) => a * b));
        var wt = Rand.Uniform(8, wShape.Aggregate(1, (a, b) => a * b));
        float[]? bias = withBias ? Rand.Uniform(9, coutPerGroup * groups) : null;
        var expected = Reference.ConvTranspose2d(x, xShape, wt, wShape, bias, o, out var ys);
        // The convolution that this op transposes maps [n, cout, oh, ow] to [n, cin, h, w] with the same weights.
        var g = new Conv2dGeometry(N: n, C: ys[1], H: ys[2], W: ys[3], O: cin, KH: kh, KW: kw, OH: h, OW: w,
            StrideH: stride, StrideW: stride, PadTop: pad, PadLeft: pad, DilationH: dilation, DilationW: dilation, Groups: groups);
        using var xs = Up(x);
        using var ws = Up(wt);
        using var bs = bias is null ? null : Up(bias);
        var y = Agree(Backend.ConvTranspose2d(xs, ws, bs, g), FusedDefaults.ConvTranspose2d(Backend, xs, ws, bs, g), "ConvTranspose2d", 1e-5, 1e-5);
        Approx.Equal(expected, y, 1e-5, 1e-5, "ConvTranspose2d vs reference");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ChannelAffine(bool withShift)
    {
        int outer = 2, channels = 3, inner = 5;
        var x = Rand.Uniform(10, outer * channels * inner);
        var scale = Rand.Uniform(11, channels);
        var shift = Rand.Uniform(12, channels);
        using var xs = Up(x);
        using var ss = Up(scale);
        using var hs = withShift ? Up(shift) : null;
        var y = Agree(Backend.ChannelAffine(xs, outer, channels, inner, ss, hs),
            FusedDefaults.ChannelAffine(Backend, xs, outer, channels, inner, ss, hs), "ChannelAffine");
        var expected = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int c = i / inner % channels;
            expected[i] = (double)x[i] * scale[c] + (withShift ? shift[c] : 0);
        }
        Approx.Equal(expected, y, 1e-6, 1e-6, "ChannelAffine vs reference");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MomentUpdate(bool firstStep)
    {
        int n = 37;
        var rule = new MomentUpdateRule(Beta1: 0.9f, Beta2: 0.999f, MomentScale: 0.05f, GradientScale: 0.01f, VarianceScale: 1.3f, Epsilon: 1e-7f);
        var p = Rand.Uniform(13, n);
        var g = Rand.Uniform(14, n);
        var m = Rand.Uniform(15, n);
        var v = Rand.Positive(16, n, 0.01f, 1f);
        using var ps = Up(p);
        using var gs = Up(g);
        using var ms = firstStep ? null : Up(m);
        using var vs = firstStep ? null : Up(v);
        var (po, mo, vo) = Backend.MomentUpdate(ps, gs, ms, vs, rule);
        var (pc, mc, vc) = FusedDefaults.MomentUpdate(Backend, ps, gs, ms, vs, rule);
        var p1 = Agree(po, pc, "MomentUpdate parameter");
        var m1 = Agree(mo, mc, "MomentUpdate m");
        var v1 = Agree(vo, vc, "MomentUpdate v");
        var (pe, me, ve) = (new double[n], new double[n], new double[n]);
        for (int i = 0; i < n; i++)
        {
            double m0 = firstStep ? 0 : m[i], v0 = firstStep ? 0 : v[i];
            me[i] = rule.Beta1 * m0 + (1 - (double)rule.Beta1) * g[i];
            ve[i] = rule.Beta2 * v0 + (1 - (double)rule.Beta2) * g[i] * g[i];
            pe[i] = p[i] - (rule.MomentScale * me[i] + rule.GradientScale * g[i]) / (rule.VarianceScale * Math.Sqrt(ve[i]) + rule.Epsilon);
        }
        Approx.Equal(me, m1, 1e-5, 1e-6, "MomentUpdate m vs formula");
        Approx.Equal(ve, v1, 1e-5, 1e-7, "MomentUpdate v vs formula");
        Approx.Equal(pe, p1, 1e-5, 1e-5, "MomentUpdate parameter vs formula");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void LrnAndLrnBackward(int size)
    {
        int[] shape = [2, 6, 3, 5];
        int inner = 15, before = (size - 1) / 2;
        float alpha = 0.3f, beta = 0.75f, bias = 1.5f;
        var g = new LrnGeometry(N: 2, C: 6, Inner: inner, Before: before, After: size - 1 - before, AlphaOverSize: alpha / size, Beta: beta, Bias: bias);
        var x = Rand.Uniform(17, 2 * 6 * inner, -3, 3);
        var dy = Rand.Uniform(18, x.Length);
        using var xs = Up(x);
        using var dys = Up(dy);
        var y = Agree(Backend.Lrn(xs, g), FusedDefaults.Lrn(Backend, xs, g), $"Lrn size {size}");
        Approx.Equal(NormTests<TBackend>.LrnReference(x, shape, size, alpha, beta, bias), y, 1e-5, 1e-6, $"Lrn size {size} vs formula");
        Agree(Backend.LrnBackward(xs, dys, g), FusedDefaults.LrnBackward(Backend, xs, dys, g), $"LrnBackward size {size}", 1e-4, 1e-5);
    }

    public static TheoryData<ResizeOptions, int, int> ResizeCases() => new()
    {
        { new ResizeOptions(ResizeMode.Linear, CoordinateTransform.HalfPixel), 7, 3 },
        { new ResizeOptions(ResizeMode.Linear, CoordinateTransform.AlignCorners), 2, 9 },
        { new ResizeOptions(ResizeMode.Nearest, CoordinateTransform.Asymmetric, NearestRounding.Floor), 8, 10 },
        { new ResizeOptions(ResizeMode.Nearest, CoordinateTransform.HalfPixel, NearestRounding.RoundPreferCeil), 3, 4 },
    };

    [Theory]
    [MemberData(nameof(ResizeCases))]
    public void ResizeAndResizeBackward(ResizeOptions options, int outH, int outW)
    {
        int[] shape = [2, 3, 4, 5];
        var g = new ResizeGeometry(Planes: 6, InH: 4, InW: 5, OutH: outH, OutW: outW, Options: options);
        var x = Rand.Uniform(19, 6 * 4 * 5);
        var dy = Rand.Uniform(20, 6 * outH * outW);
        using var xs = Up(x);
        using var dys = Up(dy);
        var y = Agree(Backend.Resize(xs, g), FusedDefaults.Resize(Backend, xs, g), $"Resize {options}");
        Approx.Equal(ResizeTests<TBackend>.Reference(x, shape, outH, outW, options), y, 1e-5, 1e-6, $"Resize {options} vs reference");
        var dx = Agree(Backend.ResizeBackward(dys, g), FusedDefaults.ResizeBackward(Backend, dys, g), $"ResizeBackward {options}");
        Assert.Equal(Dot(y, dy), Dot(x, dx), 4);
    }


    [Fact]
    public void TablesAreUploadedOncePerGeometry()
    {
        var g = new ResizeGeometry(Planes: 1, InH: 3, InW: 3, OutH: 5, OutW: 4, Options: new ResizeOptions(ResizeMode.Linear));
        int builds = 0;
        var first = FusedDefaults.Table(Backend, (nameof(TablesAreUploadedOncePerGeometry), g), () => { builds++; return new float[15]; });
        var again = FusedDefaults.Table(Backend, (nameof(TablesAreUploadedOncePerGeometry), g with { }), () => { builds++; return new float[15]; });
        Assert.Same(first, again);
        Assert.Equal(1, builds);
    }
}
