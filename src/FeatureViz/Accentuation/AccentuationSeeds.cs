namespace FeatureViz.Accentuation;

/// <summary>
/// Feature accentuation (Hamblin et al. 2024, as Horama's <c>accentuation</c>), set as
/// <see cref="Rendering.OptimizationOptions.Accentuation"/>: the optimization starts from these images instead of
/// random parameters, the Fourier frequency scaling acts on the gradients only, and <see cref="Penalty"/> times the
/// mean squared distance between the rendered image and the seed is subtracted from each image's score.
/// </summary>
/// <remarks>
/// Give one seed for the whole batch or one per image of the objective's batch (in the objective's image order).
/// Seeds must have the model's channel count; a seed of another size is resized (bilinear, no antialiasing) to the
/// optimized image size. See <see cref="FeatureAccentuation"/> for Horama's defaults of the other options.
/// </remarks>
public sealed record AccentuationSeeds
{
    /// <summary>Horama's penalty weight.</summary>
    public const float DefaultPenalty = 1f;

    /// <summary>Validates the seeds (at least one) and the penalty (finite, &gt;= 0).</summary>
    public AccentuationSeeds(IReadOnlyList<SeedImage> images, float penalty = DefaultPenalty)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("AccentuationSeeds: no seed image given.", nameof(images));
        for (int i = 0; i < images.Count; i++)
            if (images[i] is null) throw new ArgumentException($"AccentuationSeeds: seed {i} is null.", nameof(images));
        if (!float.IsFinite(penalty) || penalty < 0)
            throw new ArgumentOutOfRangeException(nameof(penalty), penalty, "AccentuationSeeds: the penalty must be finite and >= 0.");
        Images = images;
        Penalty = penalty;
    }

    /// <summary>One seed for all images, with <paramref name="penalty"/>.</summary>
    public AccentuationSeeds(SeedImage image, float penalty = DefaultPenalty) : this([image], penalty) { }

    /// <summary>The seeds: one for all images, or one per image.</summary>
    public IReadOnlyList<SeedImage> Images { get; }

    /// <summary>
    /// Weight of the mean squared distance to the rendered seed, measured in units of a fifth of the value range's
    /// width: Horama's range (-2.5, 2.5) has width 5, so a penalty weighs the same here as in Horama whatever the range
    /// (for <see cref="Rendering.OptimizationOptions.ValuesRange"/> of width W the regularizer's factor is
    /// <c>Penalty * 25 / W^2</c> on the squared distance in range units).
    /// </summary>
    public float Penalty { get; }
}
