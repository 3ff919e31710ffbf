using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Parametrization;

/// <summary>
/// Maps the learned parameter tensor to an NCHW image in the value range: (Fourier: scaled half spectrum, inverse
/// FFT, divided by 4) then colour recorrelation (3 channels only) then the normaliser.
/// </summary>
internal sealed class ImageParametrization : IImageParametrization
{
    private readonly Tensor? _scale;      // [H, Wc]: Xplique scale / sqrt(H W) / 4 (ortho inverse)
    private readonly Tensor? _colorWeights; // [3, 3, 1, 1]
    private readonly ImageNormalizer _normalizer;
    private readonly Func<Tensor, Tensor>? _custom;
    private readonly ValueRange _range;

    public ImageParametrization(IBackend backend, int count, int channels, ImageSize size, bool useFft, float decay, ValueRange range, ImageNormalizer normalizer, Func<Tensor, Tensor>? custom)
    {
        Count = count;
        Channels = channels;
        Size = size;
        UseFft = useFft;
        _range = range;
        _normalizer = normalizer;
        _custom = custom;
        if (useFft)
        {
            var s = FourierParametrization.Scale(size.Height, size.Width, decay);
            float k = (float)(1.0 / (Math.Sqrt((double)size.Height * size.Width) * FourierParametrization.OutputDivisor));
            for (int i = 0; i < s.Length; i++) s[i] *= k;
            _scale = Untracked(Tensor.FromArray(backend, s, size.Height, FourierParametrization.SpectrumWidth(size.Width)));
        }
        if (channels == 3) _colorWeights = Untracked(Tensor.FromArray(backend, ColorDecorrelation.ConvWeights(), 3, 3, 1, 1));
    }

    public int Count { get; }
    public int Channels { get; }
    public ImageSize Size { get; }
    public bool UseFft { get; }

    /// <summary>Shape of the learned parameter: [N, C, H, W/2+1, 2] (Fourier) or [N, C, H, W] (pixels).</summary>
    public int[] ParameterShape => UseFft
        ? [Count, Channels, Size.Height, FourierParametrization.SpectrumWidth(Size.Width), 2]
        : [Count, Channels, Size.Height, Size.Width];

    /// <summary>Initial parameters: N(0, std) for every real value (real and imaginary parts alike).</summary>
    public Tensor Initial(IBackend backend, Random random, float std)
    {
        var shape = ParameterShape;
        var data = new float[shape.Aggregate(1, (a, d) => a * d)];
        for (int i = 0; i < data.Length; i += 2)
        {
            // Box-Muller: two independent normals per pair of uniforms.
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            data[i] = (float)(std * r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < data.Length) data[i + 1] = (float)(std * r * Math.Sin(2 * Math.PI * u2));
        }
        return Tensor.FromArray(backend, data, shape);
    }

    /// <summary>The image [N, C, H, W] in the value range, differentiable w.r.t. <paramref name="parameter"/>.</summary>
    public Tensor Render(Tensor parameter) => Finish(Spatial(parameter));

    /// <summary>The image before the colour mixing and normalization: the inverse FFT of the scaled spectrum, or the pixel parameter itself.</summary>
    public Tensor Spatial(Tensor parameter) => UseFft ? parameter.Irfft2(Size.Width, FftNorm.Ortho, _scale) : parameter;

    /// <summary>Colour decorrelation, normalizer and value range: from <see cref="Spatial"/> to the image.</summary>
    public Tensor Finish(Tensor x)
    {
        if (_colorWeights is not null) x = x.Conv2d(_colorWeights, null, new Conv2dOptions());
        x = _normalizer switch
        {
            ImageNormalizer.Sigmoid => x.Sigmoid(),
            ImageNormalizer.Clip => x.Add(0.5f).Clip(0f, 1f),
            _ => _custom!(x),
        };
        return x.Affine(_range.Width, _range.Min);
    }

    /// <summary>
    /// True when <see cref="Finish"/> treats every pixel on its own (the built-in normalizers), so it may run after
    /// a crop instead of before it.
    /// </summary>
    public bool FinishIsPointwise => _normalizer != ImageNormalizer.Custom;

    private static Tensor Untracked(Tensor t)
    {
        TensorScope.Current?.Keep(t);
        return t;
    }

    public void Dispose()
    {
        _scale?.Dispose();
        _colorWeights?.Dispose();
    }
}
