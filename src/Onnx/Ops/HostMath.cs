using FeatureViz.Onnx.Graph;

namespace FeatureViz.Onnx.Ops;

/// <summary>Integer arithmetic on host values (shape computations folded at plan time), with NumPy broadcasting.</summary>
internal static class HostMath
{
    public static int[] BroadcastDims(int[] a, int[] b, string op) => FeatureViz.Tensors.Shape.Broadcast(new(a), new(b), op).ToArray();

    /// <summary>
    /// The element count of a host result of <paramref name="dims"/> (8 bytes an element), checked against the
    /// <see cref="FeatureViz.Tensors.TensorLimits"/> in force before anything of that size is allocated.
    /// </summary>
    public static int CheckedCount(string op, ReadOnlySpan<long> dims) =>
        (int)FeatureViz.Tensors.TensorLimits.Elements(op, dims, "result", elementSize: sizeof(long));

    /// <inheritdoc cref="CheckedCount(string, ReadOnlySpan{long})"/>
    public static int CheckedCount(string op, int[] dims) => CheckedCount(op, [.. dims.Select(d => (long)d)]);

    /// <summary>Index into a broadcast operand for each flat output index.</summary>
    public static int[] BroadcastIndex(int[] src, int[] dst)
    {
        int n = CheckedCount("Broadcast", dst);
        var map = new int[n];
        int r = dst.Length, off = r - src.Length;
        var strides = new int[r];
        int acc = 1;
        for (int i = r - 1; i >= 0; i--)
        {
            int sd = i >= off ? src[i - off] : 1;
            strides[i] = sd == 1 ? 0 : acc;
            acc *= sd;
        }
        var idx = new int[r];
        for (int k = 0; k < n; k++)
        {
            int s = 0;
            for (int i = 0; i < r; i++) s += idx[i] * strides[i];
            map[k] = s;
            for (int i = r - 1; i >= 0; i--)
            {
                if (++idx[i] < dst[i]) break;
                idx[i] = 0;
            }
        }
        return map;
    }

    public static HostValue Binary(HostValue a, HostValue b, Func<long, long, long> f, string op, ElemType? type = null)
    {
        var dims = BroadcastDims(a.Dims, b.Dims, op);
        var ia = BroadcastIndex(a.Dims, dims);
        var ib = BroadcastIndex(b.Dims, dims);
        var r = new long[ia.Length];
        for (int i = 0; i < r.Length; i++) r[i] = f(a.Data[ia[i]], b.Data[ib[i]]);
        return new HostValue(type ?? a.Type, dims, r);
    }

    public static HostValue Unary(HostValue a, Func<long, long> f) => new(a.Type, a.Dims, a.Data.Select(f).ToArray());

    public static HostValue Where(HostValue c, HostValue a, HostValue b)
    {
        var dims = BroadcastDims(BroadcastDims(c.Dims, a.Dims, "Where"), b.Dims, "Where");
        var ic = BroadcastIndex(c.Dims, dims);
        var ia = BroadcastIndex(a.Dims, dims);
        var ib = BroadcastIndex(b.Dims, dims);
        var r = new long[ic.Length];
        for (int i = 0; i < r.Length; i++) r[i] = c.Data[ic[i]] != 0 ? a.Data[ia[i]] : b.Data[ib[i]];
        return new HostValue(a.Type, dims, r);
    }

    /// <summary>Wraps a value to the range of an integer type (C cast semantics).</summary>
    public static long Wrap(long v, ElemType t) => t switch
    {
        ElemType.Int8 => (sbyte)v,
        ElemType.UInt8 => (byte)v,
        ElemType.Int16 => (short)v,
        ElemType.UInt16 => (ushort)v,
        ElemType.Int32 => (int)v,
        ElemType.UInt32 => (uint)v,
        ElemType.Bool => v != 0 ? 1 : 0,
        _ => v,
    };
}
