using ILGPU;

namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>
/// The SGEMM kernels' epilogue: C = act(alpha * acc + beta * C (+ bias of the row)), bounds-checked, with 16-byte
/// stores where the layout allows them; act is <see cref="GemmShape.Epilogue"/> (the identity for a plain product).
/// </summary>
internal static class GemmEpilogue
{
    /// <summary>Writes (row, col + i) for i = 0..3 where inside the M x N result.</summary>
    public static void StoreQuad(ArrayView<float> c, ArrayView<float> bias, StridedMatrix layout, GemmShape shape, int batch,
        int row, int col, Quad v)
    {
        if (row >= shape.M) return;
        float add = shape.HasBias != 0 ? bias[(batch % layout.BatchDiv) * shape.M + row] : 0f;
        int i = layout.Index(batch, row, col);
        if (layout.VectorAccess != 0 && layout.ColStride == 1 && col + 3 < shape.N && (i & 3) == 0)
        {
            var quads = c.Cast<Quad>();
            var old = shape.Beta == 0f ? default : quads[i >> 2];
            quads[i >> 2] = new Quad(
                Value(shape, v.X, old.X, add), Value(shape, v.Y, old.Y, add),
                Value(shape, v.Z, old.Z, add), Value(shape, v.W, old.W, add));
            return;
        }
        Store(c, layout, shape, batch, row, col, v.X, add);
        Store(c, layout, shape, batch, row, col + 1, v.Y, add);
        Store(c, layout, shape, batch, row, col + 2, v.Z, add);
        Store(c, layout, shape, batch, row, col + 3, v.W, add);
    }

    /// <summary>Writes (row, col) and (row, col + 1) where inside the M x N result.</summary>
    public static void StorePair(ArrayView<float> c, ArrayView<float> bias, StridedMatrix layout, GemmShape shape, int batch,
        int row, int col, float v0, float v1)
    {
        if (row >= shape.M) return;
        float add = shape.HasBias != 0 ? bias[(batch % layout.BatchDiv) * shape.M + row] : 0f;
        Store(c, layout, shape, batch, row, col, v0, add);
        Store(c, layout, shape, batch, row, col + 1, v1, add);
    }

    private static void Store(ArrayView<float> c, StridedMatrix layout, GemmShape shape, int batch, int row, int col, float v, float add)
    {
        if (col >= shape.N) return;
        int i = layout.Index(batch, row, col);
        c[i] = Value(shape, v, shape.Beta == 0f ? 0f : c[i], add);
    }

    // beta == 0 must ignore C entirely (NaN included), so the old value is not even multiplied.
    private static float Value(GemmShape shape, float acc, float old, float add) =>
        shape.Epilogue.Apply(shape.Beta == 0f ? shape.Alpha * acc + add : shape.Alpha * acc + shape.Beta * old + add);
}
