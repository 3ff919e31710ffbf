using FeatureViz.Tensors;

namespace FeatureViz.Optimizers;

internal sealed class NAdamOptimizer(float learningRate, float beta1, float beta2, float epsilon)
    : MomentOptimizer("NAdam", learningRate, beta1, beta2, epsilon)
{
    public override OptimizerState CreateState(Tensor parameter) => new State(this);

    public override string ToString() => $"NAdam(lr={LearningRate}, beta1={Beta1}, beta2={Beta2}, eps={Epsilon})";

    private sealed class State(NAdamOptimizer o) : MomentState(o)
    {
        private double _uProduct = 1.0;

        public override Tensor Update(Tensor p, Tensor g, float learningRate)
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
            // p -= lr (m_hat) / (sqrt(v / (1 - b2^t)) + eps), m_hat = b1t1 m / (1 - uT1) + (1 - b1t) g / (1 - uT).
            return Step(p, g, learningRate * b1t1 / (1 - uT1), learningRate * (1 - b1t) / (1 - uT), Math.Sqrt(1 / (1 - b2Power)));
        }
    }
}
