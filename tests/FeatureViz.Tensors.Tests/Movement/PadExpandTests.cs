using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Movement;

public abstract class PadExpandTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    public static TheoryData<int[], int[], PadMode> PadCases()
    {
        var d = new TheoryData<int[], int[], PadMode>();
        foreach (var mode in new[] { PadMode.Constant, PadMode.Reflect, PadMode.Edge, PadMode.Wrap })
        {
            d.Add([5], [2, 3], mode);
            d.Add([5], [7, 9], mode);                      // reflect beyond the dimension mirrors periodically
            d.Add([3, 4], [1, 0, 2, 3], mode);             // asymmetric
            d.Add([2, 3, 5, 6], [0, 0, 2, 1, 0, 0, 1, 3], mode); // NCHW spatial padding
            d.Add([4, 6], [-1, 2, 1, -3], mode);           // crop one side, pad the other
            d.Add([3, 5], [0, -2, 0, -1], mode);           // crop only
            d.Add([2, 1, 3], [1, 2, 0, 0, 1, 1], mode);    // size-1 axis
        }
        return d;
    }

    /// <summary>Reference: crop the negative sides, then pad, walking reflections one bounce at a time.</summary>
    private static double[] ReferencePad(float[] data, int[] shape, int[] pads, PadMode mode, float value, out int[] outShape)
    {
        int r = shape.Length;
        var os = new int[r];
        for (int a = 0; a < r; a++) os[a] = shape[a] + pads[a] + pads[r + a];
        outShape = os;
        var y = new double[Nd.Numel(os)];
        for (int f = 0; f < y.Length; f++)
        {
            var oi = Nd.Unravel(f, os);
            var ii = new int[r];
            bool constant = false;
            for (int a = 0; a < r; a++)
            {
                int lo = Math.Max(0, -pads[a]);
                int n = shape[a] - lo - Math.Max(0, -pads[r + a]);
                int i = oi[a] - Math.Max(0, pads[a]);
                if (i < 0 || i >= n)
                {
                    if (mode == PadMode.Constant) { constant = true; break; }
                    if (mode == PadMode.Edge) i = i < 0 ? 0 : n - 1;
                    else if (mode == PadMode.Wrap)
                        while (i < 0 || i >= n) i += i < 0 ? n : -n;
                    else if (n == 1) i = 0;
                    else
                        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
                }
                ii[a] = lo + i;
            }
            y[f] = constant ? value : data[Nd.Ravel(ii, shape)];
        }
        return y;
    }

    [Theory]
    [MemberData(nameof(PadCases))]
    public void PadMatchesNaiveLoop(int[] shape, int[] pads, PadMode mode)
    {
        var data = Rand.Uniform(5, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        var y = x.Pad(pads, mode, 0.75f);
        var expected = ReferencePad(data, shape, pads, mode, 0.75f, out var os);
        Assert.Equal(os, y.Shape.ToArray());
        Approx.Equal(expected, y.ToArray(), 0, 0, $"Pad {mode}");
    }

    [Theory]
    [MemberData(nameof(PadCases))]
    [ChecksGradientOf("Pad")]
    public void PadVjp(int[] shape, int[] pads, PadMode mode) =>
        GradCheck.Vjp(Backend, t => t[0].Pad(pads, mode, 2f), [Rand.Of(7, shape)]);

    [Fact]
    public void PadByHand()
    {
        using var x = Tensor.FromArray(Backend, [1f, 2, 3], 3);
        Assert.Equal([3f, 2, 1, 2, 3, 2, 1], x.Pad([2, 2], PadMode.Reflect).ToArray());
        Assert.Equal([1f, 1, 2, 3, 3, 3], x.Pad([1, 2], PadMode.Edge).ToArray());
        Assert.Equal([9f, 1, 2, 3, 9], x.Pad([1, 1], PadMode.Constant, 9f).ToArray());
        Assert.Equal([2f, 3, 0], x.Pad([-1, 1]).ToArray());
        Assert.Equal([2f, 3, 1, 2, 3, 1, 2, 3, 1], x.Pad([2, 4], PadMode.Wrap).ToArray());
    }

    [Fact]
    public void ReflectPadGradientAccumulatesMirroredElements()
    {
        using var x = Tensor.FromArray(Backend, [1f, 2, 3], 3).RequireGrad();
        x.Pad([2, 2], PadMode.Reflect).Sum().Backward();
        // [3,2,1,2,3,2,1]: element 1 appears twice, 2 three times, 3 twice.
        Assert.Equal([2f, 3, 2], x.Grad!.ToArray());
    }

    [Fact]
    public void PadRejectsBadArguments()
    {
        using var x = Tensor.Zeros(Backend, 2, 3);
        var e = Assert.Throws<ArgumentException>(() => x.Pad([1, 1]));
        Assert.Contains("Pad", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Equal("pads", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => x.Pad([0, -2, 0, -2]));
        Assert.Contains("crop", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.Pad([0, -3, 0, 1], PadMode.Reflect));
        Assert.Contains("Reflect", e.Message);
    }

    public static TheoryData<int[], int[]> ExpandCases() => new()
    {
        { [3, 1], [3, 4] },
        { [3, 1], [2, 1, 6] },      // bidirectional: 3 stays, rank grows
        { [1, 4, 1], [5, 1, 1, 3] },
        { [2, 3], [1, 1] },         // dims of 1 keep the input
        { [], [2, 3] },
        { [4], [3, 1] },
    };

    [Theory]
    [MemberData(nameof(ExpandCases))]
    public void ExpandMatchesNaiveLoop(int[] shape, int[] dims)
    {
        var data = Rand.Uniform(3, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        var y = x.Expand(dims);
        int r = Math.Max(shape.Length, dims.Length);
        var xs = Enumerable.Repeat(1, r - shape.Length).Concat(shape).ToArray();
        var ds = Enumerable.Repeat(1, r - dims.Length).Concat(dims).ToArray();
        var os = xs.Zip(ds, Math.Max).ToArray();
        Assert.Equal(os, y.Shape.ToArray());
        var expected = new double[Nd.Numel(os)];
        for (int f = 0; f < expected.Length; f++)
        {
            var oi = Nd.Unravel(f, os);
            expected[f] = data[Nd.Ravel(oi.Select((v, a) => xs[a] == 1 ? 0 : v).ToArray(), xs)];
        }
        Approx.Equal(expected, y.ToArray(), 0, 0, "Expand");
    }

    [Theory]
    [MemberData(nameof(ExpandCases))]
    [ChecksGradientOf("Expand")]
    public void ExpandVjp(int[] shape, int[] dims) =>
        GradCheck.Vjp(Backend, t => t[0].Expand(dims), [Rand.Of(4, shape)]);

    [Fact]
    public void ExpandRejectsIncompatibleShape()
    {
        using var x = Tensor.Zeros(Backend, 2, 3);
        var e = Assert.Throws<ArgumentException>(() => x.Expand(2, 4));
        Assert.Contains("Expand", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[2, 4]", e.Message);
        Assert.Equal("dims", e.ParamName);
        Assert.Throws<ArgumentException>(() => x.Expand(-1, 3));
    }

    public static TheoryData<int[], int[]> TileCases() => new()
    {
        { [3], [4] },
        { [2, 3], [2, 1] },
        { [2, 1, 3], [1, 5, 2] },
        { [3, 2], [3, 3] },
        { [2, 2], [0, 1] },
    };

    [Theory]
    [MemberData(nameof(TileCases))]
    public void TileMatchesNaiveLoop(int[] shape, int[] repeats)
    {
        var data = Rand.Uniform(3, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        var y = x.Tile(repeats);
        var os = shape.Zip(repeats, (d, k) => d * k).ToArray();
        Assert.Equal(os, y.Shape.ToArray());
        var expected = new double[Nd.Numel(os)];
        for (int f = 0; f < expected.Length; f++)
            expected[f] = data[Nd.Ravel(Nd.Unravel(f, os).Select((v, a) => v % shape[a]).ToArray(), shape)];
        Approx.Equal(expected, y.ToArray(), 0, 0, "Tile");
    }

    [Theory]
    [MemberData(nameof(TileCases))]
    [ChecksGradientOf("Tile")]
    public void TileVjp(int[] shape, int[] repeats) =>
        GradCheck.Vjp(Backend, t => t[0].Tile(repeats), [Rand.Of(4, shape)]);

    [Fact]
    public void TileRejectsBadRepeats()
    {
        using var x = Tensor.Zeros(Backend, 2, 3);
        var e = Assert.Throws<ArgumentException>(() => x.Tile(2));
        Assert.Contains("Tile", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Equal("repeats", e.ParamName);
        Assert.Throws<ArgumentException>(() => x.Tile(1, -1));
    }
}
