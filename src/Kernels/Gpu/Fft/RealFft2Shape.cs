using ILGPU;

namespace FeatureViz.Kernels.Gpu.Fft;

/// <summary>Kernel argument of the real 2-D transforms' packing kernels: geometry, weights and whether bin weights are given.</summary>
internal struct RealFft2Shape
{
    public int Batch;
    public int Height;
    public int Width;
    public int HalfWidth;
    public float Scale;
    public float InteriorWeight;
    public int HasBins;

    /// <summary>The weight of spectrum bin (m, c): scale, times the interior weight off DC and Nyquist, times the bin weight if any.</summary>
    public float Weight(ArrayView<float> bins, int m, int c)
    {
        float w = c > 0 && 2 * c != Width ? Scale * InteriorWeight : Scale;
        return HasBins != 0 ? w * bins[m * HalfWidth + c] : w;
    }
}
