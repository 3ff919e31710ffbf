namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>NumPy matmul: batched, broadcast batch dimensions, 1-D operands promoted and the added axis removed.</summary>
    public Tensor MatMul(Tensor other) => throw new NotImplementedException("MatMul: pending");

    /// <summary>ONNX Gemm: alpha * op(A) * op(B) + beta * C, with C broadcast to [M, N].</summary>
    public static Tensor Gemm(Tensor a, Tensor b, Tensor? c, GemmOptions options) => throw new NotImplementedException("Gemm: pending");

    /// <summary>2-D convolution of NCHW input with OIHW (O, C/groups, kH, kW) weights and an optional bias [O].</summary>
    public Tensor Conv2d(Tensor weight, Tensor? bias, Conv2dOptions options) => throw new NotImplementedException("Conv2d: pending");

    /// <summary>2-D transposed convolution: weights (C_in, C_out/groups, kH, kW), as ONNX ConvTranspose / PyTorch.</summary>
    public Tensor ConvTranspose2d(Tensor weight, Tensor? bias, ConvTranspose2dOptions options) => throw new NotImplementedException("ConvTranspose2d: pending");
}

/// <summary>Options of <see cref="Tensor.Gemm"/>.</summary>
public readonly record struct GemmOptions(float Alpha = 1f, float Beta = 1f, bool TransA = false, bool TransB = false);

/// <summary>Convolution geometry: strides, asymmetric padding, dilations and groups.</summary>
public readonly record struct Conv2dOptions(
    int StrideH = 1, int StrideW = 1,
    int PadTop = 0, int PadLeft = 0, int PadBottom = 0, int PadRight = 0,
    int DilationH = 1, int DilationW = 1,
    int Groups = 1);

/// <summary>Transposed-convolution geometry (ONNX ConvTranspose attributes with explicit pads).</summary>
public readonly record struct ConvTranspose2dOptions(
    int StrideH = 1, int StrideW = 1,
    int PadTop = 0, int PadLeft = 0, int PadBottom = 0, int PadRight = 0,
    int DilationH = 1, int DilationW = 1,
    int OutputPaddingH = 0, int OutputPaddingW = 0,
    int Groups = 1);
