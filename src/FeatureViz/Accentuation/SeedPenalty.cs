using FeatureViz.Regularizers;
using FeatureViz.Tensors;

namespace FeatureViz.Accentuation;

/// <summary>
/// Feature accentuation's penalty: <c>factor * mean((x - target)^2)</c> over (C, H, W), one value per image. The target
/// is [N, C, H, W] (one per image) or [1, C, H, W] (shared) and stays alive as long as the regularizer is used.
/// </summary>
public sealed class SeedPenalty : Regularizer
{
    private readonly Tensor _target;

    /// <summary>A penalty towards <paramref name="target"/> (rank 4) weighted by <paramref name="factor"/>.</summary>
    public SeedPenalty(Tensor target, float factor) : base(factor)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Rank != 4) throw new ArgumentException($"SeedPenalty: the target must be NCHW (rank 4), got {target.Shape}.", nameof(target));
        _target = target;
    }

    /// <inheritdoc/>
    public override Tensor Compute(Tensor images)
    {
        CheckImages(images, "SeedPenalty");
        var t = _target.Shape;
        if (images.Shape[1] != t[1] || images.Shape[2] != t[2] || images.Shape[3] != t[3] || (t[0] != 1 && t[0] != images.Shape[0]))
            throw new ArgumentException($"SeedPenalty: images {images.Shape} do not match the seed target {t}.", nameof(images));
        var d = images.Sub(_target);
        return d.Mul(d).Mean(ImageAxes).Mul(Factor);
    }

    /// <inheritdoc/>
    public override string ToString() => $"SeedPenalty({Factor})";
}
