using ILGPU;

namespace FeatureViz.Kernels.Gpu.Gemm;

/// <summary>Reads element (row, col) of batch entry <c>batch</c> of a GEMM operand; rows and columns are in range.</summary>
public interface IGemmOperand
{
    /// <summary>The element, or 0 where the operand is implicitly zero (padding).</summary>
    float Load(ArrayView<float> data, int batch, int row, int col);
}

/// <summary>
/// A strided batch of matrices: element (b, r, c) is at
/// <c>Offset + (b / BatchDiv) * OuterBatchStride + (b % BatchDiv) * InnerBatchStride + r * RowStride + c * ColStride</c>.
/// Transposes are swapped strides; the two-level batch index covers [N, groups] batches of grouped convolutions.
/// </summary>
public struct StridedMatrix : IGemmOperand
{
#pragma warning disable CS1591 // see the type's summary
    public int Offset, RowStride, ColStride, BatchDiv, OuterBatchStride, InnerBatchStride;
#pragma warning restore CS1591

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
        int outer = batch / BatchDiv;
        return Offset + outer * OuterBatchStride + (batch - outer * BatchDiv) * InnerBatchStride + row * RowStride + col * ColStride;
    }

    /// <inheritdoc />
    public readonly float Load(ArrayView<float> data, int batch, int row, int col) => data[Index(batch, row, col)];
}
