using ILGPU;

namespace FeatureViz.Kernels.Gpu.Fft;

/// <summary>
/// Device code of Bluestein's chirp-z transform: X_k = w_k (a * b)_k with w_n = e^{-pi i n^2 / N}, a_n = x_n w_n zero-padded
/// to the power of two M, b the conjugate chirp wrapped around M, the cyclic convolution done by two forward FFTs of M
/// points (the inverse one as conj(FFT(conj(.)))) and a product with the precomputed FFT(b) / M.
/// </summary>
internal static class BluesteinKernels
{
    /// <summary>dst[s, m] = x[s, m] w_m for m &lt; N, 0 up to M.</summary>
    public static void Chirp(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> chirp, BluesteinShape b)
    {
        int total = b.Sequences * b.Padded;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
        {
            int s = i / b.Padded, m = i - s * b.Padded;
            dst[i] = m < b.Length ? src[s * b.Length + m] * chirp[m] : new Complex32(0f, 0f);
        }
    }

    /// <summary>data[s, m] = conj(data[s, m] K_m): the pointwise product, conjugated for the inverse FFT that follows.</summary>
    public static void MultiplyConjugate(ArrayView<Complex32> data, ArrayView<Complex32> kernelSpectrum, BluesteinShape b)
    {
        int total = b.Sequences * b.Padded;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
            data[i] = (data[i] * kernelSpectrum[i % b.Padded]).Conjugate();
    }

    /// <summary>dst[s, k] = w_k conj(src[s, k]) for k &lt; N.</summary>
    public static void Dechirp(ArrayView<Complex32> src, ArrayView<Complex32> dst, ArrayView<Complex32> chirp, BluesteinShape b)
    {
        int total = b.Sequences * b.Length;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
        {
            int s = i / b.Length, k = i - s * b.Length;
            dst[i] = chirp[k] * src[s * b.Padded + k].Conjugate();
        }
    }
}

/// <summary>Sizes of a Bluestein launch: <see cref="Sequences"/> transforms of <see cref="Length"/> points through FFTs of <see cref="Padded"/>.</summary>
internal struct BluesteinShape
{
    public int Length;
    public int Padded;
    public int Sequences;
}
