using FeatureViz.Tensors;

namespace FeatureViz.Optimizers;

/// <summary>The shared part of Adam and NAdam: validated beta1, beta2 and epsilon.</summary>
internal abstract class MomentOptimizer : Optimizer
{
    private protected MomentOptimizer(string name, float learningRate, float beta1, float beta2, float epsilon) : base(learningRate)
    {
        Beta1 = CheckBeta(beta1, nameof(beta1));
        Beta2 = CheckBeta(beta2, nameof(beta2));
        Epsilon = epsilon > 0 ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"{name}: epsilon must be positive.");
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
}

/// <summary>State with Keras' first and second moment estimates: m += (g - m)(1 - b1), v += (g^2 - v)(1 - b2).</summary>
internal abstract class MomentState(MomentOptimizer o) : OptimizerState(o.LearningRate)
{
    private Tensor? _m, _v;

    /// <summary>
    /// Advances the moment estimates with <paramref name="g"/> and returns the updated parameter, in one fused pass
    /// (<see cref="Tensor.MomentUpdate"/>); <paramref name="momentScale"/>, <paramref name="gradientScale"/> and
    /// <paramref name="varianceScale"/> are the step's coefficients (see <see cref="MomentUpdateRule"/>).
    /// </summary>
    protected Tensor Step(Tensor p, Tensor g, double momentScale, double gradientScale, double varianceScale)
    {
        var rule = new MomentUpdateRule(o.Beta1, o.Beta2, (float)momentScale, (float)gradientScale, (float)varianceScale, o.Epsilon);
        var (next, m, v) = Tensor.MomentUpdate(p, g, _m, _v, rule);
        _m = Replace(_m, m);
        _v = Replace(_v, v);
        return next;
    }

    protected override void Dispose(bool disposing)
    {
        _m?.Dispose();
        _v?.Dispose();
    }
}
