using FeatureViz.Tensors;

namespace FeatureViz.Optimizers;

/// <summary>
/// A first-order optimizer configuration (Keras semantics). It minimises: the visualizer hands it the gradient of the
/// negated score. Each run creates its own state through <see cref="CreateState"/>, so one instance can be reused.
/// </summary>
public abstract class Optimizer
{
    private protected Optimizer(float learningRate)
    {
        if (!(learningRate > 0f) || !float.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "Optimizer: the learning rate must be positive and finite.");
        LearningRate = learningRate;
    }

    /// <summary>The learning rate.</summary>
    public float LearningRate { get; }

    /// <summary>Adam (Keras defaults: beta1 0.9, beta2 0.999, epsilon 1e-7). The visualizer's default is <c>Adam(0.05)</c>.</summary>
    public static Optimizer Adam(float learningRate = 0.05f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f) =>
        new AdamOptimizer(learningRate, beta1, beta2, epsilon);

    /// <summary>Stochastic gradient descent with optional (Nesterov) momentum (Keras SGD).</summary>
    public static Optimizer Sgd(float learningRate = 0.01f, float momentum = 0f, bool nesterov = false) =>
        new SgdOptimizer(learningRate, momentum, nesterov);

    /// <summary>NAdam (Keras Nadam: beta1 0.9, beta2 0.999, epsilon 1e-7, momentum schedule 0.96^(0.004 t)).</summary>
    public static Optimizer NAdam(float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f) =>
        new NAdamOptimizer(learningRate, beta1, beta2, epsilon);

    /// <summary>Fresh state for one parameter tensor.</summary>
    internal abstract OptimizerState CreateState(Tensor parameter);

    private protected static float CheckBeta(float b, string name) =>
        b is >= 0f and < 1f ? b : throw new ArgumentOutOfRangeException(name, b, $"Optimizer: {name} must be in [0, 1).");
}

/// <summary>
/// Per-parameter optimizer state. <see cref="Update"/> runs under NoGrad inside the caller's step scope and returns
/// the new parameter values (a scope temporary the caller keeps); state tensors are kept alive here and the
/// previous ones disposed.
/// </summary>
internal abstract class OptimizerState : IDisposable
{
    /// <summary>Number of updates done.</summary>
    public int Iterations { get; protected set; }

    /// <summary>Returns <c>parameter - step(gradient)</c> (descent).</summary>
    public abstract Tensor Update(Tensor parameter, Tensor gradient);

    /// <summary>Replaces a state tensor: keeps the new one out of the current scope, disposes the old one.</summary>
    protected static Tensor Replace(Tensor? old, Tensor next)
    {
        TensorScope.Current?.Keep(next);
        if (!ReferenceEquals(old, next)) old?.Dispose();
        return next;
    }

    public abstract void Dispose();
}
