namespace FeatureViz.Optimizers;

/// <summary>
/// The learning rate of each step, from the optimizer's base rate (<see cref="Optimizer.LearningRate"/>). Steps are
/// counted from 0 over the whole run (warm-up steps included). Subclass it, or pass a function to
/// <see cref="FromFunction"/>.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate of step <paramref name="step"/> (0-based) of <paramref name="totalSteps"/>, from the base rate.</summary>
    public abstract float Rate(float baseRate, int step, int totalSteps);

    /// <summary>The base rate at every step (the default).</summary>
    public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>
    /// Cosine decay (Keras <c>CosineDecay</c> over the whole run):
    /// <c>base * (alpha + (1 - alpha) * (1 + cos(pi * step / totalSteps)) / 2)</c>, from the base rate at step 0 down
    /// towards <c>alpha * base</c>.
    /// </summary>
    public static LearningRateSchedule Cosine(float alpha = 0f) => new CosineSchedule(alpha);

    /// <summary>Step decay (PyTorch <c>StepLR</c>): <c>base * gamma^floor(step / every)</c>.</summary>
    public static LearningRateSchedule Step(int every, float gamma = 0.1f) => new StepSchedule(every, gamma);

    /// <summary>A schedule from a function <c>(baseRate, step, totalSteps) =&gt; rate</c>; rates must be positive and finite.</summary>
    public static LearningRateSchedule FromFunction(Func<float, int, int, float> rate, string name = "Custom")
    {
        ArgumentNullException.ThrowIfNull(rate);
        return new FunctionSchedule(rate, name);
    }

    private sealed class ConstantSchedule : LearningRateSchedule
    {
        public override float Rate(float baseRate, int step, int totalSteps) => baseRate;

        public override string ToString() => "Constant";
    }

    private sealed class CosineSchedule : LearningRateSchedule
    {
        private readonly float _alpha;

        public CosineSchedule(float alpha)
        {
            if (!(alpha is >= 0f and <= 1f))
                throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "LearningRateSchedule.Cosine: alpha (the final fraction of the rate) must be in [0, 1].");
            _alpha = alpha;
        }

        public override float Rate(float baseRate, int step, int totalSteps)
        {
            double t = totalSteps <= 0 ? 0 : Math.Clamp((double)step / totalSteps, 0, 1);
            return (float)(baseRate * (_alpha + (1 - _alpha) * 0.5 * (1 + Math.Cos(Math.PI * t))));
        }

        public override string ToString() => $"Cosine({_alpha})";
    }

    private sealed class StepSchedule : LearningRateSchedule
    {
        private readonly int _every;
        private readonly float _gamma;

        public StepSchedule(int every, float gamma)
        {
            if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), every, "LearningRateSchedule.Step: every must be at least 1.");
            if (!(gamma > 0f) || !float.IsFinite(gamma))
                throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "LearningRateSchedule.Step: gamma must be positive and finite.");
            _every = every;
            _gamma = gamma;
        }

        public override float Rate(float baseRate, int step, int totalSteps) => (float)(baseRate * Math.Pow(_gamma, Math.Max(step, 0) / _every));

        public override string ToString() => $"Step({_every}, {_gamma})";
    }

    private sealed class FunctionSchedule(Func<float, int, int, float> rate, string name) : LearningRateSchedule
    {
        public override float Rate(float baseRate, int step, int totalSteps) => rate(baseRate, step, totalSteps);

        public override string ToString() => name;
    }
}
