// Elementwise ONNX ops: unary activations, broadcasting arithmetic (variadic Sum/Mean/Max/Min), Clip, comparisons,
// logical ops and Where. Float data runs as Tensor ops (with gradients); integer data (shape arithmetic) is computed on
// the host. A comparison or logical op with a tensor operand stays on the backend: its result is a 0/1 float mask
// tensor typed Bool (a TensorValue), which Where, Not, And, Or, Xor and Cast to a floating type consume in place.
// https://onnx.ai/onnx/operators/ (Relu, Add, Clip, Where, ...). Opsets 1-25; pre-7 binary ops take the legacy
// broadcast/axis attributes, pre-6 ops the ignored consumed_inputs attribute.
using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Ops;

namespace FeatureViz.Onnx.Ops;

internal static class ElementwiseHandlers
{
    public static void Register(OpRegistry r)
    {
        Unary(r, "Relu", t => t.Relu(), x => Math.Max(x, 0));
        Unary(r, "Sigmoid", t => t.Sigmoid());
        Unary(r, "Tanh", t => t.Tanh());
        Unary(r, "Exp", t => t.Exp());
        Unary(r, "Log", t => t.Log());
        Unary(r, "Sqrt", t => t.Sqrt());
        Unary(r, "Neg", t => t.Neg(), x => -x);
        Unary(r, "Abs", t => t.Abs(), Math.Abs);
        Unary(r, "Reciprocal", t => t.Reciprocal());
        Unary(r, "Erf", t => t.Erf());
        Unary(r, "Sin", t => t.Sin());
        Unary(r, "Cos", t => t.Cos());
        Unary(r, "HardSwish", t => t.HardSwish());
        r.Add("LeakyRelu", 1, c =>
        {
            Legacy(c);
            var alpha = c.Float("alpha", 0.01f);
            return a => [Float(a, 0, a.Tensor(0).LeakyRelu(alpha))];
        });
        r.Add("HardSigmoid", 1, c =>
        {
            Legacy(c);
            float alpha = c.Float("alpha", 0.2f), beta = c.Float("beta", 0.5f);
            return a => [Float(a, 0, a.Tensor(0).HardSigmoid(alpha, beta))];
        });
        r.Add("Gelu", 20, c =>
        {
            bool tanh = c.StringIn("approximate", "none", "none", "tanh") == "tanh";
            return a => [Float(a, 0, a.Tensor(0).Gelu(tanh))];
        });
        r.Add("PRelu", 1, c =>
        {
            Legacy(c);
            return a => [Float(a, 0, a.Tensor(0).PRelu(LegacyUnidirectional(a)))];
        });

        Binary(r, "Add", (x, y) => x.Add(y), (x, y) => x + y);
        Binary(r, "Sub", (x, y) => x.Sub(y), (x, y) => x - y);
        Binary(r, "Mul", (x, y) => x.Mul(y), (x, y) => x * y);
        Binary(r, "Div", (x, y) => x.Div(y), (x, y) => y == 0 ? throw new DivideByZeroException("Div: integer division by zero.") : x / y);
        Binary(r, "Pow", (x, y) => x.Pow(y), (x, y) => (long)Math.Pow(x, y), PowHostExponent);
        Compare(r, "Equal", new EqualOp(), (x, y) => x == y);
        Compare(r, "Less", new LessOp(), (x, y) => x < y);
        Compare(r, "Greater", new GreaterOp(), (x, y) => x > y);
        Compare(r, "LessOrEqual", new LessOrEqualOp(), (x, y) => x <= y);
        Compare(r, "GreaterOrEqual", new GreaterOrEqualOp(), (x, y) => x >= y);
        Compare(r, "And", new AndOp(), (x, y) => x != 0 && y != 0);
        Compare(r, "Or", new OrOp(), (x, y) => x != 0 || y != 0);
        Compare(r, "Xor", new XorOp(), (x, y) => (x != 0) != (y != 0));

        Variadic(r, "Sum", (x, y) => x.Add(y), (x, y) => x + y);
        Variadic(r, "Max", (x, y) => x.Maximum(y), Math.Max);
        Variadic(r, "Min", (x, y) => x.Minimum(y), Math.Min);
        Variadic(r, "Mean", (x, y) => x.Add(y), null);

        r.Add("Clip", 1, c =>
        {
            Legacy(c);
            float min = c.Float("min", float.NegativeInfinity), max = c.Float("max", float.PositiveInfinity);
            return a => [ClipValue(a, min, max)];
        });
        r.Add("Clip", 11, c => a =>
        {
            float min = a.ScalarOrNull(1) ?? float.NegativeInfinity, max = a.ScalarOrNull(2) ?? float.PositiveInfinity;
            return [ClipValue(a, min, max)];
        });

        r.Add("Where", 9, a =>
        {
            if (a.IsHost(1) && a.IsHost(2))
                return [HostMath.Where(AsHost(a, 0), (HostValue)a.Value(1), (HostValue)a.Value(2))];
            return [Float(a, 1, Tensor.Where(a.Tensor(0), a.Tensor(1), a.Tensor(2)))];
        });
        r.Add("Not", 1, a => a.Value(0) is HostValue h
            ? [HostMath.Unary(h, x => x == 0 ? 1 : 0)]
            : [Mask(a.Tensor(0), static t => t.Map(new NotOp()))]);
    }

    /// <summary>Pre-opset-6 ops carry consumed_inputs (an optimisation hint with no effect on the result).</summary>
    private static void Legacy(NodeContext c)
    {
    }

    public static TensorValue Float(Args a, int like, Tensor t) =>
        new(t, a.Value(like).Type is var ty && ElemTypes.IsFloating(ty) ? ty : ElemType.Float);

    /// <summary>The value as host integers (a device mask is downloaded: only for results that are host data anyway).</summary>
    public static HostValue AsHost(Args a, int i) => a.Value(i) as HostValue ?? new HostValue(ElemType.Bool, a.Dims(i), a.Longs(i));

    /// <summary>A 0/1 mask computed on the backend, typed Bool. Masks carry no gradient, so nothing is recorded.</summary>
    public static TensorValue Mask(Tensor x, Func<Tensor, Tensor> f)
    {
        using var _ = FeatureViz.Tensors.Autograd.GradMode.NoGrad();
        return new TensorValue(f(x), ElemType.Bool);
    }

    private static void Unary(OpRegistry r, string op, Func<Tensor, Tensor> f, Func<long, long>? host = null)
    {
        r.Add(op, 1, c =>
        {
            Legacy(c);
            return a =>
            {
                if (host is not null && a.Value(0) is HostValue h) return [HostMath.Unary(h, host)];
                return [Float(a, 0, f(a.Tensor(0)))];
            };
        });
    }


    /// <summary>Before opset 7, binary ops broadcast only when broadcast=1, aligning B at <c>axis</c> of A.</summary>
    // hostRight: when set, the op for a tensor left operand and a host right operand (which then needs no upload);
    // it returns null where it does not apply.
    private static void Binary(OpRegistry r, string op, Func<Tensor, Tensor, Tensor> f, Func<long, long, long> host,
        Func<Tensor, HostValue, Tensor?>? hostRight = null)
    {
        r.Add(op, 1, c =>
        {
            Legacy(c);
            var operands = Operands(c);
            return a =>
            {
                var (x, y) = operands(a);
                if (x is HostValue hx && y is HostValue hy) return [HostMath.Binary(hx, hy, host, op)];
                if (x is TensorValue tx && y is HostValue h && hostRight?.Invoke(tx.Tensor, h) is { } t) return [Float(a, 0, t)];
                return [Float(a, x is TensorValue ? 0 : 1, f(a.Tensor(x), a.Tensor(y)))];
            };
        });
    }

    /// <summary>An integer exponent already on the host (a folded constant) runs as the unary scalar power.</summary>
    private static Tensor? PowHostExponent(Tensor x, HostValue y) =>
        y.Data.Length == 1 && y.Rank <= x.Rank ? x.Pow(y.Data[0]) : null;

    /// <summary>The two operands of a binary node, with the broadcast attributes of opsets below 7 applied.</summary>
    private static Func<Args, (Value X, Value Y)> Operands(NodeContext c)
    {
        bool legacy = c.Opset < 7;
        long broadcast = legacy ? c.Int("broadcast", 0) : 0;
        long? axis = legacy ? c.IntOrNull("axis") : null;
        return a =>
        {
            var (x, y) = (a.Value(0), a.Value(1));
            return (x, legacy ? LegacyBroadcast(a, x, y, broadcast != 0, axis) : y);
        };
    }

    private static Value LegacyBroadcast(Args a, Value x, Value y, bool broadcast, long? axis)
    {
        if (!broadcast)
        {
            if (!x.Dims.SequenceEqual(y.Dims)) throw a.Fail($"shapes [{string.Join(", ", x.Dims)}] and [{string.Join(", ", y.Dims)}] differ and broadcast=0");
            return y;
        }
        if (axis is null || y.Rank == 0) return y;
        int ax = (int)(axis < 0 ? axis + x.Rank : axis);
        if (ax < 0 || ax + y.Rank > x.Rank) throw a.Fail($"axis {axis} does not fit B [{string.Join(", ", y.Dims)}] into A [{string.Join(", ", x.Dims)}]");
        var dims = new int[x.Rank - ax];
        for (int i = 0; i < dims.Length; i++) dims[i] = i < y.Rank ? y.Dims[i] : 1;
        return y switch
        {
            TensorValue t => new TensorValue(t.Tensor.Reshape(dims), t.Type),
            HostValue h => new HostValue(h.Type, dims, h.Data),
            _ => y,
        };
    }

    private static Tensor LegacyUnidirectional(Args a)
    {
        var slope = a.Tensor(1);
        // Opset < 7 PRelu slopes of shape [C] apply per channel of an NCHW input.
        if (a.Node.Opset < 7 && slope.Rank == 1 && a.Rank(0) > 2 && slope.Numel == a.Dims(0)[1] && slope.Numel != a.Dims(0)[^1])
        {
            var d = Enumerable.Repeat(1, a.Rank(0) - 1).ToArray();
            d[0] = slope.Numel;
            return slope.Reshape(d);
        }
        return slope;
    }

    /// <summary>A comparison or logical op: on the host when both operands are host integers, else a backend mask.</summary>
    private static void Compare<TOp>(OpRegistry r, string op, TOp f, Func<long, long, bool> host) where TOp : struct, IBinaryOp
    {
        r.Add(op, 1, c =>
        {
            var operands = Operands(c);
            return a =>
            {
                var (x, y) = operands(a);
                if (x is HostValue hx && y is HostValue hy) return [HostMath.Binary(hx, hy, (p, q) => host(p, q) ? 1 : 0, op, ElemType.Bool)];
                var right = a.Tensor(y);
                return [Mask(a.Tensor(x), t => t.Zip(f, right))];
            };
        });
    }

    private static void Variadic(OpRegistry r, string op, Func<Tensor, Tensor, Tensor> f, Func<long, long, long>? host)
    {
        r.Add(op, 1, c =>
        {
            Legacy(c);
            return a =>
            {
                if (a.Count == 0) throw a.Fail("needs at least one input");
                if (host is not null && Enumerable.Range(0, a.Count).All(a.IsHost))
                {
                    var acc = (HostValue)a.Value(0);
                    for (int i = 1; i < a.Count; i++) acc = HostMath.Binary(acc, (HostValue)a.Value(i), host, op);
                    return [acc];
                }
                var t = a.Tensor(0);
                if (a.Count == 1) t = t.Mul(1f);
                for (int i = 1; i < a.Count; i++) t = f(t, a.Tensor(i));
                if (op == "Mean") t = t.Mul(1f / a.Count);
                return [Float(a, 0, t)];
            };
        });
    }

    private static Value ClipValue(Args a, float min, float max)
    {
        if (a.Value(0) is HostValue h)
        {
            long lo = float.IsNegativeInfinity(min) ? long.MinValue : (long)min, hi = float.IsPositiveInfinity(max) ? long.MaxValue : (long)max;
            return HostMath.Unary(h, x => lo > hi ? hi : Math.Clamp(x, lo, hi));
        }
        return Float(a, 0, a.Tensor(0).Clip(min, max));
    }
}
