using ILGPU;

namespace FeatureViz.Kernels.Gpu.Reductions;

/// <summary>Device code of ArgMax/ArgMin along one axis of x seen as [outer, reduce, inner]: a thread per output, scanning as the CPU backend.</summary>
internal static class ArgReduceKernels
{
    /// <summary><paramref name="max"/>: 1 for ArgMax; <paramref name="last"/>: 1 for the last index among ties.</summary>
    public static void ArgReduce(ArrayView<float> x, ArrayView<float> y, int reduce, int inner, int max, int last)
    {
        int outputs = (int)y.Length;
        for (int o = Grid.GlobalIndex.X; o < outputs; o += Grid.DimX * Group.DimX)
        {
            int outer = o / inner, i = o - outer * inner, baseIndex = outer * reduce * inner + i, best = 0;
            float bv = x[baseIndex];
            for (int k = 1; k < reduce; k++)
            {
                float v = x[baseIndex + k * inner];
                bool better = max != 0 ? (last != 0 ? v >= bv : v > bv) : (last != 0 ? v <= bv : v < bv);
                if (better) { best = k; bv = v; }
            }
            y[o] = best;
        }
    }
}
