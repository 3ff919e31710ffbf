using FeatureViz.Parametrization;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Accentuation;

/// <summary>
/// The per-run state of feature accentuation inside an optimization session: the seeded parameters, the gradient-only
/// frequency scaling and the penalty towards the seed as rendered by the preconditioner (Horama re-renders the seed so
/// that the penalty can reach zero).
/// </summary>
internal sealed class AccentuationRun : IDisposable
{
    private readonly Tensor? _gradientScale; // [H, W/2 + 1, 1]: Xplique/Horama get_fft_scale
    private readonly Tensor _target;
    private readonly int _width;

    /// <summary>Builds the initial parameters (<see cref="InitialParameter"/>, owned by the caller) and the rendered seeds.</summary>
    public AccentuationRun(AccentuationSeeds seeds, IBackend backend, ImageParametrization param, OptimizationOptions options)
    {
        const string Options = "options";
        int n = param.Count, c = param.Channels;
        var size = param.Size;
        _width = size.Width;
        if (options.ImageNormalizer != ImageNormalizer.Sigmoid)
            throw new ArgumentException($"FeatureVisualizer: Accentuation inverts the sigmoid normalizer; ImageNormalizer {options.ImageNormalizer} cannot start from a seed.", Options);
        if (seeds.Images.Count != 1 && seeds.Images.Count != n)
            throw new ArgumentException($"FeatureVisualizer: Accentuation has {seeds.Images.Count} seed images for a batch of {n} images; give one seed for all or one per image.", Options);
        foreach (var s in seeds.Images)
            if (s.Channels != c)
                throw new ArgumentException($"FeatureVisualizer: seed {s} has {s.Channels} channel(s) but the model takes {c}; convert the seed first (ImageLoadOptions.Channels).", Options);

        using (var scope = TensorScope.Begin())
        using (GradMode.NoGrad())
        {
            var spatial = seeds.Images.Select(s => Tensor.FromArray(backend, SeedSpectrum.SpatialLogits(Resized(backend, s, size)), 1, c, size.Height, size.Width)).ToList();
            var x = spatial.Count == 1 ? spatial[0] : Tensor.Concat(spatial, 0);
            var p = param.UseFft ? x.Rfft2(FftNorm.Backward) : x;
            if (p.Shape[0] != n) p = Tensor.Concat(Enumerable.Repeat(p, n).ToList(), 0);
            if (param.UseFft)
            {
                var s = FourierParametrization.Scale(size.Height, size.Width, options.FftDecay);
                _gradientScale = scope.Keep(Tensor.FromArray(backend, s, size.Height, FourierParametrization.SpectrumWidth(size.Width), 1));
            }
            InitialParameter = scope.Keep(p.Detach());
            _target = scope.Keep(param.Finish(Spatial(InitialParameter)));
        }
        TensorScope.Current?.Keep(InitialParameter);
        TensorScope.Current?.Keep(_target);
        if (_gradientScale is not null) TensorScope.Current?.Keep(_gradientScale);
        Penalty = new SeedPenalty(_target, PenaltyFactor(seeds.Penalty, options.ValuesRange));
    }

    /// <summary>The parameters that render the seeds: [N, C, H, W/2 + 1, 2] spectra (Fourier) or [N, C, H, W] logits.</summary>
    public Tensor InitialParameter { get; }

    /// <summary>The seeds as the preconditioner renders them, [N, C, H, W], in the value range.</summary>
    public Tensor Target => _target;

    /// <summary>The penalty towards <see cref="Target"/>.</summary>
    public SeedPenalty Penalty { get; }

    /// <summary>
    /// The parameter before colour mixing: the inverse FFT (numpy's unnormalised-forward convention) of the spectrum,
    /// whose gradient alone is scaled by the Fourier frequency scale (Horama's <c>SpectrumBackwardScaler</c>); the pixel
    /// parameter itself when not Fourier.
    /// </summary>
    public Tensor Spatial(Tensor parameter) =>
        _gradientScale is null ? parameter : parameter.ScaleGradient(_gradientScale).Irfft2(_width, FftNorm.Backward);

    /// <summary>The factor on the squared distance in range units: the penalty is per (range width / 5)^2, as in Horama's (-2.5, 2.5).</summary>
    public static float PenaltyFactor(float penalty, ValueRange range) => (float)(penalty * 25.0 / ((double)range.Width * range.Width));

    private static SeedImage Resized(IBackend backend, SeedImage seed, ImageSize size)
    {
        if (seed.Height == size.Height && seed.Width == size.Width) return seed;
        using var scope = TensorScope.Begin();
        var t = Tensor.FromArray(backend, seed.Pixels, 1, seed.Channels, seed.Height, seed.Width)
            .Resize(size.Height, size.Width, new ResizeOptions(ResizeMode.Linear, CoordinateTransform.HalfPixel));
        return new SeedImage(t.ToArray(), seed.Channels, size.Height, size.Width, seed.Name);
    }

    public void Dispose()
    {
        _gradientScale?.Dispose();
        _target.Dispose();
    }
}
