using FeatureViz.Tensors;

namespace FeatureViz.Regularizers;

/// <summary>
/// A penalty on the (transformed, resized) model input, one value per image, subtracted from the objective's score.
/// Values follow Xplique's regularizers (<c>l1_reg</c>, <c>l2_reg</c>, <c>l_inf_reg</c>, <c>total_variation_reg</c>).
/// Subclass it (override <see cref="Compute"/>, differentiable through <see cref="Tensor"/> ops), or pass a function
/// to <see cref="FromFunction"/>.
/// </summary>
public abstract class Regularizer
{
    /// <summary>Validates and stores the factor (finite).</summary>
    protected Regularizer(float factor)
    {
        if (!float.IsFinite(factor)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "Regularizer: the factor must be finite.");
        Factor = factor;
    }

    /// <summary>The weight multiplying the penalty.</summary>
    public float Factor { get; }

    /// <summary>The penalty of each image of an NCHW batch, shape [N], the factor included.</summary>
    public abstract Tensor Compute(Tensor images);

    /// <summary>
    /// A regularizer from a function of the NCHW batch giving one value per image (shape [N]), multiplied by
    /// <paramref name="factor"/>; e.g. <c>Regularizer.FromFunction("mean", x =&gt; x.Mean([1, 2, 3]), 0.1f)</c>.
    /// </summary>
    public static Regularizer FromFunction(string name, Func<Tensor, Tensor> perImage, float factor = 1f)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(perImage);
        return new ReductionRegularizer(name, factor, perImage);
    }

    /// <summary><c>factor * mean(|x|)</c> over (C, H, W).</summary>
    public static Regularizer L1(float factor = 1f) => new ReductionRegularizer("L1", factor, x => x.Abs().Mean(ImageAxes));

    /// <summary><c>factor * sqrt(mean(x^2))</c> over (C, H, W) (a root mean square, as Xplique: a constant-4 image with factor 2 gives 8).</summary>
    public static Regularizer L2(float factor = 1f) => new ReductionRegularizer("L2", factor, x => x.Mul(x).Mean(ImageAxes).Sqrt());

    /// <summary><c>factor * max(|x|)</c> over (C, H, W).</summary>
    public static Regularizer LInf(float factor = 1f) => new ReductionRegularizer("LInf", factor, x => x.Abs().Max(ImageAxes));

    /// <summary><c>factor * (sum |x[h+1,w] - x[h,w]| + sum |x[h,w+1] - x[h,w]|)</c> over all channels (tf.image.total_variation).</summary>
    public static Regularizer TotalVariation(float factor = 1f) => new TotalVariationRegularizer(factor);

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="images"/> is an NCHW batch (rank 4).</summary>
    protected static void CheckImages(Tensor images, string name)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4) throw new ArgumentException($"{name}: images must be NCHW (rank 4), got {images.Shape}.", nameof(images));
    }

    private protected static readonly int[] ImageAxes = [1, 2, 3];

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name.Replace("Regularizer", "", StringComparison.Ordinal)}({Factor})";
}

/// <summary>A penalty that is one per-image reduction of the batch, times the factor.</summary>
internal sealed class ReductionRegularizer(string name, float factor, Func<Tensor, Tensor> perImage) : Regularizer(factor)
{
    public override Tensor Compute(Tensor images)
    {
        CheckImages(images, name);
        return perImage(images).Mul(Factor);
    }

    public override string ToString() => $"{name}({Factor})";
}

internal sealed class TotalVariationRegularizer(float factor) : Regularizer(factor)
{
    public override Tensor Compute(Tensor images)
    {
        CheckImages(images, "TotalVariation");
        int h = images.Shape[2], w = images.Shape[3];
        Tensor? tv = null;
        if (h > 1)
        {
            var dv = images.Slice([1], [h], [2]).Sub(images.Slice([0], [h - 1], [2]));
            tv = dv.Abs().Sum(ImageAxes);
        }
        if (w > 1)
        {
            var dh = images.Slice([1], [w], [3]).Sub(images.Slice([0], [w - 1], [3]));
            var s = dh.Abs().Sum(ImageAxes);
            tv = tv is null ? s : tv.Add(s);
        }
        tv ??= images.Mul(0f).Sum(ImageAxes);
        return tv.Mul(Factor);
    }
}
