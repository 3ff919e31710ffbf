// Ops whose derivative is zero almost everywhere: Floor, Ceil, Round (half to even), Sign, ArgMax, ArgMin
// (select_last_index >= 12). On tensors they run on the backend (unary ops whose gradient is zero; ArgMax/ArgMin as an
// index reduction with no gradient), so the graph never leaves the device; host integers (shape arithmetic) stay on
// the host. ArgMax/ArgMin of a tensor give an Int64-typed TensorValue holding the indices as floats (exact below 2^24).
// https://onnx.ai/onnx/operators/onnx__ArgMax.html
using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Ops;

namespace FeatureViz.Onnx.Ops;

internal static class DiscreteHandlers
{
    public static void Register(OpRegistry r)
    {
        Piecewise(r, "Floor", new FloorOp());
        Piecewise(r, "Ceil", new CeilOp());
        Piecewise(r, "Round", new RoundOp());
        Piecewise(r, "Sign", new SignOp(), v => Math.Sign(v));
        r.Add("ArgMax", 1, c => Arg(c, max: true));
        r.Add("ArgMin", 1, c => Arg(c, max: false));
    }

    // host: the op on host integers; null where it is the identity (Floor, Ceil, Round).
    private static void Piecewise<TOp>(OpRegistry r, string op, TOp f, Func<long, long>? host = null) where TOp : struct, IUnaryOp
    {
        r.Add(op, 1, c =>
        {
            return a =>
            {
                if (a.Value(0) is HostValue h) return [host is null ? h : HostMath.Unary(h, host)];
                return [ElementwiseHandlers.Float(a, 0, a.Tensor(0).Map(f))];
            };
        });
    }

    private static Kernel Arg(NodeContext c, bool max)
    {
        long axis = c.Int("axis", 0);
        bool keep = c.Int("keepdims", 1) != 0;
        bool last = c.Opset >= 12 && c.Int("select_last_index", 0) != 0;
        return a =>
        {
            var dims = a.Dims(0);
            int ax = Shape.NormalizeAxis((int)axis, dims.Length, c.OpType);
            if (dims[ax] == 0) throw a.Fail($"axis {ax} is empty");
            if (a.Value(0) is HostValue h) return [HostArg(h, ax, keep, max, last)];
            using var _ = FeatureViz.Tensors.Autograd.GradMode.NoGrad();
            var x = a.Tensor(0);
            var idx = max ? x.ArgMax(ax, keep, last) : x.ArgMin(ax, keep, last);
            return [new TensorValue(idx, ElemType.Int64)];
        };
    }

    private static HostValue HostArg(HostValue h, int ax, bool keep, bool max, bool last)
    {
        var dims = h.Dims;
        int outer = dims.Take(ax).Aggregate(1, (p, q) => p * q), n = dims[ax], inner = dims.Skip(ax + 1).Aggregate(1, (p, q) => p * q);
        var res = new long[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                long bv = h.Data[o * n * inner + i];
                for (int k = 1; k < n; k++)
                {
                    long v = h.Data[(o * n + k) * inner + i];
                    bool better = max ? (last ? v >= bv : v > bv) : (last ? v <= bv : v < bv);
                    if (better) { best = k; bv = v; }
                }
                res[o * inner + i] = best;
            }
        var outDims = keep ? dims.Select((d, i) => i == ax ? 1 : d).ToArray() : dims.Where((_, i) => i != ax).ToArray();
        return HostValue.Int64(res, outDims);
    }
}
