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

    /// <summary>Transforms <paramref name="w"/> (o x c x 3 x 3, groups 1) in double, rounding once.</summary>
    public static WinogradWeights Create(WinogradTransform transform, float[] w, int o, int c)
    {
        int a2 = transform.Alpha * transform.Alpha;
        int po = (o + MicroKernel.MR - 1) / MicroKernel.MR * MicroKernel.MR;
        var u = new float[(long)a2 * po * c];
        long plane = (long)po * c;
        System.Threading.Tasks.Parallel.For(0, o, () => new double[a2], (oi, _, t) =>
        {
            for (int ci = 0; ci < c; ci++)
            {
                transform.TransformFilter(w.AsSpan((oi * c + ci) * 9, 9), t);
                for (int xi = 0; xi < a2; xi++) u[xi * plane + (long)oi * c + ci] = (float)t[xi];
            }
            return t;
        }, _ => { });
        return new WinogradWeights(transform, o, c, u);
    }
}
