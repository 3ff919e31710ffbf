// MaxPool, AveragePool (1-D and 2-D; auto_pad, ceil_mode, dilations, count_include_pad), GlobalAveragePool,
// GlobalMaxPool. https://onnx.ai/onnx/operators/onnx__MaxPool.html. MaxPool's optional Indices output and
// storage_order=1 are not supported.
using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Ops;

internal static class PoolHandlers
{
    public static void Register(OpRegistry r)
    {
        r.Add("MaxPool", 1, c => Pool(c, max: true));
        r.Add("AveragePool", 1, c => Pool(c, max: false));
        r.Add("GlobalAveragePool", 1, a => [ElementwiseHandlers.Float(a, 0, Global(a, max: false))]);
        r.Add("GlobalMaxPool", 1, a => [ElementwiseHandlers.Float(a, 0, Global(a, max: true))]);
    }

    private static Tensor Global(Args a, bool max)
    {
        var x = a.Tensor(0);
        if (x.Rank == 4) return max ? x.GlobalMaxPool() : x.GlobalAveragePool();
        if (x.Rank < 3) throw a.Fail($"input {x.Shape} needs rank 3 or more");
        var axes = Enumerable.Range(2, x.Rank - 2).ToArray();
        return max ? x.Max(axes, keepDims: true) : x.Mean(axes, keepDims: true);
    }

    private static Kernel Pool(NodeContext c, bool max)
    {
        var s = SpatialAttrs.Read(c, dilations: max ? c.Opset >= 10 : c.Opset >= 19);
        bool ceil = c.Opset >= 10 && c.Int("ceil_mode", 0) != 0;
        bool includePad = !max && c.Opset >= 7 && c.Int("count_include_pad", 0) != 0;
        if (max && c.Opset >= 8) c.IntIn("storage_order", 0, 0);
        if (s.Kernel is null) throw c.Fail("kernel_shape is required");
        if (c.HasOutput(1)) throw c.Fail("the Indices output is not supported");
        return a =>
        {
            var x = a.Tensor(0);
            int sr = SpatialAttrs.SpatialRank(a, x.Rank);
            var k = SpatialAttrs.To2d(s.Kernel, sr, 1, a, "kernel_shape");
            var stride = SpatialAttrs.To2d(s.Strides, sr, 1, a, "strides");
            var dil = SpatialAttrs.To2d(s.Dilations, sr, 1, a, "dilations");
            var xd = x.Shape.ToArray();
            var inSize = sr == 1 ? new[] { 1, xd[2] } : new[] { xd[2], xd[3] };
            var (pt, pl, pb, pr) = s.ResolvePads(a, sr, inSize, k, stride, dil);
            s.CheckRanges(a, SpatialOpKind.Pooling, x.Shape, sr, inSize, k, stride, dil, (pt, pl, pb, pr), ceil: ceil);
            var opt = new Pool2dOptions(k[0], k[1], stride[0], stride[1], pt, pl, pb, pr, dil[0], dil[1], ceil, includePad);
            var x4 = sr == 1 ? x.Reshape(xd[0], xd[1], 1, xd[2]) : x;
            var y = max ? x4.MaxPool2d(opt) : x4.AvgPool2d(opt);
            if (sr == 1) y = y.Reshape(y.Shape[0], y.Shape[1], y.Shape[3]);
            return [ElementwiseHandlers.Float(a, 0, y)];
        };
    }
}
