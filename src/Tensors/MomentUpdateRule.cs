namespace FeatureViz.Tensors;

/// <summary>
/// Coefficients of one moment-estimate optimizer update (<see cref="Tensor.MomentUpdate"/>), elementwise:
/// m' = Beta1 m + (1 - Beta1) g; v' = Beta2 v + (1 - Beta2) g^2;
/// p' = p - (MomentScale m' + GradientScale g) / (VarianceScale sqrt(v') + Epsilon).
/// </summary>
/// <remarks>
/// Adam (Keras form): MomentScale = lr sqrt(1 - Beta2^t) / (1 - Beta1^t), GradientScale = 0, VarianceScale = 1.
/// NAdam adds the current gradient through GradientScale and bias-corrects v through VarianceScale.
/// </remarks>
/// <param name="Beta1">Decay of the first moment, in [0, 1).</param>
/// <param name="Beta2">Decay of the second moment, in [0, 1).</param>
/// <param name="MomentScale">Weight of the updated first moment in the step.</param>
/// <param name="GradientScale">Weight of the current gradient in the step.</param>
/// <param name="VarianceScale">Factor on sqrt(v') in the denominator.</param>
/// <param name="Epsilon">Added to the denominator; positive.</param>
public readonly record struct MomentUpdateRule(float Beta1, float Beta2, float MomentScale, float GradientScale,
    float VarianceScale, float Epsilon);
