namespace FeatureViz.Tensors.Backends;

public partial interface IBackend
{
    /// <summary>
    /// One fused moment-estimate optimizer update (the Adam family) over same-length storages, as
    /// <see cref="Tensor.MomentUpdate"/> defines it. Null <paramref name="m"/> and <paramref name="v"/> (both) stand
    /// for zeros (the first step). Returns new storages; the inputs are unchanged.
    /// </summary>
    (TensorStorage Parameter, TensorStorage M, TensorStorage V) MomentUpdate(TensorStorage parameter,
        TensorStorage gradient, TensorStorage? m, TensorStorage? v, MomentUpdateRule rule) =>
        FusedDefaults.MomentUpdate(this, parameter, gradient, m, v, rule);
}
