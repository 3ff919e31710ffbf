namespace FeatureViz.Tensors.Backends;

/// <summary>The activation a fused convolution (<see cref="IBackend.Conv2dActivation"/>) applies to its output.</summary>
/// <remarks>
/// Only activations whose derivative can be read off their output are fusable: the backward pass keeps the fused
/// output, not the convolution's, so the derivative is taken from y (ReLU's mask is y &gt; 0, and so on). HardSwish is
/// not monotone and therefore not here.
/// </remarks>
public enum ConvActivation
{
    /// <summary>No activation: the convolution plus bias.</summary>
    None = 0,
    /// <summary>max(z, 0) (<c>ReluOp</c>).</summary>
    Relu = 1,
    /// <summary>min(max(z, Alpha), Beta): ONNX Clip with bounds Alpha = min, Beta = max (Relu6 is Clip(0, 6)).</summary>
    Clip = 2,
    /// <summary>z &gt;= 0 ? z : Alpha z with Alpha &gt; 0 (<c>LeakyReluOp</c>).</summary>
    LeakyRelu = 3,
    /// <summary>max(0, min(1, Alpha z + Beta)) with Alpha &gt; 0 (<c>HardSigmoidOp</c>).</summary>
    HardSigmoid = 4,
}

/// <summary>
/// What a fused convolution does with each output element z (the convolution plus bias) before storing it: an
/// activation and its two parameters (see <see cref="ConvActivation"/> for their meaning per activation).
/// </summary>
/// <param name="Activation">The activation.</param>
/// <param name="Alpha">Clip's min, LeakyRelu's slope, HardSigmoid's alpha; unused otherwise.</param>
/// <param name="Beta">Clip's max, HardSigmoid's beta; unused otherwise.</param>
public readonly record struct ConvEpilogue(ConvActivation Activation, float Alpha = 0f, float Beta = 0f)
{
    /// <summary>No activation.</summary>
    public static ConvEpilogue None => default;

    /// <summary>ReLU.</summary>
    public static ConvEpilogue Relu => new(ConvActivation.Relu);

    /// <summary>Clip into [<paramref name="min"/>, <paramref name="max"/>] (min &lt;= max; infinite bounds allowed).</summary>
    public static ConvEpilogue Clip(float min, float max) => new(ConvActivation.Clip, min, max);

    /// <summary>Leaky ReLU with a positive slope.</summary>
    public static ConvEpilogue LeakyRelu(float alpha) => new(ConvActivation.LeakyRelu, alpha);

    /// <summary>Hard sigmoid with a positive <paramref name="alpha"/>.</summary>
    public static ConvEpilogue HardSigmoid(float alpha, float beta) => new(ConvActivation.HardSigmoid, alpha, beta);

    /// <summary>
    /// The activation of one value, exactly as the unfused elementwise op computes it (the reference every kernel's
    /// epilogue must match).
    /// </summary>
    public float Apply(float z) => Activation switch
    {
        ConvActivation.Relu => z > 0 ? z : 0f,
        ConvActivation.Clip => MathF.Min(MathF.Max(z, Alpha), Beta),
        ConvActivation.LeakyRelu => z >= 0 ? z : Alpha * z,
        ConvActivation.HardSigmoid => MathF.Max(0f, MathF.Min(1f, Alpha * z + Beta)),
        _ => z,
    };

    /// <summary>Null when the epilogue is valid, else why (an unknown activation, min &gt; max, a non-positive slope, a NaN).</summary>
    public string? Problem() => Activation switch
    {
        ConvActivation.None or ConvActivation.Relu => null,
        ConvActivation.Clip => Alpha <= Beta ? null : $"Clip bounds ({Alpha}, {Beta}) need min <= max",
        ConvActivation.LeakyRelu => Alpha > 0 && float.IsFinite(Alpha) ? null : $"LeakyRelu slope {Alpha} must be positive and finite (the gradient is read off the output's sign)",
        ConvActivation.HardSigmoid => Alpha > 0 && float.IsFinite(Alpha) && float.IsFinite(Beta) ? null : $"HardSigmoid alpha {Alpha} must be positive and finite and beta {Beta} finite",
        _ => $"unknown activation {(int)Activation}",
    };
}
