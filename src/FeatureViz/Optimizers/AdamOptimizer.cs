using FeatureViz.Tensors;

namespace FeatureViz.Optimizers;

internal sealed class AdamOptimizer(float learningRate, float beta1, float beta2, float epsilon)
    : MomentOptimizer("Adam", learningRate, beta1, beta2, epsilon)
{
    public override OptimizerState CreateState(Tensor parameter) => new State(this);

    public override string ToString() => $"Adam(lr={LearningRate}, beta1={Beta1}, beta2={Beta2}, eps={Epsilon})";

    private sealed class State(AdamOptimizer o) : MomentState(o)
    {
        public override Tensor Update(Tensor p, Tensor g, float learningRate)
        {
            Iterations++;
            // Keras: alpha = lr * sqrt(1 - b2^t) / (1 - b1^t); p -= alpha m / (sqrt(v) + eps).
            double alpha = learningRate * Math.Sqrt(1 - Math.Pow(o.Beta2, Iterations)) / (1 - Math.Pow(o.Beta1, Iterations));
            return Step(p, g, alpha, 0, 1);
        }
    }
}
