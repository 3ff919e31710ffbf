using FeatureViz.Tensors;

namespace FeatureViz.Optimizers;

/// <summary>
/// A first-order optimizer configuration (Keras semantics). It minimises: the visualizer hands it the gradient of the
/// negated score. Each run creates its own state through <see cref="CreateState"/>, so one instance can be reused.
/// Subclass it (with an <see cref="OptimizerState"/> subclass) for your own update rule, or pass a function to
/// <see cref="FromFunction"/>.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Validates and stores the base learning rate (positive and finite).</summary>
    protected Optimizer(float learningRate)
    {
        if (!(learningRate > 0f) || !float.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "Optimizer: the learning rate must be positive and finite.");
        LearningRate = learningRate;
    }

    /// <summary>The base learning rate (a <see cref="LearningRateSchedule"/> scales it per step).</summary>
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

    /// <summary>
    /// A stateless optimizer from a function <c>(parameter, gradient, learningRate) =&gt; new parameter</c> (descent:
    /// e.g. <c>(p, g, lr) =&gt; p.Sub(g.Mul(lr))</c>). The function runs without gradient recording.
    /// </summary>
    public static Optimizer FromFunction(Func<Tensor, Tensor, float, Tensor> update, float learningRate, string name = "Custom")
    {
        ArgumentNullException.ThrowIfNull(update);
        return new FunctionOptimizer(update, learningRate, name);
    }

    /// <summary>Fresh state for one parameter tensor (called once per run).</summary>
    public abstract OptimizerState CreateState(Tensor parameter);

    private protected static float CheckBeta(float b, string name) =>
        b is >= 0f and < 1f ? b : throw new ArgumentOutOfRangeException(name, b, $"Optimizer: {name} must be in [0, 1).");
}

/// <summary>
/// Per-parameter optimizer state. <see cref="Update(Tensor, Tensor, float)"/> runs under NoGrad inside the caller's
/// step scope and returns the new parameter values (a scope temporary the caller keeps); state tensors that must live
/// across steps are kept with <see cref="Replace"/>, which also disposes the previous ones.
/// </summary>
public abstract class OptimizerState : IDisposable
{
    /// <summary>A state for an optimizer whose base learning rate is <paramref name="learningRate"/>.</summary>
    protected OptimizerState(float learningRate) => LearningRate = learningRate;

    /// <summary>The optimizer's base learning rate, used by <see cref="Update(Tensor, Tensor)"/>.</summary>
    public float LearningRate { get; }

    /// <summary>Number of updates done.</summary>
    public int Iterations { get; protected set; }

    /// <summary>Returns <c>parameter - step(gradient)</c> (descent) at the base learning rate.</summary>
    public Tensor Update(Tensor parameter, Tensor gradient) => Update(parameter, gradient, LearningRate);

    /// <summary>Returns <c>parameter - step(gradient)</c> (descent) at this step's <paramref name="learningRate"/>.</summary>
    public abstract Tensor Update(Tensor parameter, Tensor gradient, float learningRate);

    /// <summary>Replaces a state tensor: keeps the new one out of the current scope, disposes the old one.</summary>
    protected static Tensor Replace(Tensor? old, Tensor next)
    {
        ArgumentNullException.ThrowIfNull(next);
        TensorScope.Current?.Keep(next);
        if (!ReferenceEquals(old, next)) old?.Dispose();
        return next;
    }

    /// <summary>Frees the state tensors.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the state tensors (override to dispose those you kept with <see cref="Replace"/>).</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

internal sealed class FunctionOptimizer(Func<Tensor, Tensor, float, Tensor> update, float learningRate, string name) : Optimizer(learningRate)
{
    public override OptimizerState CreateState(Tensor parameter) => new State(update, LearningRate, name);

    public override string ToString() => $"{name}(lr={LearningRate})";

    private sealed class State(Func<Tensor, Tensor, float, Tensor> update, float learningRate, string name) : OptimizerState(learningRate)
    {
        public override Tensor Update(Tensor parameter, Tensor gradient, float learningRate)
        {
            Iterations++;
            var next = update(parameter, gradient, learningRate)
                       ?? throw new InvalidOperationException($"Optimizer '{name}': the update function returned null.");
            if (!next.Shape.Equals(parameter.Shape))
                throw new InvalidOperationException($"Optimizer '{name}': the update function returned shape {next.Shape} for a parameter of shape {parameter.Shape}.");
            return next;
        }
    }
}
