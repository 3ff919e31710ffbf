using FeatureViz.Kernels.Gpu.Gemm;
using ILGPU;

namespace FeatureViz.Kernels.Gpu.Conv;

// Implicit-GEMM operand readers: the im2col matrix and the re-indexed weights and gradients are never materialised,
// each element is computed from the convolution's geometry when the GEMM kernel stages a tile.

/// <summary>Forward B (K = Cg*KH*KW rows, N = OH*OW columns), batch n * groups + g: the im2col matrix of image n, group g.</summary>
public struct Im2ColOperand : IGemmOperand
{
    /// <summary>The convolution.</summary>
    public ConvShape Shape;

    /// <inheritdoc />
    public readonly float Load(ArrayView<float> data, int batch, int row, int col)
    {
        int n = batch / Shape.Groups, taps = Shape.Taps, cg = row / taps;
        return Shape.Input(data, n, batch - n * Shape.Groups, cg, row - cg * taps, col);
    }

    /// <inheritdoc />
    public readonly bool ColumnsContiguous => true;

    /// <inheritdoc />
    public readonly Quad Load4(ArrayView<float> data, int batch, int row, int col, int rows, int cols) =>
        GemmOperand.Load4Scalar(this, data, batch, row, col, rows, cols);
}

/// <summary>Input-gradient A (M = Cg rows, K = Og*KH*KW columns), batch n * groups + g: w[g*Og + o, c, r, s] at (c, o*taps + rs).</summary>
public struct TransposedWeightOperand : IGemmOperand
{
    /// <summary>The convolution.</summary>
    public ConvShape Shape;

    /// <inheritdoc />
    public readonly float Load(ArrayView<float> data, int batch, int row, int col)
    {
        int g = batch % Shape.Groups, taps = Shape.Taps, o = col / taps;
        return data[((g * Shape.Og + o) * Shape.Cg + row) * taps + col - o * taps];
    }

    /// <inheritdoc />
    public readonly bool ColumnsContiguous => true;

    /// <inheritdoc />
    public readonly Quad Load4(ArrayView<float> data, int batch, int row, int col, int rows, int cols) =>
        GemmOperand.Load4Scalar(this, data, batch, row, col, rows, cols);
}

/// <summary>
/// Input-gradient B (K = Og*KH*KW rows, N = H*W columns), batch n * groups + g: dy at the output pixel that tap (r, s)
/// of input pixel (h, w) contributes to, 0 where no output pixel does (stride phase or border).
/// </summary>
public struct GradientGatherOperand : IGemmOperand
{
    /// <summary>The convolution.</summary>
    public ConvShape Shape;

    /// <inheritdoc />
    public readonly float Load(ArrayView<float> data, int batch, int row, int col)
    {
        int groups = Shape.Groups, n = batch / groups, g = batch - n * groups;
        int taps = Shape.Taps, o = row / taps, tap = row - o * taps;
        int r = tap / Shape.KW, s = tap - r * Shape.KW;
        int h = col / Shape.W, w = col - h * Shape.W;
        int th = h + Shape.PadTop - r * Shape.DilationH, tw = w + Shape.PadLeft - s * Shape.DilationW;
        if (th < 0 || tw < 0) return 0f;
        int oh = th / Shape.StrideH, ow = tw / Shape.StrideW;
        if (oh * Shape.StrideH != th || ow * Shape.StrideW != tw || oh >= Shape.OH || ow >= Shape.OW) return 0f;
        return data[((n * Shape.O + g * Shape.Og + o) * Shape.OH + oh) * Shape.OW + ow];
    }

    /// <inheritdoc />
    public readonly bool ColumnsContiguous => true;

    /// <inheritdoc />
    public readonly Quad Load4(ArrayView<float> data, int batch, int row, int col, int rows, int cols) =>
        GemmOperand.Load4Scalar(this, data, batch, row, col, rows, cols);
}

/// <summary>Weight-gradient A (M = Og rows, K = N*OH*OW columns), batch g: dy[n, g*Og + o, p] at (o, n*OH*OW + p).</summary>
public struct GradientRowsOperand : IGemmOperand
{
    /// <summary>The convolution.</summary>
    public ConvShape Shape;

    /// <inheritdoc />
    public readonly float Load(ArrayView<float> data, int batch, int row, int col)
    {
        int pixels = Shape.OH * Shape.OW, n = col / pixels;
        return data[(n * Shape.O + batch * Shape.Og + row) * pixels + col - n * pixels];
    }

    /// <inheritdoc />
    public readonly bool ColumnsContiguous => true;

    /// <inheritdoc />
    public readonly Quad Load4(ArrayView<float> data, int batch, int row, int col, int rows, int cols) =>
        GemmOperand.Load4Scalar(this, data, batch, row, col, rows, cols);
}

/// <summary>Weight-gradient B (K = N*OH*OW rows, N = Cg*KH*KW columns), batch g: the transposed im2col matrices of all images.</summary>
public struct TransposedIm2ColOperand : IGemmOperand
{
    /// <summary>The convolution.</summary>
    public ConvShape Shape;

    /// <inheritdoc />
    public readonly float Load(ArrayView<float> data, int batch, int row, int col)
    {
        int pixels = Shape.OH * Shape.OW, n = row / pixels, taps = Shape.Taps, cg = col / taps;
        return Shape.Input(data, n, batch, cg, col - cg * taps, row - n * pixels);
    }

    /// <inheritdoc />
    public readonly bool ColumnsContiguous => false;

    /// <inheritdoc />
    public readonly Quad Load4(ArrayView<float> data, int batch, int row, int col, int rows, int cols) =>
        GemmOperand.Load4Scalar(this, data, batch, row, col, rows, cols);
}
