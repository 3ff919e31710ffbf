namespace FeatureViz.Tensors.Ops;

#pragma warning disable CS1591 // the functors are self-describing one-liners; their users carry the docs

// Piecewise-constant functions: their derivative is zero wherever it exists, and zero is the gradient they pass back
// (as ONNX Runtime and PyTorch do). Results stay in float32 storage, so a backend runs them like any other unary op.

public readonly struct FloorOp : IUnaryOp
{
    public string Name => "Floor";
    public float Forward(float x) => MathF.Floor(x);
    public float Backward(float x, float y, float dy) => 0f;
}

public readonly struct CeilOp : IUnaryOp
{
    public string Name => "Ceil";
    public float Forward(float x) => MathF.Ceiling(x);
    public float Backward(float x, float y, float dy) => 0f;
}

/// <summary>Rounds half to even (ONNX Round, NumPy round).</summary>
public readonly struct RoundOp : IUnaryOp
{
    public string Name => "Round";
    public float Forward(float x) => MathF.Round(x, MidpointRounding.ToEven);
    public float Backward(float x, float y, float dy) => 0f;
}

/// <summary>-1, 0 or 1; NaN stays NaN.</summary>
public readonly struct SignOp : IUnaryOp
{
    public string Name => "Sign";
    public float Forward(float x) => x > 0 ? 1f : x < 0 ? -1f : x == 0 ? 0f : x;
    public float Backward(float x, float y, float dy) => 0f;
}

/// <summary>Logical not of a 0/1 mask (any non-zero counts as true): 1 where x == 0, else 0.</summary>
public readonly struct NotOp : IUnaryOp
{
    public string Name => "Not";
    public float Forward(float x) => x == 0 ? 1f : 0f;
    public float Backward(float x, float y, float dy) => 0f;
}

/// <summary>1 where x is finite, 0 for NaN and infinities.</summary>
public readonly struct IsFiniteOp : IUnaryOp
{
    public string Name => "IsFinite";
    public float Forward(float x) => float.IsFinite(x) ? 1f : 0f;
    public float Backward(float x, float y, float dy) => 0f;
}
