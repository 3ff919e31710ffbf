using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Gpu.Movement;

/// <summary>A <see cref="StridedView"/> as a kernel argument.</summary>
public struct StridedLayout
{
#pragma warning disable CS1591 // the view's merged rank, offset, dimensions and strides
    public int Rank, Offset;
    public Int8 Dims, Strides;
#pragma warning restore CS1591

    /// <summary>The layout of <paramref name="view"/>.</summary>
    public static StridedLayout Of(StridedView view)
    {
        var l = new StridedLayout { Rank = view.Rank, Offset = view.Offset };
        for (int k = 0; k < view.Rank; k++)
        {
            l.Dims.Set(k, view.Dim(k));
            l.Strides.Set(k, view.Stride(k));
        }
        return l;
    }

    /// <summary>Input element of output element <paramref name="index"/> (row-major over the view's dimensions).</summary>
    public readonly int Source(int index)
    {
        int src = Offset, i = index;
        for (int k = Rank - 1; k >= 0; k--)
        {
            int d = Dims.Get(k);
            int q = i / d;
            src += (i - q * d) * Strides.Get(k);
            i = q;
        }
        return src;
    }
}

/// <summary>A <see cref="PadGeometry"/> as a kernel argument.</summary>
public struct PadLayout
{
#pragma warning disable CS1591 // rank, mode (PadMode as int), constant, per-axis output dims, begin, lo, len and input strides
    public int Rank, Mode;
    public float Value;
    public Int8 OutDims, Begin, Lo, Len, InStrides;
#pragma warning restore CS1591

    /// <summary>The layout of <paramref name="g"/>.</summary>
    public static PadLayout Of(PadGeometry g)
    {
        var l = new PadLayout { Rank = g.Rank, Mode = (int)g.Mode, Value = g.Value };
        int stride = 1;
        for (int a = g.Rank - 1; a >= 0; a--)
        {
            l.OutDims.Set(a, g.OutDim(a));
            l.Begin.Set(a, g.Begin(a));
            l.Lo.Set(a, g.Lo(a));
            l.Len.Set(a, g.Len(a));
            l.InStrides.Set(a, stride);
            stride *= g.InDim(a);
        }
        return l;
    }

    /// <summary>
    /// The input element <paramref name="src"/> that output element <paramref name="index"/> reads; false when it
    /// takes the constant (as <see cref="PadGeometry.SourceIndex"/>). No -1 sentinel: ILGPU's OpenCL C spells it as
    /// an out-of-range long constant, which clang warns about.
    /// </summary>
    public readonly bool Source(int index, out int src)
    {
        int i = index;
        src = 0;
        for (int a = Rank - 1; a >= 0; a--)
        {
            int d = OutDims.Get(a);
            int q = i / d;
            if (!SourceIndex(a, i - q * d, out int s)) return false;
            src += s * InStrides.Get(a);
            i = q;
        }
        return true;
    }

    private readonly bool SourceIndex(int axis, int j, out int s) => (s = SourceOrNegative(axis, j)) >= 0;

    private readonly int SourceOrNegative(int axis, int j)
    {
        int n = Len.Get(axis), lo = Lo.Get(axis);
        int i = j - Begin.Get(axis);
        if (i >= 0 && i < n) return lo + i;
        if (Mode == (int)PadMode.Constant) return i < 0 ? i : -i - 1;
        return lo + PadGeometry.OutsideSource(i, n, (PadMode)Mode);
    }
}
