using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Ops;

namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>Applies an elementwise unary functor, recording its derivative.</summary>
    public Tensor Map<TOp>(TOp op) where TOp : struct, IUnaryOp
    {
        var x = this;
        var y = Backend.Unary(op, Storage);
        Tensor? result = null;
        result = Record(op.Name, y, Shape, [x], (g, _) => [Result(x.Backend.UnaryBackward(op, x.Storage, result!.Storage, g.Storage), x.Shape)]);
        return result;
    }

    /// <summary>Applies an elementwise broadcasting binary functor, recording both partial derivatives.</summary>
    public Tensor Zip<TOp>(TOp op, Tensor other) where TOp : struct, IBinaryOp
    {
        ArgumentNullException.ThrowIfNull(other);
        var a = this;
        var b = other;
        var backend = SameBackend(op.Name, a, b);
        var outShape = Shape.Broadcast(a.Shape, b.Shape, op.Name);
        var y = backend.Binary(op, a.Storage, a.Shape, b.Storage, b.Shape, outShape);
        return Record(op.Name, y, outShape, [a, b], (g, needs) =>
        {
            var (da, db) = backend.BinaryBackward(op, a.Storage, a.Shape, b.Storage, b.Shape, g.Storage, outShape, needs[0], needs[1]);
            return [da is null ? null : Result(da, outShape), db is null ? null : Result(db, outShape)];
        });
    }

    /// <summary>-x.</summary>
    public Tensor Neg() => Map(new NegOp());
    /// <summary>|x|.</summary>
    public Tensor Abs() => Map(new AbsOp());
    /// <summary>e^x.</summary>
    public Tensor Exp() => Map(new ExpOp());
    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Map(new LogOp());
    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Map(new SqrtOp());
    /// <summary>1 / x.</summary>
    public Tensor Reciprocal() => Map(new ReciprocalOp());
    /// <summary>Sine.</summary>
    public Tensor Sin() => Map(new SinOp());
    /// <summary>Cosine.</summary>
    public Tensor Cos() => Map(new CosOp());
    /// <summary>Arctangent, in (-pi/2, pi/2).</summary>
    public Tensor Atan() => Map(new AtanOp());
    /// <summary>max(x, 0); inside <see cref="GradMode.StraightThroughRelu"/> its gradient is the identity.</summary>
    public Tensor Relu() => Map(new ReluOp(GradMode.ReluIsStraightThrough));
    /// <summary>x for x &gt;= 0, alpha * x otherwise (ONNX default alpha 0.01).</summary>
    public Tensor LeakyRelu(float alpha = 0.01f) => Map(new LeakyReluOp(alpha));
    /// <summary>Logistic sigmoid.</summary>
    public Tensor Sigmoid() => Map(new SigmoidOp());
    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Map(new TanhOp());
    /// <summary>The error function.</summary>
    public Tensor Erf() => Map(new ErfOp());
    /// <summary>GELU; exact (erf) unless <paramref name="tanhApproximation"/>.</summary>
    public Tensor Gelu(bool tanhApproximation = false) => Map(new GeluOp(tanhApproximation));
    /// <summary>max(0, min(1, alpha x + beta)) (ONNX defaults 0.2, 0.5).</summary>
    public Tensor HardSigmoid(float alpha = 0.2f, float beta = 0.5f) => Map(new HardSigmoidOp(alpha, beta));
    /// <summary>x * HardSigmoid(x; 1/6, 0.5).</summary>
    public Tensor HardSwish() => Map(new HardSwishOp());

    /// <summary>Clamps into [min, max].</summary>
    public Tensor Clip(float min = float.NegativeInfinity, float max = float.PositiveInfinity)
    {
        if (min > max && !float.IsNaN(min))
        {
            // ONNX: when min > max every element becomes max.
            return Map(new ClipOp(max, max));
        }
        return Map(new ClipOp(min, max));
    }

    /// <summary>x^p for a constant p.</summary>
    public Tensor Pow(float exponent) => Map(new PowScalarOp(exponent));

    /// <summary>x * scale + shift with constants.</summary>
    public Tensor Affine(float scale, float shift) => Map(new AffineScalarOp(scale, shift));

    /// <summary>PRelu with a broadcast slope tensor (ONNX PRelu).</summary>
    public Tensor PRelu(Tensor slope) => Zip(new PReluOp(), slope);
    /// <summary>Broadcasting a + b.</summary>
    public Tensor Add(Tensor other) => Zip(new AddOp(), other);
    /// <summary>Broadcasting a - b.</summary>
    public Tensor Sub(Tensor other) => Zip(new SubOp(), other);
    /// <summary>Broadcasting a * b.</summary>
    public Tensor Mul(Tensor other) => Zip(new MulOp(), other);
    /// <summary>Broadcasting a / b.</summary>
    public Tensor Div(Tensor other) => Zip(new DivOp(), other);
    /// <summary>Broadcasting a ^ b.</summary>
    public Tensor Pow(Tensor exponent) => Zip(new PowOp(), exponent);
    /// <summary>Broadcasting elementwise maximum.</summary>
    public Tensor Maximum(Tensor other) => Zip(new MaxOp(), other);
    /// <summary>Broadcasting elementwise minimum.</summary>
    public Tensor Minimum(Tensor other) => Zip(new MinOp(), other);
    /// <summary>1 where a == b else 0 (no gradient).</summary>
    public Tensor Equal(Tensor other) => Zip(new EqualOp(), other);
    /// <summary>1 where a &lt; b else 0 (no gradient).</summary>
    public Tensor Less(Tensor other) => Zip(new LessOp(), other);
    /// <summary>1 where a &gt; b else 0 (no gradient).</summary>
    public Tensor Greater(Tensor other) => Zip(new GreaterOp(), other);

    /// <summary>x + c.</summary>
    public Tensor Add(float c) => Affine(1f, c);
    /// <summary>x * c.</summary>
    public Tensor Mul(float c) => Affine(c, 0f);

    /// <summary>Elementwise selection: <paramref name="condition"/> != 0 ? a : b (all broadcast). No gradient flows to the condition.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var backend = SameBackend("Where", a, b);
        SameBackend("Where", condition, a);
        var outShape = Shape.Broadcast(Shape.Broadcast(condition.Shape, a.Shape, "Where"), b.Shape, "Where");
        var y = backend.Where(condition.Storage, condition.Shape, a.Storage, a.Shape, b.Storage, b.Shape, outShape);
        return Record("Where", y, outShape, [condition, a, b], (g, needs) =>
        {
            Tensor? zeros = null;
            Tensor Zero() => zeros ??= Zeros(backend, 1);
            return
            [
                null,
                needs[1] ? Where(condition, g, Zero()) : null,
                needs[2] ? Where(condition, Zero(), g) : null,
            ];
        });
    }

    /// <summary>a + b.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>a - b.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>a * b.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>a / b.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>-a.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
    /// <summary>a + c.</summary>
    public static Tensor operator +(Tensor a, float c) => a.Add(c);
    /// <summary>a - c.</summary>
    public static Tensor operator -(Tensor a, float c) => a.Add(-c);
    /// <summary>a * c.</summary>
    public static Tensor operator *(Tensor a, float c) => a.Mul(c);
    /// <summary>c * a.</summary>
    public static Tensor operator *(float c, Tensor a) => a.Mul(c);
    /// <summary>a / c.</summary>
    public static Tensor operator /(Tensor a, float c) => a.Mul(1f / c);
}
