namespace FeatureViz.Parametrization;

/// <summary>
/// The CPPN image parametrization (Lucid's <c>param.cppn</c>): each image is drawn by its own small network of 1x1
/// convolutions from the pixel's (x, y) coordinates, both in [-sqrt 3, sqrt 3]. <see cref="Layers"/> hidden layers of
/// <see cref="HiddenChannels"/> channels, each followed by the composite activation <c>[atan(z) / 0.67, atan(z)^2 / 0.6]</c>
/// (so the next layer sees twice as many channels), then an output layer with one channel per image channel and a
/// sigmoid. Weights start N(0, 1 / fan-in) (Lucent), biases 0, the output layer's weights 0 (a grey start).
/// </summary>
/// <remarks>
/// Set <see cref="Rendering.OptimizationOptions.Cppn"/> to use it (the Fourier/pixel settings are then ignored). Lucid
/// optimizes it with Adam at 0.005 (<see cref="LearningRate"/>); Lucent has 7 hidden layers, Lucid 8.
/// </remarks>
public sealed record CppnOptions
{
    /// <summary>Lucid's and Lucent's Adam learning rate for CPPN weights.</summary>
    public const float LearningRate = 0.005f;

    /// <summary>Channels of each hidden layer before the composite activation (Lucid: 24).</summary>
    public int HiddenChannels { get; init; } = 24;

    /// <summary>Number of hidden layers (Lucid: 8), at least 1.</summary>
    public int Layers { get; init; } = 8;

    /// <summary>Divisor of <c>atan(z)</c> in the composite activation (Lucid's 0.67: its RMS for z ~ N(0, 1)).</summary>
    internal const float AtanScale = 0.67f;

    /// <summary>Divisor of <c>atan(z)^2</c> in the composite activation (Lucid's 0.6).</summary>
    internal const float AtanSquaredScale = 0.6f;

    /// <summary>The coordinate range's half-width, sqrt 3 (coordinates of unit variance).</summary>
    internal static readonly double CoordinateRange = Math.Sqrt(3.0);

    internal void Validate()
    {
        if (HiddenChannels < 1 || HiddenChannels > 4096)
            throw new ArgumentOutOfRangeException(nameof(HiddenChannels), HiddenChannels, $"CppnOptions: HiddenChannels must be between 1 and 4096 (got {HiddenChannels}).");
        if (Layers < 1 || Layers > 64)
            throw new ArgumentOutOfRangeException(nameof(Layers), Layers, $"CppnOptions: Layers must be between 1 and 64 (got {Layers}).");
    }
}
