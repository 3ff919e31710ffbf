namespace FeatureViz.Tensors.Ops;

#pragma warning disable CS1591 // the functors are self-describing one-liners; their Tensor methods carry the docs

public readonly struct NegOp : IUnaryOp
{
    public string Name => "Neg";
    public float Forward(float x) => -x;
    public float Backward(float x, float y, float dy) => -dy;
}

public readonly struct AbsOp : IUnaryOp
{
    public string Name => "Abs";
    public float Forward(float x) => MathF.Abs(x);
    public float Backward(float x, float y, float dy) => x > 0 ? dy : x < 0 ? -dy : 0f;
}

public readonly struct ExpOp : IUnaryOp
{
    public string Name => "Exp";
    public float Forward(float x) => MathF.Exp(x);
    public float Backward(float x, float y, float dy) => dy * y;
}

public readonly struct LogOp : IUnaryOp
{
    public string Name => "Log";
    public float Forward(float x) => MathF.Log(x);
    public float Backward(float x, float y, float dy) => dy / x;
}

public readonly struct SqrtOp : IUnaryOp
{
    public string Name => "Sqrt";
    public float Forward(float x) => MathF.Sqrt(x);
    public float Backward(float x, float y, float dy) => dy * 0.5f / y;
}

public readonly struct ReciprocalOp : IUnaryOp
{
    public string Name => "Reciprocal";
    public float Forward(float x) => 1f / x;
    public float Backward(float x, float y, float dy) => -dy * y * y;
}

public readonly struct SinOp : IUnaryOp
{
    public string Name => "Sin";
    public float Forward(float x) => MathF.Sin(x);
    public float Backward(float x, float y, float dy) => dy * MathF.Cos(x);
}

public readonly struct CosOp : IUnaryOp
{
    public string Name => "Cos";
    public float Forward(float x) => MathF.Cos(x);
    public float Backward(float x, float y, float dy) => -dy * MathF.Sin(x);
}

public readonly struct AtanOp : IUnaryOp
{
    public string Name => "Atan";
    public float Forward(float x) => MathF.Atan(x);
    public float Backward(float x, float y, float dy) => dy / (1f + x * x);
}

/// <summary>ReLU; with <see cref="StraightThrough"/> its gradient is the identity (feature-visualization warm-up).</summary>
public readonly struct ReluOp(bool straightThrough) : IUnaryOp
{
    // An int, not a bool: the GPU kernels take the op struct as an argument, and OpenCL forbids bool kernel arguments.
    private readonly int _straightThrough = straightThrough ? 1 : 0;
    public bool StraightThrough => _straightThrough != 0;
    public string Name => "Relu";
    public float Forward(float x) => x > 0 ? x : 0f;
    public float Backward(float x, float y, float dy) => StraightThrough || x > 0 ? dy : 0f;
}

public readonly struct LeakyReluOp(float alpha) : IUnaryOp
{
    public float Alpha { get; } = alpha;
    public string Name => "LeakyRelu";
    public float Forward(float x) => x >= 0 ? x : Alpha * x;
    public float Backward(float x, float y, float dy) => x >= 0 ? dy : Alpha * dy;
}

public readonly struct SigmoidOp : IUnaryOp
{
    public string Name => "Sigmoid";
    public float Forward(float x) => x >= 0 ? 1f / (1f + MathF.Exp(-x)) : MathF.Exp(x) / (1f + MathF.Exp(x));
    public float Backward(float x, float y, float dy) => dy * y * (1f - y);
}

public readonly struct TanhOp : IUnaryOp
{
    public string Name => "Tanh";
    public float Forward(float x) => MathF.Tanh(x);
    public float Backward(float x, float y, float dy) => dy * (1f - y * y);
}

public readonly struct ErfOp : IUnaryOp
{
    public string Name => "Erf";
    public float Forward(float x) => (float)SpecialFunctions.Erf(x);
    public float Backward(float x, float y, float dy) => dy * (float)(2.0 / Math.Sqrt(Math.PI) * Math.Exp(-(double)x * x));
}

/// <summary>GELU, exact (erf) or the tanh approximation, as ONNX Gelu's <c>approximate</c> attribute.</summary>
public readonly struct GeluOp(bool tanhApproximation) : IUnaryOp
{
    private const double C = 0.7978845608028654; // sqrt(2 / pi)
    private readonly int _tanhApproximation = tanhApproximation ? 1 : 0; // not a bool: see ReluOp
    public bool TanhApproximation => _tanhApproximation != 0;
    public string Name => "Gelu";

    public float Forward(float x)
    {
        double v = x;
        return TanhApproximation
            ? (float)(0.5 * v * (1 + Math.Tanh(C * (v + 0.044715 * v * v * v))))
            : (float)(0.5 * v * (1 + SpecialFunctions.Erf(v / Math.Sqrt(2))));
    }

    public float Backward(float x, float y, float dy)
    {
        double v = x;
        if (TanhApproximation)
        {
            double u = C * (v + 0.044715 * v * v * v);
            double t = Math.Tanh(u);
            double du = C * (1 + 3 * 0.044715 * v * v);
            return (float)(dy * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du));
        }
        double cdf = 0.5 * (1 + SpecialFunctions.Erf(v / Math.Sqrt(2)));
        double pdf = Math.Exp(-0.5 * v * v) / Math.Sqrt(2 * Math.PI);
        return (float)(dy * (cdf + v * pdf));
    }
}

/// <summary>max(0, min(1, alpha * x + beta)), as ONNX HardSigmoid.</summary>
public readonly struct HardSigmoidOp(float alpha, float beta) : IUnaryOp
{
    public float Alpha { get; } = alpha;
    public float Beta { get; } = beta;
    public string Name => "HardSigmoid";
    public float Forward(float x) => MathF.Max(0f, MathF.Min(1f, Alpha * x + Beta));

    public float Backward(float x, float y, float dy)
    {
        float v = Alpha * x + Beta;
        return v > 0f && v < 1f ? dy * Alpha : 0f;
    }
}

/// <summary>x * HardSigmoid(x) with alpha 1/6 and beta 0.5, as ONNX HardSwish.</summary>
public readonly struct HardSwishOp : IUnaryOp
{
    public string Name => "HardSwish";
    public float Forward(float x) => x * MathF.Max(0f, MathF.Min(1f, x / 6f + 0.5f));

    public float Backward(float x, float y, float dy)
    {
        float v = x / 6f + 0.5f;
        if (v <= 0f) return 0f;
        if (v >= 1f) return dy;
        return dy * (v + x / 6f);
    }
}

/// <summary>Clamps to [min, max]; the gradient passes where min &lt; x &lt; max... and at the bounds (PyTorch convention: inclusive).</summary>
public readonly struct ClipOp(float min, float max) : IUnaryOp
{
    public float Min { get; } = min;
    public float Max { get; } = max;
    public string Name => "Clip";
    public float Forward(float x) => MathF.Min(MathF.Max(x, Min), Max);
    public float Backward(float x, float y, float dy) => x >= Min && x <= Max ? dy : 0f;
}

/// <summary>x raised to a constant exponent.</summary>
public readonly struct PowScalarOp(float exponent) : IUnaryOp
{
    public float Exponent { get; } = exponent;
    public string Name => "Pow";
    public float Forward(float x) => Exponent == 2f ? x * x : MathF.Pow(x, Exponent);

    public float Backward(float x, float y, float dy) =>
        Exponent == 0f ? 0f : Exponent == 2f ? 2f * x * dy : dy * Exponent * MathF.Pow(x, Exponent - 1f);
}

/// <summary>a * x + b with constants (used for scaling without a second tensor).</summary>
public readonly struct AffineScalarOp(float scale, float shift) : IUnaryOp
{
    public float Scale { get; } = scale;
    public float Shift { get; } = shift;
    public string Name => "AffineScalar";
    public float Forward(float x) => Scale * x + Shift;
    public float Backward(float x, float y, float dy) => Scale * dy;
}
