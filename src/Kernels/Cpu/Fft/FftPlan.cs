using System.Collections.Concurrent;

namespace FeatureViz.Kernels.Cpu.Fft;

/// <summary>
/// A forward complex DFT of one length, applied to many sequences at once. Data is split into a real and an
/// imaginary plane, each laid out [Length][lanes] (element n of every sequence is contiguous), so every butterfly
/// is a plain SIMD loop over lanes. Smooth lengths use mixed-radix Stockham stages (radix 4, 2, 3, 5 and small odd
/// primes); lengths with a large prime factor use Bluestein's chirp-z algorithm. Plans are immutable and cached.
/// </summary>
internal sealed unsafe class FftPlan
{
    /// <summary>Largest prime factor done by a direct odd-radix butterfly; larger ones go through Bluestein.</summary>
    internal const int MaxDirectRadix = 31;

    private static readonly ConcurrentDictionary<int, FftPlan> Cache = new();

    private readonly FftStage[] _stages;
    private readonly BluesteinPlan? _bluestein;

    private FftPlan(int length)
    {
        Length = length;
        var factors = Factor(length);
        if (factors.Count > 0 && factors[^1] > MaxDirectRadix)
        {
            _stages = [];
            _bluestein = new BluesteinPlan(length);
            return;
        }
        _stages = new FftStage[factors.Count];
        int n = length, s = 1;
        for (int i = 0; i < factors.Count; i++)
        {
            _stages[i] = new FftStage(factors[i], n / factors[i], s);
            n /= factors[i];
            s *= factors[i];
        }
    }

    /// <summary>The transform length.</summary>
    public int Length { get; }

    /// <summary>The cached plan for <paramref name="length"/> (thread-safe).</summary>
    public static FftPlan For(int length)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), length, "FFT length must be at least 1.");
        return Cache.GetOrAdd(length, static n => new FftPlan(n));
    }

    /// <summary>Floats of scratch memory <see cref="Forward(float*, float*, float*, int)"/> needs for <paramref name="lanes"/> lanes.</summary>
    public long ScratchFloats(int lanes) => _bluestein?.ScratchFloats(lanes) ?? 2L * Length * lanes;

    /// <summary>
    /// In-place forward DFT (sign -1, unscaled) of the planes <paramref name="re"/>, <paramref name="im"/>
    /// ([Length][lanes] each; lanes a multiple of <see cref="System.Numerics.Vector{T}.Count"/>). Swapping the
    /// planes gives the unscaled inverse. <paramref name="scratch"/> holds <see cref="ScratchFloats"/> floats.
    /// </summary>
    public void Forward(float* re, float* im, float* scratch, int lanes)
    {
        Forward(re, im, scratch, lanes, out var outRe, out var outIm);
        if (outRe != re)
        {
            long bytes = (long)Length * lanes * sizeof(float);
            Buffer.MemoryCopy(outRe, re, bytes, bytes);
            Buffer.MemoryCopy(outIm, im, bytes, bytes);
        }
    }

    /// <summary>
    /// As <see cref="Forward(float*, float*, float*, int)"/>, but the result is left where the last stage wrote it:
    /// in <paramref name="re"/>/<paramref name="im"/> or in the two halves of <paramref name="scratch"/>, as
    /// <paramref name="outRe"/>/<paramref name="outIm"/> say (no copy back after an odd number of stages).
    /// </summary>
    public void Forward(float* re, float* im, float* scratch, int lanes, out float* outRe, out float* outIm)
    {
        if (_bluestein is not null)
        {
            _bluestein.Forward(re, im, scratch, lanes);
            outRe = re;
            outIm = im;
            return;
        }
        long plane = (long)Length * lanes;
        float* xr = re, xi = im, yr = scratch, yi = scratch + plane;
        foreach (var stage in _stages)
        {
            stage.Run(xr, xi, yr, yi, lanes);
            float* t = xr; xr = yr; yr = t;
            t = xi; xi = yi; yi = t;
        }
        outRe = xr;
        outIm = xi;
    }

    /// <summary>Radix sequence: fours first, then a two, then odd primes in increasing order.</summary>
    private static List<int> Factor(int n)
    {
        var f = new List<int>();
        while (n % 4 == 0) { f.Add(4); n /= 4; }
        if (n % 2 == 0) { f.Add(2); n /= 2; }
        for (int p = 3; (long)p * p <= n; p += 2)
            while (n % p == 0) { f.Add(p); n /= p; }
        if (n > 1) f.Add(n);
        return f;
    }
}

/// <summary>
/// One Stockham (decimation in frequency, autosort) stage: sub-length n = Radix * M, stride S (n * S = Length).
/// Output element q + S (Radix pp + t) = w_n^(pp t) * sum_r x[q + S (pp + r M)] w_Radix^(r t).
/// </summary>
internal sealed unsafe class FftStage
{
    private readonly float[] _twRe, _twIm;   // [M][Radix - 1], w_n^(pp t) for t = 1..Radix-1
    private readonly float[] _cos, _sin;     // cos, sin(2 pi k / Radix) for the generic odd radix

    public FftStage(int radix, int m, int s)
    {
        Radix = radix;
        M = m;
        S = s;
        int n = radix * m;
        _twRe = new float[m * (radix - 1)];
        _twIm = new float[m * (radix - 1)];
        for (int pp = 0; pp < m; pp++)
        {
            for (int t = 1; t < radix; t++)
            {
                long k = (long)pp * t % n;
                double a = -2 * Math.PI * k / n;
                _twRe[pp * (radix - 1) + t - 1] = (float)Math.Cos(a);
                _twIm[pp * (radix - 1) + t - 1] = (float)Math.Sin(a);
            }
        }
        _cos = new float[radix];
        _sin = new float[radix];
        for (int k = 0; k < radix; k++)
        {
            _cos[k] = (float)Math.Cos(2 * Math.PI * k / radix);
            _sin[k] = (float)Math.Sin(2 * Math.PI * k / radix);
        }
    }

    public int Radix { get; }
    public int M { get; }
    public int S { get; }

    public void Run(float* xr, float* xi, float* yr, float* yi, int lanes)
    {
        int sv = S * lanes;
        fixed (float* twr = _twRe, twi = _twIm, c = _cos, sn = _sin)
        {
            switch (Radix)
            {
                case 2: Butterflies.Radix2(xr, xi, yr, yi, M, sv, twr, twi); break;
                case 3: Butterflies.Radix3(xr, xi, yr, yi, M, sv, twr, twi); break;
                case 4: Butterflies.Radix4(xr, xi, yr, yi, M, sv, twr, twi); break;
                default: Butterflies.OddRadix(Radix, xr, xi, yr, yi, M, sv, twr, twi, c, sn); break;
            }
        }
    }
}
