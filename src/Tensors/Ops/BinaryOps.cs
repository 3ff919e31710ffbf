namespace FeatureViz.Tensors.Ops;

#pragma warning disable CS1591 // the functors are self-describing one-liners; their Tensor methods carry the docs

public readonly struct AddOp : IBinaryOp
{
    public string Name => "Add";
    public float Forward(float a, float b) => a + b;
    public float GradA(float a, float b, float y, float dy) => dy;
    public float GradB(float a, float b, float y, float dy) => dy;
}

public readonly struct SubOp : IBinaryOp
{
    public string Name => "Sub";
    public float Forward(float a, float b) => a - b;
    public float GradA(float a, float b, float y, float dy) => dy;
    public float GradB(float a, float b, float y, float dy) => -dy;
}

public readonly struct MulOp : IBinaryOp
{
    public string Name => "Mul";
    public float Forward(float a, float b) => a * b;
    public float GradA(float a, float b, float y, float dy) => dy * b;
    public float GradB(float a, float b, float y, float dy) => dy * a;
}

public readonly struct DivOp : IBinaryOp
{
    public string Name => "Div";
    public float Forward(float a, float b) => a / b;
    public float GradA(float a, float b, float y, float dy) => dy / b;
    public float GradB(float a, float b, float y, float dy) => -dy * a / (b * b);
}

public readonly struct PowOp : IBinaryOp
{
    public string Name => "Pow";
    public float Forward(float a, float b) => MathF.Pow(a, b);
    public float GradA(float a, float b, float y, float dy) => b == 0f ? 0f : dy * b * MathF.Pow(a, b - 1f);
    public float GradB(float a, float b, float y, float dy) => a > 0f ? dy * y * MathF.Log(a) : 0f;
}

/// <summary>Elementwise maximum; on ties the gradient is split evenly (as PyTorch's maximum).</summary>
public readonly struct MaxOp : IBinaryOp
{
    public string Name => "Max";
    public float Forward(float a, float b) => MathF.Max(a, b);
    public float GradA(float a, float b, float y, float dy) => a > b ? dy : a == b ? 0.5f * dy : 0f;
    public float GradB(float a, float b, float y, float dy) => b > a ? dy : a == b ? 0.5f * dy : 0f;
}

/// <summary>Elementwise minimum; on ties the gradient is split evenly.</summary>
public readonly struct MinOp : IBinaryOp
{
    public string Name => "Min";
    public float Forward(float a, float b) => MathF.Min(a, b);
    public float GradA(float a, float b, float y, float dy) => a < b ? dy : a == b ? 0.5f * dy : 0f;
    public float GradB(float a, float b, float y, float dy) => b < a ? dy : a == b ? 0.5f * dy : 0f;
}

/// <summary>Comparison results as 1 or 0; not differentiable (zero gradient).</summary>
public readonly struct EqualOp : IBinaryOp
{
    public string Name => "Equal";
    public float Forward(float a, float b) => a == b ? 1f : 0f;
    public float GradA(float a, float b, float y, float dy) => 0f;
    public float GradB(float a, float b, float y, float dy) => 0f;
}

public readonly struct LessOp : IBinaryOp
{
    public string Name => "Less";
    public float Forward(float a, float b) => a < b ? 1f : 0f;
    public float GradA(float a, float b, float y, float dy) => 0f;
    public float GradB(float a, float b, float y, float dy) => 0f;
}

public readonly struct GreaterOp : IBinaryOp
{
    public string Name => "Greater";
    public float Forward(float a, float b) => a > b ? 1f : 0f;
    public float GradA(float a, float b, float y, float dy) => 0f;
    public float GradB(float a, float b, float y, float dy) => 0f;
}

/// <summary>PRelu: a where a &gt;= 0, else slope * a (slope broadcast, ONNX PRelu).</summary>
public readonly struct PReluOp : IBinaryOp
{
    public string Name => "PRelu";
    public float Forward(float a, float slope) => a >= 0 ? a : slope * a;
    public float GradA(float a, float slope, float y, float dy) => a >= 0 ? dy : slope * dy;
    public float GradB(float a, float slope, float y, float dy) => a >= 0 ? 0f : a * dy;
}
