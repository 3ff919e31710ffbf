using FeatureViz.Tensors;

namespace FeatureViz.Optimizers;

internal sealed class SgdOptimizer(float learningRate, float momentum, bool nesterov) : Optimizer(learningRate)
{
    public float Momentum { get; } = CheckBeta(momentum, nameof(momentum));
    public bool Nesterov { get; } = nesterov;

    public override OptimizerState CreateState(Tensor parameter) => new State(this);

    public override string ToString() => $"Sgd(lr={LearningRate}, momentum={Momentum}, nesterov={Nesterov})";

    private sealed class State(SgdOptimizer o) : OptimizerState(o.LearningRate)
    {
        private Tensor? _velocity;

        public override Tensor Update(Tensor p, Tensor g, float learningRate)
        {
            Iterations++;
            if (o.Momentum == 0f) return p.Sub(g.Mul(learningRate));
            // Keras: v = momentum * v - lr * g; p += v (Nesterov: p += momentum * v - lr * g).
            var lg = g.Mul(learningRate);
            _velocity = Replace(_velocity, _velocity is null ? lg.Neg() : _velocity.Mul(o.Momentum).Sub(lg));
            return o.Nesterov ? p.Add(_velocity.Mul(o.Momentum)).Sub(lg) : p.Add(_velocity);
        }

        protected override void Dispose(bool disposing) => _velocity?.Dispose();
    }
}
