using FeatureViz.Objectives;
using FeatureViz.Parametrization;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;
using FeatureViz.Transforms;

namespace FeatureViz.Maco;

/// <summary>
/// MaCo's part of an optimization session: the phase parametrization (fixed magnitude), the random crops with noise
/// that form the model batch, the objective averaged over the crops, and the transparency accumulated from the image
/// gradients. The session keeps the loop (steps, batched loss reads, divergence, snapshots).
/// </summary>
internal sealed class MacoStage : IDisposable
{
    private const float StandardizeEpsilon = 1e-5f;
    private const double CropCentreMean = 0.5, CropCentreStd = 0.15, BoxSizeStd = 0.05, MinBox = 0.05, MaxBox = 1.0;

    private readonly MacoOptions _o;
    private readonly Tensor _magnitude; // [C, H, Wc]
    private readonly Tensor? _colorWeights;
    private Tensor? _transparency; // [N, C, H, W], kept across steps
    private readonly int _count, _channels, _height, _width, _modelH, _modelW;

    public MacoStage(IBackend backend, MacoOptions options, int count, int channels, ImageSize size, int modelH, int modelW)
    {
        _o = options;
        _count = count;
        _channels = channels;
        (_height, _width) = (size.Height, size.Width);
        (_modelH, _modelW) = (modelH, modelW);
        var spectrum = options.Spectrum ?? MacoSpectrum.Default(channels, size.Height, size.Width);
        if (spectrum.Channels != channels)
            throw new ArgumentException($"MaCo: the spectrum from {spectrum.Source} has {spectrum.Channels} channels ({spectrum.Channels}, {spectrum.Height}, {spectrum.Width}) but the model takes {channels}.", "options");
        int wc = FourierParametrization.SpectrumWidth(size.Width);
        _magnitude = Keep(Tensor.FromArray(backend, spectrum.Resized(size.Height, wc), channels, size.Height, wc));
        if (channels == 3) _colorWeights = Keep(Tensor.FromArray(backend, ColorDecorrelation.ConvWeights(), 3, 3, 1, 1));
    }

    /// <summary>Crops per image in the model batch (1 when <see cref="MacoOptions.Crops"/> is 0: the whole image).</summary>
    public int Views => Math.Max(1, _o.Crops);

    /// <summary>[N, C, H, W/2 + 1]: one phase per image.</summary>
    public int[] ParameterShape => [_count, _channels, _height, FourierParametrization.SpectrumWidth(_width)];

    /// <summary>Phases from N(0, <see cref="MacoOptions.PhaseStd"/>).</summary>
    public Tensor Initial(IBackend backend, Random random)
    {
        var shape = ParameterShape;
        var data = new float[shape.Aggregate(1, (a, d) => a * d)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(_o.PhaseStd * Normal(random));
        return Tensor.FromArray(backend, data, shape);
    }

    /// <summary>
    /// Xplique's <c>maco_image_parametrization</c> per image: standardised phase, spectrum <c>m cos p + i m sin p</c>,
    /// <c>irfft2</c>, standardised image, colour recorrelation (3 channels), sigmoid, value range.
    /// </summary>
    public Tensor Render(Tensor phase)
    {
        var p = Standardize(phase);
        var spectrum = Tensor.Concat([p.Cos().Mul(_magnitude).Unsqueeze(-1), p.Sin().Mul(_magnitude).Unsqueeze(-1)], 4);
        var x = Standardize(spectrum.Irfft2(_width, FftNorm.Backward));
        if (_colorWeights is not null) x = x.Conv2d(_colorWeights, null, new Conv2dOptions());
        return x.Sigmoid().Affine(_o.ValuesRange.Width, _o.ValuesRange.Min);
    }

    /// <summary>
    /// The model batch [K N, C, h, w] (crop k of image n at k N + n): random boxes sampled bilinearly with zero fill
    /// (<c>tf.image.crop_and_resize</c>'s sampling grid), plus noise; with no crops, the image resized.
    /// </summary>
    public Tensor ModelInput(Tensor image, Random random, int step, int totalSteps)
    {
        Tensor x;
        if (_o.Crops == 0)
        {
            x = image.Shape[2] == _modelH && image.Shape[3] == _modelW ? image
                : image.Resize(_modelH, _modelW, new ResizeOptions(ResizeMode.Linear, CoordinateTransform.HalfPixel));
        }
        else
        {
            double box = _o.BoxSize.At(step, totalSteps);
            if (!double.IsFinite(box)) throw new InvalidOperationException($"MaCo: the box-size schedule {_o.BoxSize} gave {box} at step {step + 1} of {totalSteps}.");
            // Largest box with the model's aspect ratio that fits the image, in pixels.
            double scale = Math.Min((double)_height / _modelH, (double)_width / _modelW);
            double fullH = _modelH * scale, fullW = _modelW * scale;
            var crops = new Tensor[_o.Crops];
            var theta = new float[_count * 6];
            for (int k = 0; k < _o.Crops; k++)
            {
                for (int n = 0; n < _count; n++)
                {
                    double cx = CropCentreMean + CropCentreStd * Normal(random), cy = CropCentreMean + CropCentreStd * Normal(random);
                    double side = Math.Clamp(box + BoxSizeStd * Normal(random), MinBox, MaxBox);
                    double bh = side * fullH, bw = side * fullW;
                    double y1 = cy * _height - bh / 2, x1 = cx * _width - bw / 2;
                    // crop_and_resize samples input pixel y1 + i (bh - 1) / (h - 1) for output pixel i (pixel indices);
                    // in centre coordinates (index + 0.5): y_in = b y_out + y1 - b / 2 + 0.5.
                    double by = _modelH > 1 ? (bh - 1) / (_modelH - 1) : 0, bx = _modelW > 1 ? (bw - 1) / (_modelW - 1) : 0;
                    ImageTransform.PixelToTheta(theta.AsSpan(n * 6, 6), bx, 0, x1 - bx / 2 + 0.5, 0, by, y1 - by / 2 + 0.5, _modelH, _modelW, _height, _width);
                }
                var t = Tensor.FromArray(image.Backend, theta, _count, 2, 3);
                crops[k] = image.AffineWarp(t, _modelH, _modelW, WarpPadding.Zeros);
            }
            x = crops.Length == 1 ? crops[0] : Tensor.Concat(crops, 0);
        }
        double intensity = _o.NoiseIntensity.At(step, totalSteps);
        if (!double.IsFinite(intensity) || intensity < 0) throw new InvalidOperationException($"MaCo: the noise schedule {_o.NoiseIntensity} gave {intensity} at step {step + 1} of {totalSteps}; it must be finite and >= 0.");
        double sigma = intensity * _o.ValuesRange.Width / 2;
        if (sigma > 0)
        {
            var noise = new float[x.Numel];
            for (int i = 0; i < noise.Length; i++) noise[i] = (float)(sigma * (Normal(random) + random.NextDouble() - 0.5));
            x = x.Add(Tensor.FromArray(x.Backend, noise, x.Shape.ToArray()));
        }
        return x;
    }

    /// <summary>Each image's objective, the mean over its crops, [N], from activations of the [K N, ...] batch.</summary>
    public Tensor Scores(CompiledObjective compiled, IReadOnlyDictionary<string, Tensor> activations)
    {
        if (Views == 1) return compiled.Evaluate(activations);
        Tensor? total = null;
        for (int k = 0; k < Views; k++)
        {
            var slice = new Dictionary<string, Tensor>();
            foreach (var (name, a) in activations) slice[name] = a.Slice([k * _count], [(k + 1) * _count], [0]);
            var s = compiled.Evaluate(slice);
            total = total is null ? s : total.Add(s);
        }
        return total!.Mul(1f / Views);
    }

    /// <summary>Adds |d loss / d image| to the transparency while <paramref name="finite"/> (a [1] flag) is 1.</summary>
    public void Accumulate(Tensor imageGradient, Tensor finite)
    {
        var magnitude = imageGradient.Abs();
        var previous = _transparency ?? Tensor.Zeros(magnitude.Backend, magnitude.Shape.ToArray());
        var next = Tensor.Where(finite, previous.Add(magnitude), previous);
        Keep(next);
        _transparency?.Dispose();
        _transparency = next;
    }

    /// <summary>The transparency so far, [N, C, H, W] on the host (zeros before any step).</summary>
    public float[] Transparency() => _transparency?.ToArray() ?? new float[_count * _channels * _height * _width];

    private static Tensor Standardize(Tensor x)
    {
        int[] axes = [.. Enumerable.Range(1, x.Rank - 1)];
        var centred = x.Sub(x.Mean(axes, keepDims: true));
        var std = centred.Mul(centred).Mean(axes, keepDims: true).Sqrt();
        return centred.Div(std.Add(StandardizeEpsilon));
    }

    internal static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static Tensor Keep(Tensor t)
    {
        TensorScope.Current?.Keep(t);
        return t;
    }

    public void Dispose()
    {
        _magnitude.Dispose();
        _colorWeights?.Dispose();
        _transparency?.Dispose();
    }
}
