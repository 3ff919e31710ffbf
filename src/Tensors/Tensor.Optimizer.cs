namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// One moment-estimate optimizer step (Adam, NAdam) in a single pass over the parameter: returns the updated
    /// parameter and moments as defined by <paramref name="rule"/>. <paramref name="m"/> and <paramref name="v"/>
    /// are both null on the first step (zeros), or both given. Not differentiable: the results carry no graph, the inputs are unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ, the tensors are on different backends, only one moment is given, or a coefficient is out of range.</exception>
    public static (Tensor Parameter, Tensor M, Tensor V) MomentUpdate(Tensor parameter, Tensor gradient, Tensor? m, Tensor? v, MomentUpdateRule rule)
    {
        const string op = nameof(MomentUpdate);
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(gradient);
        Check(gradient, nameof(gradient));
        if ((m is null) != (v is null))
            throw new ArgumentException($"{op}: give both moments or neither (the first step); got {(m is null ? "v" : "m")} alone.", m is null ? nameof(v) : nameof(m));
        if (m is not null) Check(m, nameof(m));
        if (v is not null) Check(v, nameof(v));
        if (!(rule.Beta1 is >= 0f and < 1f) || !(rule.Beta2 is >= 0f and < 1f))
            throw new ArgumentException($"{op}: Beta1 {rule.Beta1} and Beta2 {rule.Beta2} must be in [0, 1).", nameof(rule));
        if (!(rule.Epsilon > 0f) || !float.IsFinite(rule.MomentScale) || !float.IsFinite(rule.GradientScale) || !float.IsFinite(rule.VarianceScale))
            throw new ArgumentException($"{op}: {rule} needs a positive Epsilon and finite scales.", nameof(rule));
        var (p2, m2, v2) = parameter.Backend.MomentUpdate(parameter.Storage, gradient.Storage, m?.Storage, v?.Storage, rule);
        return (Result(p2, parameter.Shape), Result(m2, parameter.Shape), Result(v2, parameter.Shape));

        void Check(Tensor t, string name)
        {
            if (t.Shape != parameter.Shape)
                throw new ArgumentException($"{op}: {name} has shape {t.Shape}, the parameter {parameter.Shape}; they must match.", name);
            SameBackend(op, parameter, t);
        }
    }
}
