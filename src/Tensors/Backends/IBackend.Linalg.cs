namespace FeatureViz.Tensors.Backends;

public partial interface IBackend
{
    /// <summary>
    /// Strided batched GEMM on row-major matrices: for each batch entry i in [0, <see cref="GemmGeometry.Batch"/>),
    /// Y_i = alpha * op(A_i) * op(B_i) + beta * C, where A_i starts at element i * <see cref="GemmGeometry.StrideA"/>
    /// of <paramref name="a"/>, B_i at i * <see cref="GemmGeometry.StrideB"/> of <paramref name="b"/> (a stride of 0
    /// shares one matrix across the batch) and Y_i at i * M * N of the contiguous result. C (null: zero) is
    /// broadcast into every output matrix through <see cref="GemmGeometry.CRowStride"/>/<see cref="GemmGeometry.CColStride"/>.
    /// Outputs never overlap: a gradient over a broadcast batch is computed per entry and then reduced by the caller.
    /// </summary>
    TensorStorage BatchedGemm(TensorStorage a, TensorStorage b, TensorStorage? c, GemmGeometry geometry);

    /// <summary>Convolution forward: x [N, C, H, W], w [O, C/groups, kH, kW], optional bias [O]; result [N, O, OH, OW].</summary>
    TensorStorage Conv2d(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry);

    /// <summary>Gradient of <see cref="Conv2d"/> w.r.t. its input: dy [N, O, OH, OW], w as in the forward; result [N, C, H, W].</summary>
    TensorStorage Conv2dBackwardInput(TensorStorage dy, TensorStorage w, Conv2dGeometry geometry);

    /// <summary>Gradient of <see cref="Conv2d"/> w.r.t. its weight: x and dy as in the forward; result [O, C/groups, kH, kW].</summary>
    TensorStorage Conv2dBackwardWeight(TensorStorage x, TensorStorage dy, Conv2dGeometry geometry);

    /// <summary>
    /// Convolution forward with a fused epilogue: y = act(conv(x, w) + bias), where act is
    /// <paramref name="epilogue"/>'s activation (shapes as in <see cref="Conv2d"/>). A backend applies the bias and the
    /// activation while the output tile is still in registers or cache instead of in a second pass over memory.
    /// </summary>
    TensorStorage Conv2dActivation(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry, ConvEpilogue epilogue) =>
        FusedDefaults.Conv2dActivation(this, x, w, bias, geometry, epilogue);

    /// <summary>
    /// Transposed convolution, expressed through the convolution it transposes: <paramref name="geometry"/> describes
    /// that convolution (its input is this op's output), so x is [N, O, OH, OW], w is [O, C/groups, kH, kW] (the
    /// ConvTranspose weight layout [C_in, C_out/groups, kH, kW]) and the result is [N, C, H, W] plus bias [C].
    /// </summary>
    TensorStorage ConvTranspose2d(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry) =>
        FusedDefaults.ConvTranspose2d(this, x, w, bias, geometry);
}

/// <summary>
/// Geometry of <see cref="IBackend.BatchedGemm"/>: a batch of equally strided row-major matrices (no host arrays,
/// so that a device backend can launch it as one strided-batched GEMM).
/// </summary>
/// <param name="M">Rows of op(A) and of each output matrix.</param>
/// <param name="N">Columns of op(B) and of each output matrix.</param>
/// <param name="K">Inner dimension.</param>
/// <param name="TransA">A is stored K x M.</param>
/// <param name="TransB">B is stored N x K.</param>
/// <param name="Alpha">Scale of the product.</param>
/// <param name="Batch">Number of products (1 for a plain GEMM).</param>
/// <param name="StrideA">Elements between consecutive A matrices (0: one A shared by the batch).</param>
/// <param name="StrideB">Elements between consecutive B matrices (0: one B shared by the batch).</param>
/// <param name="Beta">Scale of C.</param>
/// <param name="CRowStride">Stride of C between output rows (0 broadcasts a row).</param>
/// <param name="CColStride">Stride of C between output columns (0 broadcasts a column).</param>
public readonly record struct GemmGeometry(int M, int N, int K, bool TransA = false, bool TransB = false, float Alpha = 1f,
    int Batch = 1, int StrideA = 0, int StrideB = 0, float Beta = 0f, int CRowStride = 0, int CColStride = 0)
{
    /// <summary>Length of the result: Batch * M * N.</summary>
    public int OutputLength => Batch * M * N;
}

/// <summary>
/// Geometry of a 2-D convolution (NCHW input, OIHW weights); kernels do no shape logic beyond this. Build it with
/// named arguments: a transposed convolution describes the convolution it transposes, so its C and O (H and OH) are
/// the op's output and input.
/// </summary>
/// <param name="N">Batch size.</param>
/// <param name="C">Input channels.</param>
/// <param name="H">Input height.</param>
/// <param name="W">Input width.</param>
/// <param name="O">Output channels.</param>
/// <param name="KH">Kernel height.</param>
/// <param name="KW">Kernel width.</param>
/// <param name="OH">Output height.</param>
/// <param name="OW">Output width.</param>
/// <param name="StrideH">Vertical stride.</param>
/// <param name="StrideW">Horizontal stride.</param>
/// <param name="PadTop">Zero rows added above.</param>
/// <param name="PadLeft">Zero columns added on the left.</param>
/// <param name="DilationH">Vertical dilation.</param>
/// <param name="DilationW">Horizontal dilation.</param>
/// <param name="Groups">Channel groups (C and O are multiples of it).</param>
public readonly record struct Conv2dGeometry(int N, int C, int H, int W, int O, int KH, int KW, int OH, int OW,
    int StrideH, int StrideW, int PadTop, int PadLeft, int DilationH, int DilationW, int Groups)
{
    /// <summary>Input channels per group.</summary>
    public int GroupInputChannels => C / Groups;

    /// <summary>Output channels per group.</summary>
    public int GroupOutputChannels => O / Groups;

    /// <summary>True when the convolution is a plain per-pixel matrix product (1x1, stride 1, no padding).</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && StrideH == 1 && StrideW == 1 && PadTop == 0 && PadLeft == 0 && OH == H && OW == W;
}
