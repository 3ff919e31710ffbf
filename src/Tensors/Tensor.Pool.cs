using FeatureViz.Tensors.Backends;

namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>2-D max pooling over NCHW input (ONNX MaxPool semantics; padding never wins).</summary>
    public Tensor MaxPool2d(Pool2dOptions options)
    {
        var g = PoolGeometry("MaxPool2d", options);
        return MaxPool("MaxPool2d", g);
    }

    /// <summary>2-D average pooling over NCHW input (ONNX AveragePool semantics).</summary>
    public Tensor AvgPool2d(Pool2dOptions options)
    {
        var g = PoolGeometry("AvgPool2d", options);
        return AvgPool("AvgPool2d", g);
    }

    /// <summary>Mean over H and W, keeping them as size 1: [N, C, 1, 1].</summary>
    public Tensor GlobalAveragePool() => AvgPool("GlobalAveragePool", GlobalGeometry("GlobalAveragePool"));

    /// <summary>Max over H and W, keeping them as size 1: [N, C, 1, 1].</summary>
    public Tensor GlobalMaxPool() => MaxPool("GlobalMaxPool", GlobalGeometry("GlobalMaxPool"));

    private Tensor MaxPool(string op, Pool2dGeometry g)
    {
        var x = this;
        var outShape = TensorLimits.OutputShape(op, [g.N, g.C, g.OutH, g.OutW]);
        var y = Backend.MaxPool2d(Storage, g);
        return Record(op, y, outShape, [x],
            (dy, _) => [Result(x.Backend.MaxPool2dBackward(x.Storage, dy.Storage, g), x.Shape)]);
    }

    private Tensor AvgPool(string op, Pool2dGeometry g)
    {
        var x = this;
        var outShape = TensorLimits.OutputShape(op, [g.N, g.C, g.OutH, g.OutW]);
        var y = Backend.AvgPool2d(Storage, g);
        return Record(op, y, outShape, [x],
            (dy, _) => [Result(x.Backend.AvgPool2dBackward(dy.Storage, g), x.Shape)]);
    }

    private Pool2dGeometry GlobalGeometry(string op)
    {
        if (Rank != 4) throw new ArgumentException($"{op}: input {Shape} is not NCHW (rank 4).");
        if (Shape[2] == 0 || Shape[3] == 0) throw new ArgumentException($"{op}: input {Shape} has an empty spatial plane.");
        return new Pool2dGeometry(N: Shape[0], C: Shape[1], H: Shape[2], W: Shape[3], OutH: 1, OutW: 1, KernelH: Shape[2], KernelW: Shape[3]);
    }

    /// <summary>Validates pooling options against the input (<see cref="SpatialGeometry"/>) and computes the output size with the ONNX rules.</summary>
    private Pool2dGeometry PoolGeometry(string op, Pool2dOptions o)
    {
        if (Rank != 4) throw new ArgumentException($"{op}: input {Shape} is not NCHW (rank 4).");
        int h = Shape[2], w = Shape[3];
        var (outH, outW) = SpatialGeometry.Resolve(op, SpatialOpKind.Pooling, $"input {Shape}",
            new SpatialAxis(h, o.KernelH, o.StrideH, o.DilationH, o.PadTop, o.PadBottom, CeilMode: o.CeilMode),
            new SpatialAxis(w, o.KernelW, o.StrideW, o.DilationW, o.PadLeft, o.PadRight, CeilMode: o.CeilMode), "options");
        TensorLimits.OutputShape(op, [Shape[0], Shape[1], outH, outW], "options",
            $"kernel ({o.KernelH}, {o.KernelW}), strides ({o.StrideH}, {o.StrideW}), dilations ({o.DilationH}, {o.DilationW}), pads ({o.PadTop}, {o.PadLeft}, {o.PadBottom}, {o.PadRight}), input {Shape}");
        return new Pool2dGeometry(N: Shape[0], C: Shape[1], H: h, W: w, OutH: (int)outH, OutW: (int)outW, KernelH: o.KernelH, KernelW: o.KernelW,
            StrideH: o.StrideH, StrideW: o.StrideW, PadTop: o.PadTop, PadLeft: o.PadLeft, PadBottom: o.PadBottom, PadRight: o.PadRight,
            DilationH: o.DilationH, DilationW: o.DilationW, CountIncludePad: o.CountIncludePad);
    }
}

/// <summary>Pooling geometry (ONNX MaxPool / AveragePool attributes with explicit pads).</summary>
public readonly record struct Pool2dOptions(
    int KernelH, int KernelW,
    int StrideH = 1, int StrideW = 1,
    int PadTop = 0, int PadLeft = 0, int PadBottom = 0, int PadRight = 0,
    int DilationH = 1, int DilationW = 1,
    bool CeilMode = false,
    bool CountIncludePad = false);
