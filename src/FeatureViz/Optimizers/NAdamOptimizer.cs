using FeatureViz.Tensors;

namespace FeatureViz.Optimizers;

internal sealed class NAdamOptimizer(float learningRate, float beta1, float beta2, float epsilon) : Optimizer(learningRate)
{
    public float Beta1 { get; } = CheckBeta(beta1, nameof(beta1));
    public float Beta2 { get; } = CheckBeta(beta2, nameof(beta2));
    public float Epsilon { get; } = epsilon > 0 ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "NAdam: epsilon must be positive.");

    internal override OptimizerState CreateState(Tensor parameter) => new State(this);

    public override string ToString() => $"NAdam(lr={LearningRate}, beta1={Beta1}, beta2={Beta2}, eps={Epsilon})";

    private sealed class State(NAdamOptimizer o) : OptimizerState
    {
        private Tensor? _m, _v;
        private double _uProduct = 1.0;

        public override Tensor Update(Tensor p, Tensor g)
        {
            Iterations++;
            // Keras Nadam: momentum schedule beta1_t = beta1 (1 - 0.5 * 0.96^(0.004 t)).
            int t = Iterations;
            double b1t = o.Beta1 * (1 - 0.5 * Math.Pow(0.96, 0.004 * t));
            double b1t1 = o.Beta1 * (1 - 0.5 * Math.Pow(0.96, 0.004 * (t + 1)));
            double uT = _uProduct * b1t;
            double uT1 = uT * b1t1;
            _uProduct = uT;
            double b2Power = Math.Pow(o.Beta2, t);
            var gm = g.Mul(1f - o.Beta1);
            _m = Replace(_m, _m is null ? gm : _m.Mul(o.Beta1).Add(gm));
            var gv = g.Mul(g).Mul(1f - o.Beta2);
            _v = Replace(_v, _v is null ? gv : _v.Mul(o.Beta2).Add(gv));
            var mHat = _m.Mul((float)(b1t1 / (1 - uT1))).Add(g.Mul((float)((1 - b1t) / (1 - uT))));
            var vHat = _v.Mul((float)(1 / (1 - b2Power)));
            return p.Sub(mHat.Mul(o.LearningRate).Div(vHat.Sqrt().Add(o.Epsilon)));
        }

        public override void Dispose()
        {
            _m?.Dispose();
            _v?.Dispose();
        }
    }
}
