using FeatureViz.Kernels.Gpu.Elementwise;
using ILGPU;

namespace FeatureViz.Kernels.Gpu.Movement;

/// <summary>Device code of fills, strided copies and scatters, Where and Pad: grid-stride loops over the output.</summary>
internal static class MovementKernels
{
    public static void Fill(ArrayView<float> y, float value)
    {
        int n = (int)y.Length;
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX) y[i] = value;
    }

    public static void StridedCopy(ArrayView<float> x, ArrayView<float> y, StridedLayout layout)
    {
        int n = (int)y.Length;
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX) y[i] = x[layout.Source(i)];
    }

    /// <summary>y (zeroed, positions distinct) at each view position gets its dy element.</summary>
    public static void StridedScatter(ArrayView<float> dy, ArrayView<float> y, StridedLayout layout)
    {
        int n = (int)dy.Length;
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX) y[layout.Source(i)] = dy[i];
    }

    /// <summary>y = cond != 0 ? a : b; <paramref name="condA"/> places cond and a, <paramref name="bOnly"/> places b (twice).</summary>
    public static void Where(ArrayView<float> cond, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y,
        BroadcastLayout condA, BroadcastLayout bOnly)
    {
        int n = (int)y.Length;
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            condA.Offsets(i, out int ic, out int ia);
            bOnly.Offsets(i, out int ib, out int _);
            y[i] = cond[ic] != 0f ? a[ia] : b[ib];
        }
    }

    public static void Pad(ArrayView<float> x, ArrayView<float> y, PadLayout layout)
    {
        int n = (int)y.Length;
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            y[i] = layout.Source(i, out int s) ? x[s] : layout.Value;
        }
    }
}
