namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>2-D max pooling over NCHW input (ONNX MaxPool semantics; padding never wins).</summary>
    public Tensor MaxPool2d(Pool2dOptions options) => throw new NotImplementedException("MaxPool2d: pending");

    /// <summary>2-D average pooling over NCHW input (ONNX AveragePool semantics).</summary>
    public Tensor AvgPool2d(Pool2dOptions options) => throw new NotImplementedException("AvgPool2d: pending");

    /// <summary>Mean over H and W, keeping them as size 1: [N, C, 1, 1].</summary>
    public Tensor GlobalAveragePool() => throw new NotImplementedException("GlobalAveragePool: pending");

    /// <summary>Max over H and W, keeping them as size 1: [N, C, 1, 1].</summary>
    public Tensor GlobalMaxPool() => throw new NotImplementedException("GlobalMaxPool: pending");
}

/// <summary>Pooling geometry (ONNX MaxPool / AveragePool attributes with explicit pads).</summary>
public readonly record struct Pool2dOptions(
    int KernelH, int KernelW,
    int StrideH = 1, int StrideW = 1,
    int PadTop = 0, int PadLeft = 0, int PadBottom = 0, int PadRight = 0,
    int DilationH = 1, int DilationW = 1,
    bool CeilMode = false,
    bool CountIncludePad = false);

