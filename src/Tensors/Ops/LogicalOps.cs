namespace FeatureViz.Tensors.Ops;

#pragma warning disable CS1591 // the functors are self-describing one-liners; their users carry the docs

// Comparisons and logical connectives as 0/1 masks in float32 storage (any non-zero input counts as true). Not
// differentiable: both partial derivatives are zero.

public readonly struct LessOrEqualOp : IBinaryOp
{
    public string Name => "LessOrEqual";
    public float Forward(float a, float b) => a <= b ? 1f : 0f;
    public float GradA(float a, float b, float y, float dy) => 0f;
    public float GradB(float a, float b, float y, float dy) => 0f;
}

public readonly struct GreaterOrEqualOp : IBinaryOp
{
    public string Name => "GreaterOrEqual";
    public float Forward(float a, float b) => a >= b ? 1f : 0f;
    public float GradA(float a, float b, float y, float dy) => 0f;
    public float GradB(float a, float b, float y, float dy) => 0f;
}

public readonly struct AndOp : IBinaryOp
{
    public string Name => "And";
    public float Forward(float a, float b) => a != 0 && b != 0 ? 1f : 0f;
    public float GradA(float a, float b, float y, float dy) => 0f;
    public float GradB(float a, float b, float y, float dy) => 0f;
}

public readonly struct OrOp : IBinaryOp
{
    public string Name => "Or";
    public float Forward(float a, float b) => a != 0 || b != 0 ? 1f : 0f;
    public float GradA(float a, float b, float y, float dy) => 0f;
    public float GradB(float a, float b, float y, float dy) => 0f;
}

public readonly struct XorOp : IBinaryOp
{
    public string Name => "Xor";
    public float Forward(float a, float b) => (a != 0) != (b != 0) ? 1f : 0f;
    public float GradA(float a, float b, float y, float dy) => 0f;
    public float GradB(float a, float b, float y, float dy) => 0f;
}
