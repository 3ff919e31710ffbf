using System.Runtime.Intrinsics;
using FeatureViz.Kernels.Cpu.Gemm;

namespace FeatureViz.Kernels.Cpu.Conv;

/// <summary>
/// Transformed 3 x 3 filters U[ξ][o][c] = (G g[o, c] Gᵀ)[ξ] of a convolution with <see cref="O"/> outputs and
/// <see cref="C"/> inputs: α² row-major matrices of <see cref="PaddedO"/> x C, the output rows padded with zeros to
/// a multiple of the GEMM micro-kernel's height so that every register tile is full.
/// </summary>
internal sealed class WinogradWeights
{
    private WinogradWeights(WinogradTransform transform, int o, int c, float[] u)
    {
        Transform = transform;
        O = o;
        C = c;
        U = u;
    }

    /// <summary>The algorithm the filters were transformed for.</summary>
    public WinogradTransform Transform { get; }

    /// <summary>Output channels.</summary>
    public int O { get; }

    /// <summary>Input channels.</summary>
    public int C { get; }

    /// <summary>Output channels rounded up to a multiple of <see cref="MicroKernel.MR"/>.</summary>
    public int PaddedO => (O + MicroKernel.MR - 1) / MicroKernel.MR * MicroKernel.MR;

    /// <summary>The α² matrices, each <see cref="PaddedO"/> x <see cref="C"/>.</summary>
    public float[] U { get; }

    /// <summary>True when these are the transformed filters of an o x c x 3 x 3 weight for <paramref name="transform"/>.</summary>
    public bool Matches(WinogradTransform transform, int o, int c) => Transform == transform && O == o && C == c;

    /// <summary>Input channels transformed together: two vectors of four doubles.</summary>
    private const int Lanes = 8;

    /// <summary>
    /// Transforms <paramref name="w"/> (o x c x 3 x 3, groups 1) in double, rounding once, on the backend's threads.
    /// Eight input channels at a time run as two double vectors, so that each U[ξ] row is written in runs of eight
    /// consecutive floats: a fresh process transforms every 3 x 3 layer's filters on first use (512 x 512: 9.4 M
    /// values), which the scalar version spent more time on than the convolution itself.
    /// </summary>
    public static WinogradWeights Create(CpuBackend backend, WinogradTransform transform, float[] w, int o, int c)
    {
        int a = transform.Alpha, a2 = a * a;
        int po = (o + MicroKernel.MR - 1) / MicroKernel.MR * MicroKernel.MR;
        long plane = (long)po * c;
        var u = GC.AllocateUninitializedArray<float>(checked((int)(a2 * plane)));
        for (int xi = 0; xi < a2; xi++) u.AsSpan((int)(xi * plane + (long)o * c), (po - o) * c).Clear();
        var g = new double[a * 3];
        for (int i = 0; i < a; i++)
            for (int k = 0; k < 3; k++) g[i * 3 + k] = transform.G[i, k];
        backend.For(o, 2L * 9 * a2 * c, (s, e) =>
        {
            Span<double> taps = stackalloc double[9 * Lanes];
            Span<float> tail = stackalloc float[Lanes];
            for (int oi = s; oi < e; oi++)
                for (int c0 = 0; c0 < c; c0 += Lanes)
                    TransformChannels(g, a, w, oi, c, c0, Math.Min(Lanes, c - c0), u, plane, taps, tail);
        });
        return new WinogradWeights(transform, o, c, u);
    }

    /// <summary>U[ξ][oi][c0 .. c0 + n) for the filters of output channel <paramref name="oi"/> and up to eight input channels.</summary>
    private static void TransformChannels(double[] g, int a, float[] w, int oi, int c, int c0, int n, float[] u, long plane,
        Span<double> taps, Span<float> tail)
    {
        // taps[k * Lanes + l] = tap k of the filter (oi, c0 + l); missing lanes are zero.
        if (n < Lanes) taps.Clear();
        int filter = (oi * c + c0) * 9;
        for (int l = 0; l < n; l++)
            for (int k = 0; k < 9; k++) taps[k * Lanes + l] = w[filter + l * 9 + k];
        Span<Vector256<double>> t = stackalloc Vector256<double>[18];
        for (int k = 0; k < 9; k++)
        {
            t[2 * k] = Vector256.Create<double>(taps.Slice(k * Lanes, 4));
            t[2 * k + 1] = Vector256.Create<double>(taps.Slice(k * Lanes + 4, 4));
        }
        long row = (long)oi * c + c0;
        for (int i = 0; i < a; i++)
        {
            // (G g)[i, k] for the three filter columns k, each as two half vectors; the sums in the same order as
            // WinogradTransform.TransformFilter, so the rounding is the same.
            double g0 = g[i * 3], g1 = g[i * 3 + 1], g2 = g[i * 3 + 2];
            var r0l = g0 * t[0] + g1 * t[6] + g2 * t[12];
            var r0h = g0 * t[1] + g1 * t[7] + g2 * t[13];
            var r1l = g0 * t[2] + g1 * t[8] + g2 * t[14];
            var r1h = g0 * t[3] + g1 * t[9] + g2 * t[15];
            var r2l = g0 * t[4] + g1 * t[10] + g2 * t[16];
            var r2h = g0 * t[5] + g1 * t[11] + g2 * t[17];
            for (int j = 0; j < a; j++)
            {
                double h0 = g[j * 3], h1 = g[j * 3 + 1], h2 = g[j * 3 + 2];
                var lo = r0l * h0 + r1l * h1 + r2l * h2;
                var hi = r0h * h0 + r1h * h1 + r2h * h2;
                var f = Vector256.Narrow(lo, hi);
                long at = (i * a + j) * plane + row;
                if (n == Lanes) f.CopyTo(u.AsSpan((int)at, Lanes));
                else
                {
                    f.CopyTo(tail);
                    tail[..n].CopyTo(u.AsSpan((int)at, n));
                }
            }
        }
    }
}
