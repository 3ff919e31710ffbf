using FeatureViz.Tensors;

namespace FeatureViz.Optimizers;

internal sealed class AdamOptimizer(float learningRate, float beta1, float beta2, float epsilon) : Optimizer(learningRate)
{
    public float Beta1 { get; } = CheckBeta(beta1, nameof(beta1));
    public float Beta2 { get; } = CheckBeta(beta2, nameof(beta2));
    public float Epsilon { get; } = epsilon > 0 ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Adam: epsilon must be positive.");

    internal override OptimizerState CreateState(Tensor parameter) => new State(this);

    public override string ToString() => $"Adam(lr={LearningRate}, beta1={Beta1}, beta2={Beta2}, eps={Epsilon})";

    private sealed class State(AdamOptimizer o) : OptimizerState
    {
        private Tensor? _m, _v;

        public override Tensor Update(Tensor p, Tensor g)
        {
            Iterations++;
            // Keras: alpha = lr * sqrt(1 - b2^t) / (1 - b1^t); m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); p -= alpha m / (sqrt(v) + eps).
            double alpha = o.LearningRate * Math.Sqrt(1 - Math.Pow(o.Beta2, Iterations)) / (1 - Math.Pow(o.Beta1, Iterations));
            var gm = g.Mul(1f - o.Beta1);
            _m = Replace(_m, _m is null ? gm : _m.Mul(o.Beta1).Add(gm));
            var gv = g.Mul(g).Mul(1f - o.Beta2);
            _v = Replace(_v, _v is null ? gv : _v.Mul(o.Beta2).Add(gv));
            return p.Sub(_m.Mul((float)alpha).Div(_v.Sqrt().Add(o.Epsilon)));
        }

        public override void Dispose()
        {
            _m?.Dispose();
            _v?.Dispose();
        }
    }
}
