namespace FeatureViz.Tensors.Autograd;

/// <summary>Functional gradients: dL/dx for chosen inputs, without touching <see cref="Tensor.Grad"/>.</summary>
public static class Grad
{
    /// <summary>
    /// The vector-Jacobian product of <paramref name="output"/> with <paramref name="cotangent"/> (ones for a
    /// scalar output when null), for each tensor in <paramref name="wrt"/> (zeros where the output does not depend on it).
    /// </summary>
    public static Tensor[] Of(Tensor output, IReadOnlyList<Tensor> wrt, Tensor? cotangent = null)
    {
        var set = new HashSet<Tensor>(wrt, ReferenceEqualityComparer.Instance);
        var g = Backprop.Gradients(output, cotangent, set);
        var result = new Tensor[wrt.Count];
        for (int i = 0; i < wrt.Count; i++)
            result[i] = g.TryGetValue(wrt[i], out var gi) ? gi : Tensor.Zeros(wrt[i].Backend, wrt[i].Shape.ToArray());
        return result;
    }
}
