using System.Runtime.Intrinsics;
using FeatureViz.Kernels.Cpu.Gemm;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu.Conv;

/// <summary>
/// Implicit im2col: packs GEMM panels of the column matrix (rows (c, kh, kw), columns (oh, ow)) straight from the
/// image, so the unfolded matrix is never written out in full.
/// </summary>
internal readonly unsafe struct Im2ColSource : IPanelSource
{
    private readonly float* _x;
    private readonly int _h, _w, _ow, _kh, _kw, _sh, _sw, _pt, _pl, _dh, _dw;

    public Im2ColSource(float* x, Conv2dGeometry g)
    {
        _x = x;
        (_h, _w, _ow, _kh, _kw) = (g.H, g.W, g.OW, g.KH, g.KW);
        (_sh, _sw, _pt, _pl, _dh, _dw) = (g.StrideH, g.StrideW, g.PadTop, g.PadLeft, g.DilationH, g.DilationW);
    }

    /// <inheritdoc/>
    public void Pack(int pc, int jc, int kc, int nc, float* dst)
    {
        int nr = MicroKernel.NR, kk = _kh * _kw;
        // Column runs that stay on one output row: (oh, first ow, first panel column, length).
        int* segOh = stackalloc int[nr], segOw = stackalloc int[nr], segJ = stackalloc int[nr], segLen = stackalloc int[nr];
        for (int t0 = 0; t0 < nc; t0 += nr)
        {
            int cols = Math.Min(nr, nc - t0);
            float* panel = dst + (long)t0 * kc;
            int segs = 0;
            for (int j = 0, q = jc + t0; j < cols; segs++)
            {
                int oh = q / _ow, ow = q - oh * _ow, len = Math.Min(_ow - ow, cols - j);
                segOh[segs] = oh; segOw[segs] = ow; segJ[segs] = j; segLen[segs] = len;
                j += len;
                q += len;
            }
            int r = pc, c = r / kk, kh = r % kk / _kw, kw = r % _kw;
            for (int p = 0; p < kc; p++)
            {
                float* drow = panel + (long)p * nr;
                float* xc = _x + (long)c * _h * _w;
                int offW = kw * _dw - _pl;
                var (lo, hi) = Im2Col.ValidRange(_ow, _sw, offW, _w);
                for (int s = 0; s < segs; s++)
                {
                    float* d = drow + segJ[s];
                    int ih = segOh[s] * _sh - _pt + kh * _dh;
                    int ow0 = segOw[s], ow1 = ow0 + segLen[s];
                    int a = Math.Max(ow0, lo), b = Math.Min(ow1, hi);
                    if ((uint)ih >= (uint)_h || b <= a)
                    {
                        for (int j = 0; j < segLen[s]; j++) d[j] = 0f;
                        continue;
                    }
                    for (int ow = ow0; ow < a; ow++) d[ow - ow0] = 0f;
                    float* src = xc + (long)ih * _w + offW;
                    if (_sw == 1)
                    {
                        int ow = a;
                        if (Vector512.IsHardwareAccelerated)
                            for (; ow + 16 <= b; ow += 16) Vector512.Store(Vector512.Load(src + ow), d + (ow - ow0));
                        for (; ow + 8 <= b; ow += 8) Vector256.Store(Vector256.Load(src + ow), d + (ow - ow0));
                        for (; ow < b; ow++) d[ow - ow0] = src[ow];
                    }
                    else
                    {
                        for (int ow = a; ow < b; ow++) d[ow - ow0] = src[(long)ow * _sw];
                    }
                    for (int ow = b; ow < ow1; ow++) d[ow - ow0] = 0f;
                }
                for (int j = cols; j < nr; j++) drow[j] = 0f;
                if (++kw == _kw)
                {
                    kw = 0;
                    if (++kh == _kh) { kh = 0; c++; }
                }
            }
        }
    }
}
