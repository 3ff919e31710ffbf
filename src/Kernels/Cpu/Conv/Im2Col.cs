using System.Numerics.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu.Conv;

/// <summary>
/// Unfolding of one image group into the GEMM column matrix (rows (c, kh, kw), columns (oh, ow)) and its adjoint.
/// Out-of-image taps read zero (im2col) or are dropped (col2im).
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>Output indices o in [lo, hi) for which o * stride + offset lies in [0, size).</summary>
    public static (int Lo, int Hi) ValidRange(int outSize, int stride, int offset, int size)
    {
        int lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int last = size - 1 - offset;
        int hi = last < 0 ? 0 : last / stride + 1;
        return (Math.Min(lo, outSize), Math.Clamp(hi, 0, outSize));
    }

    /// <summary>Fills rows [r0, r1) of the column matrix from the group's channels at <paramref name="x"/>.</summary>
    public static void Unfold(float* x, float* col, Conv2dGeometry g, int r0, int r1)
    {
        int kk = g.KH * g.KW, ohw = g.OH * g.OW;
        for (int r = r0; r < r1; r++)
        {
            int c = r / kk, kh = r % kk / g.KW, kw = r % g.KW;
            float* xc = x + (long)c * g.H * g.W;
            float* dst = col + (long)r * ohw;
            int offW = kw * g.DilationW - g.PadLeft;
            var (lo, hi) = ValidRange(g.OW, g.StrideW, offW, g.W);
            for (int oh = 0; oh < g.OH; oh++, dst += g.OW)
            {
                int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH;
                if ((uint)ih >= (uint)g.H || hi <= lo)
                {
                    new Span<float>(dst, g.OW).Clear();
                    continue;
                }
                float* src = xc + (long)ih * g.W + offW;
                for (int ow = 0; ow < lo; ow++) dst[ow] = 0f;
                if (g.StrideW == 1) new ReadOnlySpan<float>(src + lo, hi - lo).CopyTo(new Span<float>(dst + lo, hi - lo));
                else for (int ow = lo; ow < hi; ow++) dst[ow] = src[(long)ow * g.StrideW];
                for (int ow = hi; ow < g.OW; ow++) dst[ow] = 0f;
            }
        }
    }

    /// <summary>Adds rows of the column matrix back into channels [c0, c1) of the group's image gradient at <paramref name="dx"/>.</summary>
    public static void Fold(float* col, float* dx, Conv2dGeometry g, int c0, int c1)
    {
        int kk = g.KH * g.KW, ohw = g.OH * g.OW;
        for (int c = c0; c < c1; c++)
        {
            float* dxc = dx + (long)c * g.H * g.W;
            for (int k = 0; k < kk; k++)
            {
                int kh = k / g.KW, kw = k % g.KW;
                float* src = col + (long)(c * kk + k) * ohw;
                int offW = kw * g.DilationW - g.PadLeft;
                var (lo, hi) = ValidRange(g.OW, g.StrideW, offW, g.W);
                if (hi <= lo) continue;
                for (int oh = 0; oh < g.OH; oh++, src += g.OW)
                {
                    int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH;
                    if ((uint)ih >= (uint)g.H) continue;
                    float* dst = dxc + (long)ih * g.W + offW;
                    if (g.StrideW == 1)
                    {
                        var d = new Span<float>(dst + lo, hi - lo);
                        TensorPrimitives.Add(d, new ReadOnlySpan<float>(src + lo, hi - lo), d);
                    }
                    else for (int ow = lo; ow < hi; ow++) dst[(long)ow * g.StrideW] += src[ow];
                }
            }
        }
    }
}
