namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// The identity in the forward pass (a copy of this tensor); the backward pass multiplies the incoming gradient
    /// by <paramref name="scale"/> element by element (Horama's <c>SpectrumBackwardScaler</c>, used by feature
    /// accentuation to apply the Fourier frequency scaling to gradients only). <paramref name="scale"/> must broadcast
    /// to this tensor's shape; it is a constant (no gradient flows to it) and is read again by the backward pass: keep
    /// it alive until that has run.
    /// </summary>
    public Tensor ScaleGradient(Tensor scale)
    {
        const string op = nameof(ScaleGradient);
        ArgumentNullException.ThrowIfNull(scale);
        var backend = SameBackend(op, this, scale);
        if (Shape.Broadcast(Shape, scale.Shape, op) != Shape)
            throw new ArgumentException($"{op}: scale {scale.Shape} does not broadcast to the input shape {Shape}.", nameof(scale));
        return Record(op, backend.Copy(Storage), Shape, [this], (g, _) => [g.Mul(scale)]);
    }
}
