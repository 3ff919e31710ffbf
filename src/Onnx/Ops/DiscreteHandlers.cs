// Ops whose derivative is zero almost everywhere: Floor, Ceil, Round (half to even), Sign, ArgMax, ArgMin
// (select_last_index >= 12). Their results are computed on the host and carry no gradient (a zero gradient is the
// correct one). https://onnx.ai/onnx/operators/onnx__ArgMax.html
using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Ops;

internal static class DiscreteHandlers
{
    public static void Register(OpRegistry r)
    {
        Piecewise(r, "Floor", MathF.Floor);
        Piecewise(r, "Ceil", MathF.Ceiling);
        Piecewise(r, "Round", v => MathF.Round(v, MidpointRounding.ToEven));
        Piecewise(r, "Sign", v => float.IsNaN(v) ? v : MathF.Sign(v));
        r.Add("ArgMax", 1, c => Arg(c, max: true));
        r.Add("ArgMin", 1, c => Arg(c, max: false));
    }

    private static void Piecewise(OpRegistry r, string op, Func<float, float> f)
    {
        r.Add(op, 1, c =>
        {
            return a =>
            {
                if (a.Value(0) is HostValue h)
                    return [op == "Sign" ? HostMath.Unary(h, v => Math.Sign(v)) : h];
                var x = a.Tensor(0).ToArray();
                for (int i = 0; i < x.Length; i++) x[i] = f(x[i]);
                return [ElementwiseHandlers.Float(a, 0, Tensor.FromArray(a.Backend, x, a.Dims(0)))];
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
            var x = a.Value(0) is HostValue h ? h.Data.Select(v => (double)v).ToArray() : a.Tensor(0).ToArray().Select(v => (double)v).ToArray();
            int outer = dims.Take(ax).Aggregate(1, (p, q) => p * q), n = dims[ax], inner = dims.Skip(ax + 1).Aggregate(1, (p, q) => p * q);
            var res = new long[outer * inner];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int best = 0;
                    double bv = x[o * n * inner + i];
                    for (int k = 1; k < n; k++)
                    {
                        double v = x[(o * n + k) * inner + i];
                        bool better = max ? (last ? v >= bv : v > bv) : (last ? v <= bv : v < bv);
                        if (better) { best = k; bv = v; }
                    }
                    res[o * inner + i] = best;
                }
            var outDims = keep ? dims.Select((d, i) => i == ax ? 1 : d).ToArray() : dims.Where((_, i) => i != ax).ToArray();
            return [HostValue.Int64(res, outDims)];
        };
    }
}
