using ILGPU;

namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>Reads element (row, col) of batch entry <c>batch</c> of a GEMM operand; rows and columns are in range.</summary>
public interface IGemmOperand
{
    /// <summary>The element, or 0 where the operand is implicitly zero (padding).</summary>
    float Load(ArrayView<float> data, int batch, int row, int col);

    /// <summary>
    /// Whether consecutive columns are (mostly) adjacent in memory: the large-tile kernels then stage four columns of
    /// one row per <see cref="Load4"/>, otherwise four rows of one column, so that a warp's loads stay coalesced.
    /// </summary>
    bool ColumnsContiguous { get; }

    /// <summary>
    /// Elements (row, col + i) when <see cref="ColumnsContiguous"/>, else (row + i, col), for i = 0..3; 0 where outside
    /// <paramref name="rows"/> x <paramref name="cols"/>.
    /// </summary>
    Quad Load4(ArrayView<float> data, int batch, int row, int col, int rows, int cols);
}

/// <summary>Helpers for operand readers.</summary>
public static class GemmOperand
{
    /// <summary><see cref="IGemmOperand.Load4"/> as four bounds-checked <see cref="IGemmOperand.Load"/> calls.</summary>
    public static Quad Load4Scalar<T>(T op, ArrayView<float> data, int batch, int row, int col, int rows, int cols)
        where T : struct, IGemmOperand
    {
        int dr = op.ColumnsContiguous ? 0 : 1, dc = 1 - dr;
        return new Quad(
            LoadOrZero(op, data, batch, row, col, rows, cols),
            LoadOrZero(op, data, batch, row + dr, col + dc, rows, cols),
            LoadOrZero(op, data, batch, row + 2 * dr, col + 2 * dc, rows, cols),
            LoadOrZero(op, data, batch, row + 3 * dr, col + 3 * dc, rows, cols));
    }

    private static float LoadOrZero<T>(T op, ArrayView<float> data, int batch, int row, int col, int rows, int cols)
        where T : struct, IGemmOperand =>
        row < rows && col < cols ? op.Load(data, batch, row, col) : 0f;
}

/// <summary>
/// A strided batch of matrices: element (b, r, c) is at
/// <c>Offset + (b / BatchDiv) * OuterBatchStride + (b % BatchDiv) * InnerBatchStride + r * RowStride + c * ColStride</c>.
/// Transposes are swapped strides; the two-level batch index covers [N, groups] batches of grouped convolutions.
/// With <see cref="VectorAccess"/> set (the host checked that the view starts 16-byte aligned), four elements that are
/// adjacent in memory and start at a multiple of four are read and written as one 16-byte access.
/// </summary>
public struct StridedMatrix : IGemmOperand
{
#pragma warning disable CS1591 // see the type's summary
    public int Offset, RowStride, ColStride, BatchDiv, OuterBatchStride, InnerBatchStride;
#pragma warning restore CS1591

    /// <summary>Nonzero when the view starts 16-byte aligned, so aligned runs of four adjacent elements may use vector accesses (an int: ILGPU kernel parameters take no bool fields).</summary>
    public int VectorAccess;

    /// <summary>A batch of dense row-major (or, with <paramref name="transposed"/>, column-major) rows x cols matrices <paramref name="batchStride"/> apart.</summary>
    public static StridedMatrix Dense(int rows, int cols, bool transposed, int batchStride, int offset = 0) => new()
    {
        Offset = offset,
        RowStride = transposed ? 1 : cols,
        ColStride = transposed ? rows : 1,
        BatchDiv = 1,
        OuterBatchStride = batchStride,
        InnerBatchStride = 0,
    };

    /// <summary>Element offset of (batch, row, col).</summary>
    public readonly int Index(int batch, int row, int col)
    {
        int outer = BatchDiv == 1 ? batch : batch / BatchDiv;
        return Offset + outer * OuterBatchStride + (batch - outer * BatchDiv) * InnerBatchStride + row * RowStride + col * ColStride;
    }

    /// <inheritdoc />
    public readonly float Load(ArrayView<float> data, int batch, int row, int col) => data[Index(batch, row, col)];

    /// <inheritdoc />
    public readonly bool ColumnsContiguous => ColStride == 1;

    /// <inheritdoc />
    public readonly Quad Load4(ArrayView<float> data, int batch, int row, int col, int rows, int cols)
    {
        bool alongColumns = ColStride == 1;
        bool inside = alongColumns ? row < rows && col + 3 < cols : row + 3 < rows && col < cols;
        int i = Index(batch, row, col);
        bool unit = alongColumns || RowStride == 1;
        if (VectorAccess != 0 && inside && unit && (i & 3) == 0) return data.Cast<Quad>()[i >> 2];
        return GemmOperand.Load4Scalar(this, data, batch, row, col, rows, cols);
    }

    /// <summary>This layout with <see cref="VectorAccess"/> set when <paramref name="view"/> starts 16-byte aligned.</summary>
    public readonly StridedMatrix WithVectorAccessFor(ArrayView<float> view)
    {
        var copy = this;
        copy.VectorAccess = ((IContiguousArrayView)view).IndexInBytes % 16 == 0 ? 1 : 0;
        return copy;
    }
}
