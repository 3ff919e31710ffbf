using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Movement;

public abstract class JoinGatherTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    public static TheoryData<int[][], int> ConcatCases() => new()
    {
        { [[2, 3], [2, 5]], 1 },
        { [[2, 3], [4, 3], [1, 3]], 0 },
        { [[2, 3, 4], [2, 1, 4], [2, 0, 4], [2, 2, 4]], -2 },
        { [[3, 2, 5], [3, 2, 3]], -1 },
        { [[7]], 0 },
    };

    [Theory]
    [MemberData(nameof(ConcatCases))]
    public void ConcatMatchesNaiveLoop(int[][] shapes, int axis)
    {
        var data = shapes.Select((s, k) => Rand.Uniform(10 + k, Nd.Numel(s))).ToArray();
        var ts = shapes.Select((s, k) => Tensor.FromArray(Backend, data[k], s)).ToArray();
        var y = Tensor.Concat(ts, axis);
        int r = shapes[0].Length, a = axis < 0 ? axis + r : axis;
        var os = (int[])shapes[0].Clone();
        os[a] = shapes.Sum(s => s[a]);
        Assert.Equal(os, y.Shape.ToArray());
        var expected = new double[Nd.Numel(os)];
        for (int f = 0; f < expected.Length; f++)
        {
            var idx = Nd.Unravel(f, os);
            int k = 0;
            while (idx[a] >= shapes[k][a]) { idx[a] -= shapes[k][a]; k++; }
            expected[f] = data[k][Nd.Ravel(idx, shapes[k])];
        }
        Approx.Equal(expected, y.ToArray(), 0, 0, "Concat");
    }

    [Theory]
    [MemberData(nameof(ConcatCases))]
    [ChecksGradientOf("Concat")]
    public void ConcatVjp(int[][] shapes, int axis) =>
        GradCheck.Vjp(Backend, t => Tensor.Concat(t, axis), shapes.Select((s, k) => Rand.Of(20 + k, s)).ToArray());

    [Fact]
    public void ConcatGradientSkipsConstants() =>
        GradCheck.Vjp(Backend, t => Tensor.Concat(t, 1), [Rand.Of(1, 2, 3), Rand.Of(2, 2, 2), Rand.Of(3, 2, 1)], constant: [1]);

    [Fact]
    public void ConcatRejectsMismatchedShapes()
    {
        using var a = Tensor.Zeros(Backend, 2, 3);
        using var b = Tensor.Zeros(Backend, 3, 3);
        var e = Assert.Throws<ArgumentException>(() => Tensor.Concat([a, b], 1));
        Assert.Contains("Concat", e.Message);
        Assert.Contains("[2, 3], [3, 3]", e.Message);
        Assert.Equal("tensors", e.ParamName);
    }

    public static TheoryData<int[], int, int[]> SplitCases() => new()
    {
        { [7, 3], 0, [2, 5] },
        { [2, 9, 4], 1, [3, 0, 1, 5] },
        { [2, 3, 5], -1, [1, 1, 3] },
        { [5], 0, [5] },
    };

    [Theory]
    [MemberData(nameof(SplitCases))]
    public void SplitMatchesNaiveLoop(int[] shape, int axis, int[] sizes)
    {
        var data = Rand.Uniform(2, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        var parts = x.Split(axis, sizes);
        int a = axis < 0 ? axis + shape.Length : axis;
        Assert.Equal(sizes.Length, parts.Length);
        int before = 0;
        for (int k = 0; k < sizes.Length; k++)
        {
            var ps = (int[])shape.Clone();
            ps[a] = sizes[k];
            Assert.Equal(ps, parts[k].Shape.ToArray());
            var expected = new double[Nd.Numel(ps)];
            for (int f = 0; f < expected.Length; f++)
            {
                var idx = Nd.Unravel(f, ps);
                idx[a] += before;
                expected[f] = data[Nd.Ravel(idx, shape)];
            }
            Approx.Equal(expected, parts[k].ToArray(), 0, 0, $"Split part {k}");
            before += sizes[k];
        }
    }

    [Theory]
    [MemberData(nameof(SplitCases))]
    [ChecksGradientOf("Split")]
    public void SplitVjpOfAWeightedSumOfAllPieces(int[] shape, int axis, int[] sizes) =>
        GradCheck.Vjp(Backend, t =>
        {
            var parts = t[0].Split(axis, sizes);
            var total = parts[0].Sum().Mul(1f);
            for (int k = 1; k < parts.Length; k++) total = total.Add(parts[k].Mul(parts[k]).Sum().Mul(k + 1f));
            return total;
        }, [Rand.Of(8, shape)]);

    [Fact]
    public void SplitIntoEqualPartsMakesTheLastSmaller()
    {
        using var x = Tensor.FromArray(Backend, Enumerable.Range(0, 7).Select(i => (float)i).ToArray(), 7);
        var parts = x.Split(0, 3);
        Assert.Equal([3, 3, 1], parts.Select(p => p.Shape[0]).ToArray());
        Assert.Equal([6f], parts[2].ToArray());
    }

    [Fact]
    public void SplitRejectsBadSizes()
    {
        using var x = Tensor.Zeros(Backend, 2, 5);
        var e = Assert.Throws<ArgumentException>(() => x.Split(1, [2, 2]));
        Assert.Contains("Split", e.Message);
        Assert.Contains("[2, 5]", e.Message);
        Assert.Equal("sizes", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => x.Split(1, [6, -1]));
        Assert.Contains("negative", e.Message);
        Assert.Throws<ArgumentException>(() => x.Split(2, [2]));
    }

    public static TheoryData<int[], int[], int[], int> GatherCases() => new()
    {
        { [5, 3], [4, 0, -1, 4], [4], 0 },
        { [5, 3], [2, -3, 0, 1, 2, 2], [2, 3], 1 },
        { [2, 6, 3], [5, 5, -6], [3], -2 },
        { [4, 3], [1], [], 0 },             // scalar index drops the axis
        { [3, 4, 2], [0, 3, 3, 1], [2, 1, 2], 1 },
    };

    // float64 reference: output element at (o, j..., i) is x[o, indices[j] (from the end when negative), i].
    private static double[] NaiveGather(float[] data, int[] shape, int[] indices, int[] ishape, int axis, out int[] outShape)
    {
        int r = shape.Length, a = axis < 0 ? axis + r : axis;
        var os = shape.Take(a).Concat(ishape).Concat(shape.Skip(a + 1)).ToArray();
        var expected = new double[Nd.Numel(os)];
        for (int f = 0; f < expected.Length; f++)
        {
            var oi = Nd.Unravel(f, os);
            int j = Nd.Ravel(oi.Skip(a).Take(ishape.Length).ToArray(), ishape);
            int v = indices[j] < 0 ? indices[j] + shape[a] : indices[j];
            var ii = oi.Take(a).Append(v).Concat(oi.Skip(a + ishape.Length)).ToArray();
            expected[f] = data[Nd.Ravel(ii, shape)];
        }
        outShape = os;
        return expected;
    }

    [Theory]
    [MemberData(nameof(GatherCases))]
    public void GatherMatchesNaiveLoop(int[] shape, int[] indices, int[] ishape, int axis)
    {
        var data = Rand.Uniform(9, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        var y = x.Gather(indices, ishape, axis);
        var expected = NaiveGather(data, shape, indices, ishape, axis, out var os);
        Assert.Equal(os, y.Shape.ToArray());
        Approx.Equal(expected, y.ToArray(), 0, 0, "Gather");
    }

    [Theory]
    [MemberData(nameof(GatherCases))]
    public void GatherWithDeviceIndicesMatchesNaiveLoop(int[] shape, int[] indices, int[] ishape, int axis)
    {
        var data = Rand.Uniform(9, Nd.Numel(shape));
        using var x = Tensor.FromArray(Backend, data, shape);
        using var table = Tensor.FromArray(Backend, indices.Select(i => (float)i).ToArray(), ishape);
        var y = x.Gather(table, axis);
        var expected = NaiveGather(data, shape, indices, ishape, axis, out var os);
        Assert.Equal(os, y.Shape.ToArray());
        Approx.Equal(expected, y.ToArray(), 0, 0, "Gather with device indices");
    }

    [Theory]
    [MemberData(nameof(GatherCases))]
    [ChecksGradientOf("Gather")]
    public void GatherWithDeviceIndicesVjp(int[] shape, int[] indices, int[] ishape, int axis) =>
        GradCheck.Vjp(Backend, t => t[0].Gather(Tensor.FromArray(Backend, indices.Select(i => (float)i).ToArray(), ishape), axis), [Rand.Of(12, shape)]);

    [Fact]
    public void GatherWithDeviceIndices_OutOfRangeOrFractionalIndicesGiveZeroRowsAndNoGradient()
    {
        // Device indices are data, not read back to be checked: a row they do not address is zero.
        using var x = Tensor.FromArray(Backend, [1f, 2, 3, 4, 5, 6], 3, 2).RequireGrad();
        using var table = Tensor.FromArray(Backend, [2f, 3, -1, -4, 0.5f, float.NaN, 0], 7);
        var y = x.Gather(table);
        Assert.Equal([5f, 6, 0, 0, 5, 6, 0, 0, 0, 0, 0, 0, 1, 2], y.ToArray());
        y.Sum().Backward();
        Assert.Equal([1f, 1, 0, 0, 2, 2], x.Grad!.ToArray());
    }

    [Fact]
    public void GatherWithComputedIndices_NeverLeavesTheBackend()
    {
        // Indices computed by ops (here ArgMax) feed Gather forward and backward with no upload or download.
        using var counting = new CountingBackend(Backend);
        float[] scores = [0.1f, 0.9f, 0.3f, 0.7f, 0.2f, 0.4f];
        float[] data = Rand.Uniform(13, 3 * 4);
        using var s = Tensor.FromArray(counting, scores, 2, 3);
        using var x = Tensor.FromArray(counting, data, 3, 4).RequireGrad();
        counting.Reset();
        var best = s.ArgMax(1, keepDims: false);
        var y = x.Gather(best, 0);
        y.Mul(y).Sum().Backward();
        Assert.Equal((0, 0), (counting.Uploads, counting.Downloads));
        Assert.True(counting.Calls(nameof(IBackend.Gather)) == 1 && counting.Calls(nameof(IBackend.GatherBackward)) == 1);
        // Row 1 (0.9) and row 0 (0.7): y = x[[1, 0]], dy/dx = 2 x on those rows.
        Assert.Equal(data.Skip(4).Take(4).Concat(data.Take(4)), y.ToArray());
        var dx = new double[12];
        for (int i = 0; i < 4; i++) (dx[i], dx[4 + i]) = (2.0 * data[i], 2.0 * data[4 + i]);
        Approx.Equal(dx, x.Grad!.ToArray(), 1e-6, 1e-7, "Gather gradient through computed indices");
    }

    [Fact]
    public void GatherWithHostIndices_UploadsItsTableOncePerContent()
    {
        using var counting = new CountingBackend(Backend);
        var data = Rand.Uniform(14, 4 * 3);
        using var x = Tensor.FromArray(counting, data, 4, 3);
        x.Gather([3, -1, 0], [3]).Dispose();
        counting.Reset();
        var y = x.Gather([3, -1, 0], [3]);
        Assert.Equal(0, counting.Uploads);
        Assert.Equal(data.Skip(9).Concat(data.Skip(9)).Concat(data.Take(3)), y.ToArray());
        x.Gather([2, 1], [2]).Dispose();
        Assert.Equal(1, counting.Uploads);
    }

    [Fact]
    public void GatherWithDeviceIndicesRejectsABackendMismatchAndScalarInput()
    {
        using var x = Tensor.Zeros(Backend, 3, 2);
        using var wrapped = new CountingBackend(Backend);
        using var other = Tensor.FromArray(wrapped, [0f], 1);
        var e = Assert.Throws<ArgumentException>(() => x.Gather(other));
        Assert.Contains("Gather", e.Message);
        Assert.Contains("[3, 2]", e.Message);
        using var scalar = Tensor.Scalar(Backend, 1f);
        using var zero = Tensor.FromArray(Backend, [0f], 1);
        Assert.Throws<ArgumentException>(() => scalar.Gather(zero));
    }

    [Theory]
    [MemberData(nameof(GatherCases))]
    [ChecksGradientOf("Gather")]
    public void GatherVjp(int[] shape, int[] indices, int[] ishape, int axis) =>
        GradCheck.Vjp(Backend, t => t[0].Gather(indices, ishape, axis), [Rand.Of(12, shape)]);

    [Fact]
    public void GatherGradientAccumulatesRepeatedIndices()
    {
        using var x = Tensor.FromArray(Backend, [1f, 2, 3, 4], 4).RequireGrad();
        x.Gather([3, 1, 3, -1, 0], [5]).Sum().Backward();
        Assert.Equal([1f, 1, 0, 3], x.Grad!.ToArray());
    }

    [Fact]
    public void GatherRejectsOutOfRangeIndices()
    {
        using var x = Tensor.Zeros(Backend, 3, 2);
        var e = Assert.Throws<ArgumentException>(() => x.Gather([3], [1]));
        Assert.Contains("Gather", e.Message);
        Assert.Contains("[3, 2]", e.Message);
        Assert.Equal("indices", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => x.Gather([0, 1], [3]));
        Assert.Equal("indicesShape", e.ParamName);
    }
}
