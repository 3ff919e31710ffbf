using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Movement;

public abstract class TransposeSliceTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    public static TheoryData<int[], int[]?> TransposeCases() => new()
    {
        { [2, 3, 4], [2, 0, 1] },
        { [5, 7], [1, 0] },
        { [2, 3, 4, 5], null },
        { [3, 1, 5], [-1, 0, 1] },
        { [40, 37], [1, 0] },          // tiled path
        { [3, 33, 20], [0, 2, 1] },    // tiled path with an outer dimension
        { [2, 9, 10, 3], [0, 3, 1, 2] }, // NHWC -> NCHW
        { [4], [0] },
    };

    [Theory]
    [MemberData(nameof(TransposeCases))]
    public void TransposeMatchesNaiveLoop(int[] shape, int[]? perm)
    {
        var data = Rand.Uniform(3, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        var y = x.Transpose(perm);
        int r = shape.Length;
        var p = perm is null ? Enumerable.Range(0, r).Reverse().ToArray() : perm.Select(a => a < 0 ? a + r : a).ToArray();
        var os = p.Select(a => shape[a]).ToArray();
        Assert.Equal(os, y.Shape.ToArray());
        var expected = new double[data.Length];
        for (int f = 0; f < data.Length; f++)
        {
            var oi = Nd.Unravel(f, os);
            var ii = new int[r];
            for (int k = 0; k < r; k++) ii[p[k]] = oi[k];
            expected[f] = data[Nd.Ravel(ii, shape)];
        }
        Approx.Equal(expected, y.ToArray(), 0, 0, "Transpose");
    }

    [Theory]
    [MemberData(nameof(TransposeCases))]
    [ChecksGradientOf("Transpose")]
    public void TransposeVjp(int[] shape, int[]? perm) =>
        GradCheck.Vjp(Backend, t => t[0].Transpose(perm), [Rand.Of(5, shape)]);

    [Theory]
    [InlineData(new[] { 0, 0, 1 })]
    [InlineData(new[] { 0, 1 })]
    [InlineData(new[] { 0, 1, 3 })]
    public void TransposeRejectsNonPermutations(int[] perm)
    {
        using var x = Tensor.Zeros(Backend, 2, 3, 4);
        var e = Assert.Throws<ArgumentException>(() => x.Transpose(perm));
        Assert.Contains("Transpose", e.Message);
        Assert.Contains("[2, 3, 4]", e.Message);
        Assert.Equal("perm", e.ParamName);
    }

    public static TheoryData<int[], long[], long[], int[]?, long[]?> SliceCases() => new()
    {
        { [10], [2], [7], null, null },
        { [10], [1], [9], null, [3] },
        { [10], [-1], [long.MinValue], null, [-1] },        // reverse everything
        { [10], [8], [1], null, [-3] },
        { [10], [-100], [100], null, null },                // clamped
        { [10], [5], [long.MaxValue], null, null },         // "to the end"
        { [10], [20], [-20], null, [-1] },                  // clamped from both sides, negative step
        { [10], [3], [3], null, null },                     // empty
        { [10], [7], [2], null, null },                     // empty (start after end)
        { [4, 5, 6], [1, -4], [3, 1000], [0, 2], null },
        { [4, 5, 6], [0, 4, 5], [4, 0, -7], [0, 1, 2], [2, -2, -1] },
        { [4, 5, 6], [-2], [0], [-2], [-1] },
        { [3, 7, 2], [1, 0], [2, 7], [-3, -2], [1, 20] },   // step past the end takes one element
    };

    /// <summary>Indices taken along one axis, walking the ONNX rule literally.</summary>
    private static List<int> Taken(int d, long start, long end, long step)
    {
        long s = start < 0 ? start + d : start, e = end < 0 ? end + d : end;
        var list = new List<int>();
        if (step > 0)
        {
            s = Math.Max(0, Math.Min(s, d));
            e = Math.Max(0, Math.Min(e, d));
            for (long i = s; i < e; i += step) list.Add((int)i);
        }
        else
        {
            s = Math.Max(0, Math.Min(s, d - 1));
            e = Math.Max(-1, Math.Min(e, d - 1));
            for (long i = s; i > e; i += step) list.Add((int)i);
        }
        return list;
    }

    [Theory]
    [MemberData(nameof(SliceCases))]
    public void SliceMatchesNaiveLoop(int[] shape, long[] starts, long[] ends, int[]? axes, long[]? steps)
    {
        var data = Rand.Uniform(4, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        var y = x.Slice(starts, ends, axes, steps);
        int r = shape.Length;
        var taken = Enumerable.Range(0, r).Select(a => Enumerable.Range(0, shape[a]).ToList()).ToArray();
        for (int k = 0; k < starts.Length; k++)
        {
            int a = axes is null ? k : (axes[k] + r) % r;
            taken[a] = Taken(shape[a], starts[k], ends[k], steps?[k] ?? 1);
        }
        var os = taken.Select(l => l.Count).ToArray();
        Assert.Equal(os, y.Shape.ToArray());
        var expected = new double[Nd.Numel(os)];
        for (int f = 0; f < expected.Length; f++)
        {
            var oi = Nd.Unravel(f, os);
            expected[f] = data[Nd.Ravel(oi.Select((v, a) => taken[a][v]).ToArray(), shape)];
        }
        Approx.Equal(expected, y.ToArray(), 0, 0, "Slice");
    }

    [Theory]
    [MemberData(nameof(SliceCases))]
    [ChecksGradientOf("Slice")]
    public void SliceVjp(int[] shape, long[] starts, long[] ends, int[]? axes, long[]? steps) =>
        GradCheck.Vjp(Backend, t => t[0].Slice(starts, ends, axes, steps), [Rand.Of(6, shape)]);

    [Fact]
    public void SliceReversesByHand()
    {
        using var x = Tensor.FromArray(Backend, [1f, 2, 3, 4, 5], 5);
        Assert.Equal([5f, 4, 3, 2, 1], x.Slice([-1], [long.MinValue], null, [-1]).ToArray());
        Assert.Equal([5f, 3, 1], x.Slice([long.MaxValue], [long.MinValue], [0], [-2]).ToArray());
    }

    [Fact]
    public void SliceGradientScattersIntoZeros()
    {
        using var x = Tensor.FromArray(Backend, [1f, 2, 3, 4, 5, 6], 6).RequireGrad();
        x.Slice([4], [0], null, [-2]).Sum().Backward();
        Assert.Equal([0f, 0, 1, 0, 1, 0], x.Grad!.ToArray());
    }

    [Fact]
    public void SliceRejectsBadArguments()
    {
        using var x = Tensor.Zeros(Backend, 2, 3);
        var e = Assert.Throws<ArgumentException>(() => x.Slice([0], [1], [2]));
        Assert.Contains("Slice", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.Slice([0], [1], null, [0]));
        Assert.Equal("steps", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => x.Slice([0, 0], [1, 1], [1, -1]));
        Assert.Contains("twice", e.Message);
        e = Assert.Throws<ArgumentException>(() => x.Slice([0, 0], [1]));
        Assert.Equal("ends", e.ParamName);
    }
}
