using FeatureViz.Cli.IO;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Maco;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.TestSupport;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Library.Maco;

/// <summary>
/// MaCo's image against Xplique's formula (reference section 3.4) written here independently in float64: standardised
/// phase, <c>m cos p + i m sin p</c>, irfft2 by direct sums, standardised image, the colour matrix, sigmoid, range.
/// </summary>
public class MacoFormulaTests(ITestOutputHelper output)
{
    private static string SpectrumPath => SharedData.PathOf("data", "reference", "spectrum_decorrelated.npy");

    // Xplique's recorrelate_colors constant (reference section 3.2), rgb = x @ M.
    private static readonly double[,] M =
    {
        { 0.56282854, 0.58447580, 0.58447580 },
        { 0.19482528, 0.0, -0.19482528 },
        { 0.04329450, -0.10823626, 0.06494176 },
    };

    [SharedDataFact("data/reference/spectrum_decorrelated.npy")]
    public void ReferenceSpectrumAndFixedPhaseGiveTheReferenceImage512()
    {
        var npy = Npy.Read(SpectrumPath);
        Assert.Equal([3, 512, 257], npy.Shape);
        Compare(npy.Data.Select(v => (double)v).ToArray(), MacoSpectrum.FromArray(npy.Data, npy.Shape, SpectrumPath), 512, 512, new ValueRange(-1, 1), seed: 5);
    }

    [SharedDataFact("data/reference/spectrum_decorrelated.npy")]
    public void ReferenceSpectrumResizedForANonSquareImage()
    {
        var npy = Npy.Read(SpectrumPath);
        const int h = 48, w = 81;
        var resized = ResizeBilinear(npy.Data, 3, 512, 257, h, w / 2 + 1);
        Compare(resized, MacoSpectrum.FromArray(npy.Data, npy.Shape, SpectrumPath), h, w, new ValueRange(0, 255), seed: 6);
    }

    private void Compare(double[] magnitude, MacoSpectrum spectrum, int h, int w, ValueRange range, int seed)
    {
        int wc = w / 2 + 1;
        var r = new Random(seed);
        var phase = new float[3 * h * wc];
        for (int i = 0; i < phase.Length; i++) phase[i] = (float)(r.NextDouble() * 6 - 3);

        float[] ours;
        var options = new MacoOptions { Spectrum = spectrum, ValuesRange = range };
        using (var stage = new MacoStage(CpuBackend.Default, options, 1, 3, new ImageSize(h, w), 224, 224))
        using (TensorScope.Begin())
        using (GradMode.NoGrad())
            ours = stage.Render(Tensor.FromArray(CpuBackend.Default, phase, 1, 3, h, wc)).ToArray();

        var expected = Reference(phase.Select(v => (double)v).ToArray(), magnitude, h, w, range);
        double maxErr = 0;
        for (int i = 0; i < ours.Length; i++) maxErr = Math.Max(maxErr, Math.Abs(ours[i] - expected[i]));
        // Float32 rounding of the pipeline: the sigmoid's slope is at most 1/4 and the image is standardised to unit
        // deviation, so a relative error of a few 1e-6 in the float32 irfft2 shows as about that times the range width.
        double bound = 5e-6 * range.Width;
        output.WriteLine($"{h} x {w}: max |ours - float64 reference| = {maxErr:E3} (bound {bound:E1})");
        Assert.True(maxErr <= bound, $"max error {maxErr} > {bound}");
    }

    /// <summary>Xplique's maco_image_parametrization in float64 (NCHW instead of NHWC: the same per-pixel values).</summary>
    internal static double[] Reference(double[] phase, double[] magnitude, int h, int w, ValueRange range)
    {
        int wc = w / 2 + 1;
        var p = Standardize(phase);
        int plane = h * w;
        var x = new double[3 * plane];
        for (int c = 0; c < 3; c++)
        {
            // irfft2: x[y, u] = Re(sum_ky sum_kx c_kx Z e^{2 pi i (ky y / h + kx u / w)}) / (h w), c_kx = 1 for the
            // DC and Nyquist columns (whose imaginary part c2r ignores after the column transform), 2 otherwise.
            var aRe = new double[h * wc];
            var aIm = new double[h * wc];
            var (cosH, sinH) = Twiddles(h);
            var (cosW, sinW) = Twiddles(w);
            var zr = new double[h * wc];
            var zi = new double[h * wc];
            for (int k = 0; k < h * wc; k++)
            {
                zr[k] = magnitude[c * h * wc + k] * Math.Cos(p[c * h * wc + k]);
                zi[k] = magnitude[c * h * wc + k] * Math.Sin(p[c * h * wc + k]);
            }
            for (int y = 0; y < h; y++)
                for (int ky = 0; ky < h; ky++)
                {
                    int t = (int)((long)ky * y % h);
                    double ct = cosH[t], st = sinH[t];
                    for (int kx = 0; kx < wc; kx++)
                    {
                        aRe[y * wc + kx] += zr[ky * wc + kx] * ct - zi[ky * wc + kx] * st;
                        aIm[y * wc + kx] += zr[ky * wc + kx] * st + zi[ky * wc + kx] * ct;
                    }
                }
            for (int y = 0; y < h; y++)
                for (int u = 0; u < w; u++)
                {
                    double s = 0;
                    for (int kx = 0; kx < wc; kx++)
                    {
                        double weight = kx == 0 || (w % 2 == 0 && kx == w / 2) ? 1 : 2;
                        int t = (int)((long)kx * u % w);
                        s += weight * (aRe[y * wc + kx] * cosW[t] - aIm[y * wc + kx] * sinW[t]);
                    }
                    x[c * plane + y * w + u] = s / ((double)h * w);
                }
        }
        x = Standardize(x);
        var result = new double[x.Length];
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++)
            {
                double v = 0;
                for (int j = 0; j < 3; j++) v += x[j * plane + i] * M[j, c];
                result[c * plane + i] = range.Min + range.Width / (1 + Math.Exp(-v));
            }
        return result;
    }

    private static (double[] Cos, double[] Sin) Twiddles(int n)
    {
        var cos = new double[n];
        var sin = new double[n];
        for (int t = 0; t < n; t++)
        {
            cos[t] = Math.Cos(2 * Math.PI * t / n);
            sin[t] = Math.Sin(2 * Math.PI * t / n);
        }
        return (cos, sin);
    }

    private static double[] Standardize(double[] v)
    {
        double mean = v.Average();
        double std = Math.Sqrt(v.Average(a => (a - mean) * (a - mean)));
        return v.Select(a => (a - mean) / (std + 1e-5)).ToArray();
    }

    /// <summary>tf.image.resize bilinear (half-pixel centres, no antialias): in = (out + 0.5) scale - 0.5, edges clamped.</summary>
    internal static double[] ResizeBilinear(float[] src, int c, int h, int w, int oh, int ow)
    {
        var dst = new double[c * oh * ow];
        for (int k = 0; k < c; k++)
            for (int y = 0; y < oh; y++)
            {
                double sy = Math.Max((y + 0.5) * h / oh - 0.5, 0);
                int y0 = (int)sy, y1 = Math.Min(y0 + 1, h - 1);
                double fy = sy - y0;
                for (int x = 0; x < ow; x++)
                {
                    double sx = Math.Max((x + 0.5) * w / ow - 0.5, 0);
                    int x0 = (int)sx, x1 = Math.Min(x0 + 1, w - 1);
                    double fx = sx - x0;
                    double At(int yy, int xx) => src[(k * h + yy) * w + xx];
                    dst[(k * oh + y) * ow + x] = (1 - fy) * ((1 - fx) * At(y0, x0) + fx * At(y0, x1)) + fy * ((1 - fx) * At(y1, x0) + fx * At(y1, x1));
                }
            }
        return dst;
    }
}
