using System.Runtime.Intrinsics;
using System.Numerics.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu.Conv;

/// <summary>
/// Direct kernels for convolutions with one input channel per group (depthwise, possibly with a channel
/// multiplier), where a GEMM would have a single row and waste the register tile.
/// </summary>
internal static unsafe class DepthwiseConv
{
    /// <summary>Output plane p = n * O + o: y[p] (+)= w[o] * x[n, o / (O / C)] (the plane is pre-filled with the bias or zeros).</summary>
    public static void Forward(float* x, float* w, float* y, Conv2dGeometry g, int p0, int p1)
    {
        int og = g.GroupOutputChannels;
        bool plane = DepthwisePlane.Supports(g);
        for (int p = p0; p < p1; p++)
        {
            int n = p / g.O, o = p % g.O, c = o / og;
            if (plane)
            {
                DepthwisePlane.Forward(x + ((long)n * g.C + c) * g.H * g.W, w + (long)o * g.KH * g.KW, y + (long)p * g.OH * g.OW, g);
                continue;
            }
            Taps(x + ((long)n * g.C + c) * g.H * g.W, y + (long)p * g.OH * g.OW, w + (long)o * g.KH * g.KW, g, adjoint: false);
        }
    }

    /// <summary>Input-gradient planes p = n * C + c: dx[p] = sum over the channel's outputs of the scattered w * dy.</summary>
    public static void BackwardInput(float* dy, float* w, float* dx, Conv2dGeometry g, int p0, int p1)
    {
        int og = g.GroupOutputChannels;
        bool plane = DepthwisePlane.Supports(g);
        for (int p = p0; p < p1; p++)
        {
            int n = p / g.C, c = p % g.C;
            if (plane)
            {
                DepthwisePlane.Adjoint(dy + ((long)n * g.O + c * og) * g.OH * g.OW, w + (long)c * og * g.KH * g.KW, og, dx + (long)p * g.H * g.W, g);
                continue;
            }
            for (int o = c * og; o < (c + 1) * og; o++)
                Taps(dx + (long)p * g.H * g.W, dy + ((long)n * g.O + o) * g.OH * g.OW, w + (long)o * g.KH * g.KW, g, adjoint: true);
        }
    }

    /// <summary>
    /// Every tap of one kernel between an input plane and an output plane: y += w * x (forward), or its adjoint
    /// x += w * y (input gradient, <paramref name="x"/> holding dx and <paramref name="y"/> dy).
    /// </summary>
    private static void Taps(float* x, float* y, float* wo, Conv2dGeometry g, bool adjoint)
    {
        for (int oh = 0; oh < g.OH; oh++)
        {
            float* yrow = y + (long)oh * g.OW;
            for (int kh = 0; kh < g.KH; kh++)
            {
                int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH;
                if ((uint)ih >= (uint)g.H) continue;
                float* xrow = x + (long)ih * g.W;
                for (int kw = 0; kw < g.KW; kw++)
                {
                    float wv = wo[kh * g.KW + kw];
                    int off = kw * g.DilationW - g.PadLeft;
                    var (lo, hi) = Im2Col.ValidRange(g.OW, g.StrideW, off, g.W);
                    if (hi <= lo) continue;
                    if (g.StrideW == 1)
                    {
                        if (adjoint) VectorMath.Axpy(yrow + lo, wv, xrow + lo + off, hi - lo);
                        else VectorMath.Axpy(xrow + lo + off, wv, yrow + lo, hi - lo);
                    }
                    else if (adjoint) for (int ow = lo; ow < hi; ow++) xrow[(long)ow * g.StrideW + off] += wv * yrow[ow];
                    else for (int ow = lo; ow < hi; ow++) yrow[ow] += wv * xrow[(long)ow * g.StrideW + off];
                }
            }
        }
    }

    /// <summary>Weight gradient for output channels [o0, o1): dw[o, kh, kw] = sum over n, oh, ow of dy * x.</summary>
    public static void BackwardWeight(float* x, float* dy, float* dw, Conv2dGeometry g, int o0, int o1)
    {
        int og = g.GroupOutputChannels;
        for (int o = o0; o < o1; o++)
        {
            int c = o / og;
            for (int kh = 0; kh < g.KH; kh++)
            for (int kw = 0; kw < g.KW; kw++)
            {
                int off = kw * g.DilationW - g.PadLeft;
                var (lo, hi) = Im2Col.ValidRange(g.OW, g.StrideW, off, g.W);
                double sum = 0;
                for (int n = 0; n < g.N && hi > lo; n++)
                {
                    float* xc = x + ((long)n * g.C + c) * g.H * g.W;
                    float* dyp = dy + ((long)n * g.O + o) * g.OH * g.OW;
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        int ih = oh * g.StrideH - g.PadTop + kh * g.DilationH;
                        if ((uint)ih >= (uint)g.H) continue;
                        float* xrow = xc + (long)ih * g.W;
                        float* dyrow = dyp + (long)oh * g.OW;
                        if (g.StrideW == 1)
                            sum += TensorPrimitives.Dot(new ReadOnlySpan<float>(dyrow + lo, hi - lo), new ReadOnlySpan<float>(xrow + lo + off, hi - lo));
                        else
                        {
                            float s = 0f;
                            for (int ow = lo; ow < hi; ow++) s += dyrow[ow] * xrow[(long)ow * g.StrideW + off];
                            sum += s;
                        }
                    }
                }
                dw[((long)o * g.KH + kh) * g.KW + kw] = (float)sum;
            }
        }
    }
}
