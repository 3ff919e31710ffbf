// ReduceMean, ReduceSum, ReduceMax, ReduceMin (plus ReduceSumSquare, ReduceL2, ReduceL1,
// ReduceLogSumExp as composites): axes attribute (ReduceSum < 13, others < 18) or input, keepdims,
// noop_with_empty_axes. https://onnx.ai/onnx/operators/onnx__ReduceMean.html
using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Ops;

internal static class ReduceHandlers
{
    public static void Register(OpRegistry r)
    {
        Reduce(r, "ReduceMean", 18, (t, ax, k) => t.Mean(ax, k));
        Reduce(r, "ReduceSum", 13, (t, ax, k) => t.Sum(ax, k));
        Reduce(r, "ReduceMax", 18, (t, ax, k) => t.Max(ax, k));
        Reduce(r, "ReduceMin", 18, (t, ax, k) => t.Min(ax, k));
        Reduce(r, "ReduceSumSquare", 18, (t, ax, k) => t.Mul(t).Sum(ax, k));
        Reduce(r, "ReduceL1", 18, (t, ax, k) => t.Abs().Sum(ax, k));
        Reduce(r, "ReduceL2", 18, (t, ax, k) => t.Mul(t).Sum(ax, k).Sqrt());
        Reduce(r, "ReduceLogSumExp", 18, (t, ax, k) =>
        {
            Tensor m;
            using (FeatureViz.Tensors.Autograd.GradMode.NoGrad()) m = t.Max(ax, keepDims: true);
            var s = t.Sub(m).Exp().Sum(ax, keepDims: true).Log().Add(m);
            return k ? s : s.Reshape(t.Shape.ToArray().Where((_, i) => !ax.Contains(i)).ToArray());
        });
    }

    private static void Reduce(OpRegistry r, string op, int axesInputSince, Func<Tensor, int[], bool, Tensor> f)
    {
        r.Add(op, 1, c =>
        {
            bool inputAxes = c.Opset >= axesInputSince;
            long[]? attrAxes = inputAxes ? null : c.Ints("axes");
            bool keep = c.Int("keepdims", 1) != 0;
            bool noop = inputAxes && c.Int("noop_with_empty_axes", 0) != 0;
            return a =>
            {
                var axesL = inputAxes ? (a.Has(1) ? a.Longs(1) : null) : attrAxes;
                int rank = a.Rank(0);
                if (axesL is null || axesL.Length == 0)
                {
                    if (noop) return [a.Value(0)];
                    axesL = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
                }
                var axes = axesL.Select(v => Shape.NormalizeAxis(checked((int)v), rank, op)).Distinct().Order().ToArray();
                var y = f(a.Tensor(0), axes, keep);
                if (a.Value(0) is HostValue h)
                    return [new HostValue(h.Type, y.Shape.ToArray(), y.ToArray().Select(v => (long)Math.Round(v)).ToArray())];
                return [ElementwiseHandlers.Float(a, 0, y)];
            };
        });
    }
}
