using FeatureViz.Tensors.Ops;
using ILGPU;

namespace FeatureViz.Kernels.Gpu.Elementwise;

/// <summary>
/// Device code of the elementwise kernels: grid-stride loops, generic over the same <see cref="IUnaryOp"/> and
/// <see cref="IBinaryOp"/> structs as the CPU backend, so each formula has one definition.
/// </summary>
internal static class ElementwiseKernels
{
    public static void UnaryForward<TOp>(ArrayView<float> x, ArrayView<float> y, TOp op) where TOp : struct, IUnaryOp
    {
        int n = (int)y.Length;
        for (int i = Grid.GlobalIndex.X; i < n; i += GridStride()) y[i] = op.Forward(x[i]);
    }

    public static void UnaryBackward<TOp>(ArrayView<float> x, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, TOp op)
        where TOp : struct, IUnaryOp
    {
        int n = (int)dx.Length;
        for (int i = Grid.GlobalIndex.X; i < n; i += GridStride()) dx[i] = op.Backward(x[i], y[i], dy[i]);
    }

    public static void BinaryForward<TOp>(ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, BroadcastLayout layout, TOp op)
        where TOp : struct, IBinaryOp
    {
        int n = (int)y.Length;
        for (int i = Grid.GlobalIndex.X; i < n; i += GridStride())
        {
            layout.Offsets(i, out int ia, out int ib);
            y[i] = op.Forward(a[ia], b[ib]);
        }
    }

    /// <summary>Same-shape operands: no index arithmetic.</summary>
    public static void BinaryForwardSameShape<TOp>(ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, TOp op)
        where TOp : struct, IBinaryOp
    {
        int n = (int)y.Length;
        for (int i = Grid.GlobalIndex.X; i < n; i += GridStride()) y[i] = op.Forward(a[i], b[i]);
    }

    /// <summary>
    /// Per-output-element partial derivatives (output shape, as the CPU backend; reduction to an operand's shape is a
    /// separate step). <paramref name="needs"/>: bit 0 writes <paramref name="da"/>, bit 1 <paramref name="db"/>.
    /// </summary>
    public static void BinaryBackward<TOp>(ArrayView<float> a, ArrayView<float> b, ArrayView<float> dy,
        ArrayView<float> da, ArrayView<float> db, BroadcastLayout layout, int needs, TOp op) where TOp : struct, IBinaryOp
    {
        int n = (int)dy.Length;
        for (int i = Grid.GlobalIndex.X; i < n; i += GridStride())
        {
            layout.Offsets(i, out int ia, out int ib);
            float x1 = a[ia], x2 = b[ib], g = dy[i], y = op.Forward(x1, x2);
            if ((needs & 1) != 0) da[i] = op.GradA(x1, x2, y, g);
            if ((needs & 2) != 0) db[i] = op.GradB(x1, x2, y, g);
        }
    }

    private static int GridStride() => Grid.DimX * Group.DimX;
}
