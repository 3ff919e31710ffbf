namespace FeatureViz.Accentuation;

/// <summary>
/// A seed image for feature accentuation: channel-major pixels [C, H, W]. Any finite values: the seed is min-max
/// normalised over all its pixels before it is inverted (as Horama), so 0..1, 0..255 or the model's own range all work.
/// </summary>
public sealed record SeedImage
{
    /// <summary>Validates the shape and the values (finite; <paramref name="pixels"/> holds C x H x W values).</summary>
    public SeedImage(float[] pixels, int channels, int height, int width, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        string what = name is null ? "SeedImage" : $"SeedImage '{name}'";
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(channels), $"{what}: shape [{channels}, {height}, {width}] must be at least [1, 1, 1].");
        if ((long)channels * height * width != pixels.Length)
            throw new ArgumentException($"{what}: {pixels.Length} values do not fill [{channels}, {height}, {width}] ({(long)channels * height * width} values).", nameof(pixels));
        int bad = Array.FindIndex(pixels, v => !float.IsFinite(v));
        if (bad >= 0)
            throw new ArgumentException($"{what}: value {bad} (channel {bad / (height * width)}, row {bad / width % height}, column {bad % width}) is {pixels[bad]}; seed pixels must be finite.", nameof(pixels));
        Pixels = pixels;
        Channels = channels;
        Height = height;
        Width = width;
        Name = name ?? "seed";
    }

    /// <summary>The pixels, [C, H, W] row-major.</summary>
    public float[] Pixels { get; }

    /// <summary>Number of channels.</summary>
    public int Channels { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>A name for messages (e.g. the file name).</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} [{Channels}, {Height}, {Width}]";
}
