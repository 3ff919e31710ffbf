// BatchNormalization (inference; pre-9 spatial=0 per-activation statistics), LRN, LayerNormalization (with its
// optional Mean/InvStdDev outputs), Softmax and LogSoftmax (pre-13: coerce to 2-D at axis; 13+: one axis).
// https://onnx.ai/onnx/operators/onnx__BatchNormalization.html, ...LRN, ...LayerNormalization, ...Softmax.
using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Ops;

internal static class NormHandlers
{
    public static void Register(OpRegistry r)
    {
        r.Add("BatchNormalization", 1, BatchNorm);
        r.Add("LRN", 1, c =>
        {
            long size = c.IntOrNull("size") ?? throw c.Fail("attribute size is required");
            float alpha = c.Float("alpha", 1e-4f), beta = c.Float("beta", 0.75f), bias = c.Float("bias", 1f);
            return a => [ElementwiseHandlers.Float(a, 0, a.Tensor(0).Lrn(checked((int)size), alpha, beta, bias))];
        });
        r.Add("LayerNormalization", 17, LayerNorm);
        r.Add("Softmax", 1, c => SoftmaxLike(c, log: false));
        r.Add("LogSoftmax", 1, c => SoftmaxLike(c, log: true));
    }

    private static Kernel BatchNorm(NodeContext c)
    {
        float eps = c.Float("epsilon", 1e-5f);
        c.Ignore("momentum");
        if (c.Opset < 7) c.Ignore("is_test");
        bool spatial = c.Opset >= 9 || c.Int("spatial", 1) != 0;
        if (c.Opset >= 14 && c.Int("training_mode", 0) != 0) throw c.Fail("training_mode=1 is not supported (inference only)");
        return a =>
        {
            var x = a.Tensor(0);
            Tensor scale = a.Tensor(1), bias = a.Tensor(2), mean = a.Tensor(3), var = a.Tensor(4);
            Tensor y;
            if (spatial && scale.Rank == 1) y = x.BatchNorm(scale, bias, mean, var, eps);
            else
            {
                // Per-activation statistics: parameters [C, D1, ...] broadcast over the batch.
                Tensor P(Tensor p) => p.Rank == x.Rank - 1 ? p.Unsqueeze(0) : p;
                y = x.Sub(P(mean)).Div(P(var).Add(eps).Sqrt()).Mul(P(scale)).Add(P(bias));
            }
            return [ElementwiseHandlers.Float(a, 0, y), mean, var];
        };
    }

    private static Kernel LayerNorm(NodeContext c)
    {
        long axis = c.Int("axis", -1);
        float eps = c.Float("epsilon", 1e-5f);
        c.IntIn("stash_type", 1, 1);
        bool extra = c.HasOutput(1) || c.HasOutput(2);
        return a =>
        {
            var x = a.Tensor(0);
            int ax = Shape.NormalizeAxis((int)axis, x.Rank, "LayerNormalization");
            var y = x.LayerNorm(a.Tensor(1), a.TensorOrNull(2), ax, eps);
            if (!extra) return [ElementwiseHandlers.Float(a, 0, y)];
            var axes = Enumerable.Range(ax, x.Rank - ax).ToArray();
            var mean = x.Mean(axes, keepDims: true);
            var d = x.Sub(mean);
            var inv = d.Mul(d).Mean(axes, keepDims: true).Add(eps).Sqrt().Reciprocal();
            return [ElementwiseHandlers.Float(a, 0, y), mean, inv];
        };
    }

    private static Kernel SoftmaxLike(NodeContext c, bool log)
    {
        bool legacy = c.Opset < 13;
        long axis = c.Int("axis", legacy ? 1 : -1);
        return a =>
        {
            var x = a.Tensor(0);
            int ax = Shape.NormalizeAxis((int)axis, Math.Max(x.Rank, 1), c.OpType);
            if (!legacy || ax == x.Rank - 1)
                return [ElementwiseHandlers.Float(a, 0, log ? x.LogSoftmax(ax) : x.Softmax(ax))];
            var dims = x.Shape.ToArray();
            int outer = dims.Take(ax).Aggregate(1, (p, q) => p * q);
            int inner = dims.Skip(ax).Aggregate(1, (p, q) => p * q);
            var x2 = x.Reshape(outer, inner);
            var y = log ? x2.LogSoftmax(1) : x2.Softmax(1);
            return [ElementwiseHandlers.Float(a, 0, y.Reshape(dims))];
        };
    }
}
