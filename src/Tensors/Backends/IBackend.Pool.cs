namespace FeatureViz.Tensors.Backends;

public partial interface IBackend
{
    /// <summary>Max pooling of NCHW input; windows read only real input elements (padding never wins).</summary>
    TensorStorage MaxPool2d(TensorStorage x, Pool2dGeometry geometry);

    /// <summary>Gradient of <see cref="MaxPool2d"/>: each dy element goes to the first maximum of its window in x.</summary>
    TensorStorage MaxPool2dBackward(TensorStorage x, TensorStorage dy, Pool2dGeometry geometry);

    /// <summary>Average pooling of NCHW input with the divisor <see cref="Pool2dGeometry.DivisorRows"/>(oh) * <see cref="Pool2dGeometry.DivisorCols"/>(ow).</summary>
    TensorStorage AvgPool2d(TensorStorage x, Pool2dGeometry geometry);

    /// <summary>Gradient of <see cref="AvgPool2d"/>: each dy element is spread over its window with the forward divisor.</summary>
    TensorStorage AvgPool2dBackward(TensorStorage dy, Pool2dGeometry geometry);
}

/// <summary>Resolved 2-D pooling geometry over NCHW input (output size already computed by the op).</summary>
/// <param name="N">Batch size.</param>
/// <param name="C">Channels.</param>
/// <param name="H">Input height.</param>
/// <param name="W">Input width.</param>
/// <param name="OutH">Output height.</param>
/// <param name="OutW">Output width.</param>
/// <param name="KernelH">Window height.</param>
/// <param name="KernelW">Window width.</param>
/// <param name="StrideH">Vertical stride.</param>
/// <param name="StrideW">Horizontal stride.</param>
/// <param name="PadTop">Padding rows above.</param>
/// <param name="PadLeft">Padding columns on the left.</param>
/// <param name="PadBottom">Padding rows below.</param>
/// <param name="PadRight">Padding columns on the right.</param>
/// <param name="DilationH">Vertical dilation.</param>
/// <param name="DilationW">Horizontal dilation.</param>
/// <param name="CountIncludePad">Average pooling divides by the window size inside the padded input.</param>
public readonly record struct Pool2dGeometry(
    int N, int C, int H, int W, int OutH, int OutW,
    int KernelH, int KernelW, int StrideH = 1, int StrideW = 1,
    int PadTop = 0, int PadLeft = 0, int PadBottom = 0, int PadRight = 0,
    int DilationH = 1, int DilationW = 1, bool CountIncludePad = false)
{
    /// <summary>
    /// Window row range of output row <paramref name="oh"/>: input rows start + k * DilationH for k in [k0, k1) lie
    /// inside the input.
    /// </summary>
    public (int Start, int K0, int K1) RowWindow(int oh) => Window(oh * StrideH - PadTop, KernelH, DilationH, H);

    /// <summary>Window column range of output column <paramref name="ow"/> (see <see cref="RowWindow"/>).</summary>
    public (int Start, int K0, int K1) ColWindow(int ow) => Window(ow * StrideW - PadLeft, KernelW, DilationW, W);

    /// <summary>
    /// Row factor of the average-pool divisor: the number of window rows inside the input, or (CountIncludePad)
    /// inside the padded input [-PadTop, H + PadBottom); a window that ceil mode lets run past the padded input is
    /// cut there.
    /// </summary>
    public int DivisorRows(int oh)
    {
        if (!CountIncludePad) { var (_, k0, k1) = RowWindow(oh); return k1 - k0; }
        return Taps(oh * StrideH - PadTop, KernelH, DilationH, -PadTop, H + PadBottom);
    }

    /// <summary>Column factor of the average-pool divisor (see <see cref="DivisorRows"/>).</summary>
    public int DivisorCols(int ow)
    {
        if (!CountIncludePad) { var (_, k0, k1) = ColWindow(ow); return k1 - k0; }
        return Taps(ow * StrideW - PadLeft, KernelW, DilationW, -PadLeft, W + PadRight);
    }

    private static (int, int, int) Window(int start, int k, int d, int size)
    {
        int k0 = start >= 0 ? 0 : Math.Min(k, (-start + d - 1) / d);
        int k1 = size - start <= 0 ? 0 : Math.Min(k, (size - start + d - 1) / d);
        if (k1 < k0) k1 = k0;
        return (start, k0, k1);
    }

    private static int Taps(int start, int k, int d, int lo, int hi)
    {
        var (_, k0, k1) = Window(start - lo, k, d, hi - lo);
        return k1 - k0;
    }
}
