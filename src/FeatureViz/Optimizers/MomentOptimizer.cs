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
internal abstract class MomentState(MomentOptimizer o) : OptimizerState
{
    private Tensor? _m, _v;

    /// <summary>Advances both moments with <paramref name="g"/> (starting from zero) and returns them.</summary>
    protected (Tensor M, Tensor V) UpdateMoments(Tensor g)
    {
        var gm = g.Mul(1f - o.Beta1);
        _m = Replace(_m, _m is null ? gm : _m.Mul(o.Beta1).Add(gm));
        var gv = g.Mul(g).Mul(1f - o.Beta2);
        _v = Replace(_v, _v is null ? gv : _v.Mul(o.Beta2).Add(gv));
        return (_m, _v);
    }

    public override void Dispose()
    {
        _m?.Dispose();
        _v?.Dispose();
    }
}
