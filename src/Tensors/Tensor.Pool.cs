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
        var y = Backend.MaxPool2d(Storage, g);
        return Record(op, y, new Shape(g.N, g.C, g.OutH, g.OutW), [x],
            (dy, _) => [Result(x.Backend.MaxPool2dBackward(x.Storage, dy.Storage, g), x.Shape)]);
    }

    private Tensor AvgPool(string op, Pool2dGeometry g)
    {
        var x = this;
        var y = Backend.AvgPool2d(Storage, g);
        return Record(op, y, new Shape(g.N, g.C, g.OutH, g.OutW), [x],
            (dy, _) => [Result(x.Backend.AvgPool2dBackward(dy.Storage, g), x.Shape)]);
    }

    private Pool2dGeometry GlobalGeometry(string op)
    {
        if (Rank != 4) throw new ArgumentException($"{op}: input {Shape} is not NCHW (rank 4).");
        if (Shape[2] == 0 || Shape[3] == 0) throw new ArgumentException($"{op}: input {Shape} has an empty spatial plane.");
        return new Pool2dGeometry(N: Shape[0], C: Shape[1], H: Shape[2], W: Shape[3], OutH: 1, OutW: 1, KernelH: Shape[2], KernelW: Shape[3]);
    }

    /// <summary>Validates pooling options and computes the output size with the ONNX rules.</summary>
    private Pool2dGeometry PoolGeometry(string op, Pool2dOptions o)
    {
        if (Rank != 4) throw new ArgumentException($"{op}: input {Shape} is not NCHW (rank 4).");
        if (o.KernelH < 1 || o.KernelW < 1)
            throw new ArgumentException($"{op}: kernel {o.KernelH}x{o.KernelW} must be positive (input {Shape}).", nameof(o));
        if (o.StrideH < 1 || o.StrideW < 1)
            throw new ArgumentException($"{op}: stride {o.StrideH}x{o.StrideW} must be positive (input {Shape}).", nameof(o));
        if (o.DilationH < 1 || o.DilationW < 1)
            throw new ArgumentException($"{op}: dilation {o.DilationH}x{o.DilationW} must be positive (input {Shape}).", nameof(o));
        if (o.PadTop < 0 || o.PadLeft < 0 || o.PadBottom < 0 || o.PadRight < 0)
            throw new ArgumentException($"{op}: pads (top {o.PadTop}, left {o.PadLeft}, bottom {o.PadBottom}, right {o.PadRight}) must not be negative (input {Shape}).", nameof(o));
        int h = Shape[2], w = Shape[3];
        int outH = OutSize(op, "height", h, o.KernelH, o.StrideH, o.PadTop, o.PadBottom, o.DilationH, o.CeilMode);
        int outW = OutSize(op, "width", w, o.KernelW, o.StrideW, o.PadLeft, o.PadRight, o.DilationW, o.CeilMode);
        return new Pool2dGeometry(N: Shape[0], C: Shape[1], H: h, W: w, OutH: outH, OutW: outW, KernelH: o.KernelH, KernelW: o.KernelW,
            StrideH: o.StrideH, StrideW: o.StrideW, PadTop: o.PadTop, PadLeft: o.PadLeft, PadBottom: o.PadBottom, PadRight: o.PadRight,
            DilationH: o.DilationH, DilationW: o.DilationW, CountIncludePad: o.CountIncludePad);

        int OutSize(string opName, string what, int size, int k, int s, int p0, int p1, int d, bool ceil)
        {
            long effective = (long)d * (k - 1) + 1;
            long span = size + (long)p0 + p1 - effective;
            if (span < 0)
                throw new ArgumentException($"{opName}: kernel {o.KernelH}x{o.KernelW} (dilation {o.DilationH}x{o.DilationW}) is larger than the padded input {what} {size + (long)p0 + p1} of input {Shape}.", nameof(o));
            long n = (ceil ? (span + s - 1) / s : span / s) + 1;
            // Ceil mode: the last window must start inside the input or the left padding.
            if (ceil && (n - 1) * s >= size + (long)p0) n--;
            return (int)n;
        }
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
