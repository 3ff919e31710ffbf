using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Fft;

/// <summary>
/// A forward complex FFT of one length on one accelerator, batched over contiguous sequences: Stockham passes of radix
/// 8, 4, 2, 7, 5 and 3 with a device table of the N roots of unity (computed in double), or, when N has another prime
/// factor, Bluestein through a power-of-two plan with the chirp and the chirp filter's spectrum on the device.
/// </summary>
internal sealed class FftPlan
{
    private readonly GpuAccelerator gpu;
    private readonly int[] radices;
    private readonly MemoryBuffer1D<Complex32, Stride1D.Dense>? twiddles;
    private readonly FftPlan? inner;
    private readonly MemoryBuffer1D<Complex32, Stride1D.Dense>? chirp;
    private readonly MemoryBuffer1D<Complex32, Stride1D.Dense>? filterSpectrum;

    private FftPlan(GpuAccelerator gpu, int length, bool sharedMemory)
    {
        this.gpu = gpu;
        Length = length;
        radices = Factor(length, out int rest);
        if (rest == 1)
        {
            var table = new Complex32[length];
            for (int m = 0; m < length; m++)
            {
                double angle = -2 * Math.PI * m / length;
                table[m] = new Complex32((float)Math.Cos(angle), (float)Math.Sin(angle));
            }
            twiddles = gpu.Accelerator.Allocate1D(table);
            UsesSharedMemory = sharedMemory && radices.Length is > 0 and <= SharedFftShape.MaxPasses && length <= SharedFftShape.Elements
                && 2L * SharedFftShape.Elements * 8 <= gpu.Accelerator.MaxSharedMemoryPerGroup;
            return;
        }
        radices = [];
        int padded = (int)BitOperations.RoundUpToPowerOf2((uint)(2 * length - 1));
        inner = new FftPlan(gpu, padded, sharedMemory);
        var w = new Complex[length];
        for (int n = 0; n < length; n++)
            w[n] = Complex.FromPolarCoordinates(1, -Math.PI * ((long)n * n % (2L * length)) / length);
        var b = new Complex[padded];
        for (int m = 0; m < length; m++)
        {
            b[m] = Complex.Conjugate(w[m]);
            if (m > 0) b[padded - m] = b[m];
        }
        HostFft(b);
        chirp = gpu.Accelerator.Allocate1D(w.Select(c => new Complex32((float)c.Real, (float)c.Imaginary)).ToArray());
        filterSpectrum = gpu.Accelerator.Allocate1D(b.Select(c => new Complex32((float)(c.Real / padded), (float)(c.Imaginary / padded))).ToArray());
    }

    /// <summary>Points per sequence.</summary>
    public int Length { get; }

    /// <summary>Whether the plan goes through Bluestein's algorithm.</summary>
    public bool IsBluestein => inner is not null;

    /// <summary>Whether all passes run in one launch in shared memory (<see cref="StockhamKernels.SharedFft"/>), else one launch per pass.</summary>
    public bool UsesSharedMemory { get; }

    /// <summary>Complex elements per sequence each of the two work buffers of <see cref="Forward"/> must hold.</summary>
    public int ScratchLength => inner?.Length ?? Length;

    /// <summary>The passes' radices in order (empty for Bluestein and for length 1).</summary>
    public IReadOnlyList<int> Radices => radices;

    /// <summary>
    /// Builds the plan for <paramref name="length"/> points, uploading its tables; <paramref name="sharedMemory"/> false
    /// keeps every pass a separate global-memory launch (the fallback for long sequences, tested on its own).
    /// </summary>
    public static FftPlan Create(GpuAccelerator gpu, int length, bool sharedMemory = true)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), length, "FFT length must be positive.");
        return new FftPlan(gpu, length, sharedMemory);
    }

    /// <summary>
    /// Forward DFTs of <paramref name="sequences"/> contiguous sequences in <paramref name="a"/> (both buffers hold at
    /// least sequences * <see cref="ScratchLength"/> elements; both are overwritten). True when the result, contiguous
    /// like the input, ends up in <paramref name="b"/>, false when in <paramref name="a"/>.
    /// </summary>
    public bool Forward(ArrayView<Complex32> a, ArrayView<Complex32> b, int sequences)
    {
        if (UsesSharedMemory)
        {
            int perGroup = Math.Max(1, SharedFftShape.Elements / Length), groups = (sequences + perGroup - 1) / perGroup;
            var config = new KernelConfig(new Index1D(Math.Max(1, Math.Min(gpu.Policy.MaxGroups, groups))), new Index1D(gpu.Policy.GroupSize));
            FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<Complex32>, SharedFftShape>(gpu, "FftShared", StockhamKernels.SharedFft)(
                gpu.Stream, config, a, b, twiddles!.View, SharedFftShape.For(radices, Length, sequences, perGroup));
            return true;
        }
        if (inner is null)
        {
            int span = 1;
            bool inB = false;
            foreach (int r in radices)
            {
                var pass = new StockhamPass { Length = Length, Span = span, Sequences = sequences, TwiddleStride = Length / (span * r) };
                Radix(r)(gpu.Stream, gpu.Policy.For((long)sequences * (Length / r)), inB ? b : a, inB ? a : b, twiddles!.View, pass);
                span *= r;
                inB = !inB;
            }
            return inB;
        }
        var shape = new BluesteinShape { Length = Length, Padded = inner.Length, Sequences = sequences };
        long paddedWork = (long)sequences * inner.Length;
        FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<Complex32>, BluesteinShape>(gpu, "FftBluesteinChirp", BluesteinKernels.Chirp)(
            gpu.Stream, gpu.Policy.For(paddedWork), a, b, chirp!.View, shape);
        bool r1InA = inner.Forward(b, a, sequences);
        var (r1, o1) = r1InA ? (a, b) : (b, a);
        FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, BluesteinShape>(gpu, "FftBluesteinMultiplyConjugate", BluesteinKernels.MultiplyConjugate)(
            gpu.Stream, gpu.Policy.For(paddedWork), r1, filterSpectrum!.View, shape);
        bool r2InA = inner.Forward(r1, o1, sequences) != r1InA;
        var (r2, o2) = r2InA ? (a, b) : (b, a);
        FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<Complex32>, BluesteinShape>(gpu, "FftBluesteinDechirp", BluesteinKernels.Dechirp)(
            gpu.Stream, gpu.Policy.For((long)sequences * Length), r2, o2, chirp.View, shape);
        return r2InA;
    }

    /// <summary>The Stockham radices of <paramref name="n"/> (8s first, then 4, 2, 7, 5, 3) and the cofactor they leave.</summary>
    internal static int[] Factor(int n, out int rest)
    {
        var list = new List<int>();
        while (n % 8 == 0) { list.Add(8); n /= 8; }
        if (n % 4 == 0) { list.Add(4); n /= 4; }
        if (n % 2 == 0) { list.Add(2); n /= 2; }
        foreach (int p in new[] { 7, 5, 3 })
            while (n % p == 0) { list.Add(p); n /= p; }
        rest = n;
        return [.. list];
    }

    private Action<AcceleratorStream, KernelConfig, ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<Complex32>, StockhamPass> Radix(int r) => r switch
    {
        2 => FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<Complex32>, StockhamPass>(gpu, "FftRadix2", StockhamKernels.Radix2),
        3 => FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<Complex32>, StockhamPass>(gpu, "FftRadix3", StockhamKernels.Radix3),
        4 => FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<Complex32>, StockhamPass>(gpu, "FftRadix4", StockhamKernels.Radix4),
        5 => FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<Complex32>, StockhamPass>(gpu, "FftRadix5", StockhamKernels.Radix5),
        7 => FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<Complex32>, StockhamPass>(gpu, "FftRadix7", StockhamKernels.Radix7),
        8 => FftLaunch.Load<ArrayView<Complex32>, ArrayView<Complex32>, ArrayView<Complex32>, StockhamPass>(gpu, "FftRadix8", StockhamKernels.Radix8),
        _ => throw new ArgumentOutOfRangeException(nameof(r), r, "No Stockham kernel for this radix."),
    };

    /// <summary>In-place forward radix-2 FFT in double of a power-of-two sequence (for the Bluestein filter only).</summary>
    private static void HostFft(Complex[] data)
    {
        int n = data.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) (data[i], data[j]) = (data[j], data[i]);
        }
        for (int len = 2; len <= n; len <<= 1)
        {
            for (int i = 0; i < n; i += len)
                for (int k = 0; k < len / 2; k++)
                {
                    var t = Complex.FromPolarCoordinates(1, -2 * Math.PI * k / len) * data[i + k + len / 2];
                    data[i + k + len / 2] = data[i + k] - t;
                    data[i + k] = data[i + k] + t;
                }
        }
    }
}
