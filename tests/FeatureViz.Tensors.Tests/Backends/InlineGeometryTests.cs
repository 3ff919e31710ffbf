using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Backends;

public class InlineGeometryTests
{
    [Fact]
    public void ContiguousAxesMergeSoHighRankViewsFit()
    {
        // Rank 10, but a contiguous read: one axis after merging; the size-1 axes disappear.
        int[] dims = [2, 1, 3, 2, 2, 1, 2, 2, 3, 2];
        var view = new StridedView(dims, new Shape(dims).Strides(), 5);
        Assert.Equal(1, view.Rank);
        Assert.Equal(dims.Aggregate(1, (a, b) => a * b), view.Dim(0));
        Assert.Equal(1, view.Stride(0));
        Assert.Equal(5, view.Offset);

        // A transpose of the last two axes keeps the leading ones merged: [4, 3, 2] read with strides [6, 1, 3].
        var t = new StridedView([2, 2, 3, 2], [12, 6, 1, 3], 0);
        Assert.Equal(3, t.Rank);
        Assert.Equal((4, 6), (t.Dim(0), t.Stride(0)));
    }

    [Fact]
    public void TooManyAxesAreRejectedNamingTheOpAndShape()
    {
        int[] dims = Enumerable.Repeat(2, 10).ToArray();
        using var x = Tensor.Zeros(CpuBackend.Default, dims);
        var perm = Enumerable.Range(0, 10).Reverse().ToArray();
        var e = Assert.Throws<ArgumentException>(() => x.Transpose(perm));
        Assert.Contains("Transpose", e.Message);
        Assert.Contains(x.Shape.ToString(), e.Message);
    }

    [Fact]
    public void PadGeometriesCompareByValue()
    {
        var a = new PadGeometry([2, 3], [2, 7], [0, 2], [0, 0], [2, 3], PadMode.Reflect, 0f);
        var b = new PadGeometry([2, 3], [2, 7], [0, 2], [0, 0], [2, 3], PadMode.Reflect, 0f);
        var c = new PadGeometry([2, 3], [2, 7], [0, 1], [0, 0], [2, 3], PadMode.Reflect, 0f);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void PadOfMoreAxesThanAGeometryHoldsIsRejectedNamingTheOp()
    {
        int[] dims = Enumerable.Repeat(1, PadGeometry.MaxRank + 1).ToArray();
        using var x = Tensor.Zeros(CpuBackend.Default, dims);
        var e = Assert.Throws<ArgumentException>(() => x.Pad(new int[2 * dims.Length]));
        Assert.Contains("Pad", e.Message);
        Assert.Contains(x.Shape.ToString(), e.Message);
    }
}
