using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Nn;

public abstract class ResizeTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private static Tensor T(float[] d, params int[] s) => Tensor.FromArray(Backend, d, s);

    // Written after the ONNX reference implementation (onnx/reference/ops/op_resize.py): the two neighbours
    // closest to x_original (edge-padded) weighted by per-mode coefficients, interpolating along x then y.
    // lenResized is in * scale when the scale is given (not rounded), as in the ONNX reference.
    private static double OriginalCoordinate(int i, int inLen, int outLen, double lenResized, double scale, CoordinateTransform t) => t switch
    {
        CoordinateTransform.HalfPixel => (i + 0.5) / scale - 0.5,
        CoordinateTransform.PytorchHalfPixel => lenResized > 1 ? (i + 0.5) / scale - 0.5 : 0,
        CoordinateTransform.AlignCorners => lenResized <= 1 ? 0 : i * (inLen - 1.0) / (lenResized - 1.0),
        CoordinateTransform.Asymmetric => i / scale,
        CoordinateTransform.HalfPixelSymmetric => inLen / 2.0 * (1 - outLen / (inLen * scale)) + (i + 0.5) / scale - 0.5,
        _ => throw new ArgumentException(t.ToString()),
    };

    private static (int[] Idx, double[] Coef) Neighbours(double xo, int len, ResizeOptions o)
    {
        int f = (int)Math.Floor(xo);
        bool integer = xo == Math.Floor(xo);
        double ratio = integer ? 1 : xo - f;
        int[] idx = integer ? [f - 1, f] : [f, f + 1];
        for (int k = 0; k < 2; k++) idx[k] = Math.Clamp(idx[k], 0, len - 1);
        double[] coef;
        if (o.Mode == ResizeMode.Linear) coef = [1 - ratio, ratio];
        else if (integer) coef = [0, 1];
        else
        {
            bool second = o.Rounding switch
            {
                NearestRounding.RoundPreferFloor => ratio > 0.5,
                NearestRounding.RoundPreferCeil => ratio >= 0.5,
                NearestRounding.Floor => false,
                _ => true,
            };
            coef = second ? [0, 1] : [1, 0];
        }
        return (idx, coef);
    }

    internal static double[] Reference(float[] x, int[] shape, int outH, int outW, ResizeOptions o)
    {
        int inH = shape[^2], inW = shape[^1], planes = x.Length / (inH * inW);
        double sh = o.ScaleH ?? (double)outH / inH, sw = o.ScaleW ?? (double)outW / inW;
        var e = new double[planes * outH * outW];
        for (int p = 0; p < planes; p++)
            for (int oy = 0; oy < outH; oy++)
                for (int ox = 0; ox < outW; ox++)
                {
                    var (yi, yc) = Neighbours(OriginalCoordinate(oy, inH, outH, o.ScaleH is null ? outH : inH * sh, sh, o.Transform), inH, o);
                    var (xi, xc) = Neighbours(OriginalCoordinate(ox, inW, outW, o.ScaleW is null ? outW : inW * sw, sw, o.Transform), inW, o);
                    double v = 0;
                    for (int a = 0; a < 2; a++)
                    {
                        double row = 0;
                        for (int b = 0; b < 2; b++) row += xc[b] * x[(p * inH + yi[a]) * inW + xi[b]];
                        v += yc[a] * row;
                    }
                    e[(p * outH + oy) * outW + ox] = v;
                }
        return e;
    }

    public static IEnumerable<ResizeOptions> AllModes()
    {
        foreach (var t in Enum.GetValues<CoordinateTransform>())
        {
            yield return new ResizeOptions(ResizeMode.Linear, t);
            foreach (var r in Enum.GetValues<NearestRounding>()) yield return new ResizeOptions(ResizeMode.Nearest, t, r);
        }
    }

    public static TheoryData<ResizeOptions> Modes()
    {
        var d = new TheoryData<ResizeOptions>();
        foreach (var o in AllModes()) d.Add(o);
        return d;
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void MatchesOnnxReferenceForEveryMode(ResizeOptions o)
    {
        int[] shape = [2, 3, 5, 7];
        var x = Rand.Uniform(3, 2 * 3 * 5 * 7, -2, 2);
        foreach (var (h, w) in new[] { (11, 4), (5, 7), (2, 13), (1, 1), (3, 3), (10, 14) })
        {
            var y = T(x, shape).Resize(h, w, o);
            Assert.Equal([2, 3, h, w], y.Shape.ToArray());
            Approx.Equal(Reference(x, shape, h, w, o), y.ToArray(), 1e-5, 1e-6, $"{o} to {h}x{w}");
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void GivenScalesOverrideOutOverIn(ResizeOptions o)
    {
        // ONNX test_resize_downsample_scales_*: scale 0.6 on [2, 4] gives [1, 2] but x_original uses 0.6, not 1/2.
        int[] shape = [1, 1, 2, 4];
        var x = Enumerable.Range(1, 8).Select(i => (float)i).ToArray();
        var os = o with { ScaleH = 0.6f, ScaleW = 0.6f };
        Approx.Equal(Reference(x, shape, 1, 2, os), T(x, shape).Resize(1, 2, os).ToArray(), 1e-6, 1e-6, os.ToString());
    }

    [Fact]
    public void HandCheckedSmallCases()
    {
        float[] x = [1, 2, 3, 4];
        // Bilinear half_pixel 2x: x_original = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
        float[] linear =
        [
            1, 1.25f, 1.75f, 2,
            1.5f, 1.75f, 2.25f, 2.5f,
            2.5f, 2.75f, 3.25f, 3.5f,
            3, 3.25f, 3.75f, 4,
        ];
        Approx.Equal(linear, T(x, 1, 1, 2, 2).Resize(4, 4, new(ResizeMode.Linear)).ToArray(), 0, 1e-6, "linear half_pixel");
        float[] nearest = [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4];
        Approx.Equal(nearest, T(x, 1, 1, 2, 2).Resize(4, 4, ResizeOptions.Upsample(ResizeMode.Nearest)).ToArray(), 0, 0, "upsample nearest");
        float[] corners = [1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4];
        Approx.Equal(corners, T(x, 1, 1, 2, 2).Resize(3, 3, new(ResizeMode.Linear, CoordinateTransform.AlignCorners)).ToArray(), 0, 1e-6, "align_corners");
        // Asymmetric linear 2x (ONNX Upsample linear): x_original = 0, 0.5, 1, 1.5 (clamped to 1).
        float[] asym = [1, 1.5f, 2, 2, 2, 2.5f, 3, 3, 3, 3.5f, 4, 4, 3, 3.5f, 4, 4];
        Approx.Equal(asym, T(x, 2, 2).Resize(4, 4, ResizeOptions.Upsample(ResizeMode.Linear)).ToArray(), 0, 1e-6, "upsample linear rank 2");
        // Downsample 4 -> 2 nearest half_pixel: x_original = 0.5, 2.5; round_prefer_floor -> 0, 2; prefer_ceil -> 1, 3.
        float[] row = [10, 11, 12, 13];
        Assert.Equal([10f, 12f], T(row, 1, 4).Resize(1, 2, new(ResizeMode.Nearest, CoordinateTransform.HalfPixel, NearestRounding.RoundPreferFloor)).ToArray());
        Assert.Equal([11f, 13f], T(row, 1, 4).Resize(1, 2, new(ResizeMode.Nearest, CoordinateTransform.HalfPixel, NearestRounding.RoundPreferCeil)).ToArray());
    }

    public static TheoryData<ResizeOptions, int, int> GradientCases()
    {
        var d = new TheoryData<ResizeOptions, int, int>();
        foreach (var o in AllModes())
        {
            d.Add(o, 7, 4);
            d.Add(o, 2, 5);
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(GradientCases))]
    [ChecksGradientOf("Resize")]
    public void Gradient(ResizeOptions o, int h, int w) =>
        GradCheck.Vjp(Backend, x => x.Resize(h, w, o), Rand.Uniform(5, 2 * 3 * 5, -1, 1), [2, 3, 5]);

    [Fact]
    public void RejectsBadInput()
    {
        using var x1 = T(new float[3], 3);
        var ex = Assert.Throws<ArgumentException>(() => x1.Resize(2, 2, default));
        Assert.Contains("Resize", ex.Message);
        Assert.Contains("[3]", ex.Message);
        using var x = T(new float[12], 1, 3, 4);
        ex = Assert.Throws<ArgumentException>(() => x.Resize(0, 2, default));
        Assert.Equal("outH", ex.ParamName);
        Assert.Contains("[1, 3, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => x.Resize(2, -1, default));
        Assert.Equal("outW", ex.ParamName);
        Assert.Throws<ArgumentException>(() => x.Resize(2, 2, new ResizeOptions(ScaleH: 0f)));
    }
}
