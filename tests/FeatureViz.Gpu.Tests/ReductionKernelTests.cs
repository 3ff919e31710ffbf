using FeatureViz.Kernels.Gpu;
using FeatureViz.Kernels.Gpu.Reductions;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Gpu.Tests;

[Collection(SimulatorCollection.Name)]
public sealed class ReductionKernelTests(SimulatorFixture sim)
{
    public static TheoryData<ReduceKind, int, ReduceStrategy, int, int, int> Cases()
    {
        var data = new TheoryData<ReduceKind, int, ReduceStrategy, int, int, int>();
        int[][] shapes = [[1, 1, 1], [3, 1000, 1], [5, 37, 7], [2, 3, 129], [70, 5, 1]];
        // Sum on every shape, warp size and strategy; max and min (same kernels, other op struct) on fewer.
        foreach (var warp in new[] { 32, 4 })
            foreach (var strategy in new[] { ReduceStrategy.GroupPerOutput, ReduceStrategy.ThreadPerOutput, ReduceStrategy.GroupPerOutputSharedTree })
            {
                foreach (var s in shapes) data.Add(ReduceKind.Sum, warp, strategy, s[0], s[1], s[2]);
                foreach (var kind in new[] { ReduceKind.Max, ReduceKind.Min })
                    data.Add(kind, warp, strategy, 5, 37, 7);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OuterReduceInnerMatchesFloat64(ReduceKind kind, int warp, ReduceStrategy strategy, int outer, int reduce, int inner)
    {
        var gpu = sim[warp];
        var x = Rand.Uniform(31, outer * reduce * inner, -2, 3);
        using var xv = gpu.Accelerator.Allocate1D(x);
        using var yv = gpu.Accelerator.Allocate1D<float>(outer * inner);
        GpuReduce.Reduce(gpu, kind, xv.View, outer, reduce, inner, yv.View, strategy);
        var y = yv.GetAsArray1D();
        var expected = new double[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                double acc = kind == ReduceKind.Sum ? 0 : kind == ReduceKind.Max ? double.NegativeInfinity : double.PositiveInfinity;
                for (int r = 0; r < reduce; r++)
                {
                    double v = x[(o * reduce + r) * inner + i];
                    acc = kind == ReduceKind.Sum ? acc + v : kind == ReduceKind.Max ? Math.Max(acc, v) : Math.Min(acc, v);
                }
                expected[o * inner + i] = acc;
            }
        Approx.Equal(expected, y, rtol: 1e-5, atol: 2e-5 * Math.Sqrt(reduce), what: $"{kind} [{outer}, {reduce}, {inner}]");
    }

    [Theory]
    [InlineData(32, new[] { 0, 2 })]
    [InlineData(4, new[] { 1, 3 })]
    [InlineData(4, new[] { 0, 1, 3 })]
    [InlineData(32, new int[0])]
    public void AxesReductionMatchesFloat64(int warp, int[] axes)
    {
        var gpu = sim[warp];
        int[] shape = [3, 4, 5, 6];
        var x = Rand.Uniform(32, 360);
        var outShape = shape.Select((d, k) => axes.Contains(k) ? 1 : d).ToArray();
        int outN = outShape.Aggregate(1, (a, b) => a * b);
        using var xv = gpu.Accelerator.Allocate1D(x);
        using var yv = gpu.Accelerator.Allocate1D<float>(outN);
        GpuReduce.Reduce(gpu, ReduceKind.Sum, xv.View, shape, axes, yv.View);
        var expected = new double[outN];
        for (int i = 0; i < 360; i++)
        {
            int rem = i, o = 0, stride = 1;
            var c = new int[4];
            for (int k = 3; k >= 0; k--) { c[k] = rem % shape[k]; rem /= shape[k]; }
            for (int k = 3; k >= 0; k--) { o += (axes.Contains(k) ? 0 : c[k]) * stride; stride *= outShape[k]; }
            expected[o] += x[i];
        }
        Approx.Equal(expected, yv.GetAsArray1D(), rtol: 1e-5, atol: 1e-5, what: $"sum over [{string.Join(", ", axes)}]");
    }

    [Fact]
    public void UnsortedAxesAreRejected()
    {
        using var xv = sim.Warp32.Accelerator.Allocate1D<float>(6);
        using var yv = sim.Warp32.Accelerator.Allocate1D<float>(1);
        var e = Assert.Throws<ArgumentException>(() => GpuReduce.Reduce(sim.Warp32, ReduceKind.Max, xv.View, [2, 3], [1, 0], yv.View));
        Assert.Contains("ReduceMax", e.Message);
    }
}
