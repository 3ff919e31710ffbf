using ILGPU;

namespace FeatureViz.Kernels.Gpu.Conv;

/// <summary>
/// Geometry of a 2-D convolution (NCHW input, OIHW weights, groups) as a kernel argument, with the index helpers
/// the implicit-GEMM operand readers share.
/// </summary>
public struct ConvShape
{
#pragma warning disable CS1591 // as Conv2dGeometry: batch, channels, sizes, kernel, output, stride, padding, dilation, groups
    public int N, C, H, W, O, KH, KW, OH, OW, StrideH, StrideW, PadTop, PadLeft, DilationH, DilationW, Groups;
#pragma warning restore CS1591

    /// <summary>Input channels per group.</summary>
    public readonly int Cg => C / Groups;

    /// <summary>Output channels per group.</summary>
    public readonly int Og => O / Groups;

    /// <summary>Kernel taps per channel.</summary>
    public readonly int Taps => KH * KW;

    /// <summary>
    /// Input element under tap <paramref name="tap"/> (r * KW + s) of group channel <paramref name="cg"/> for output pixel
    /// <paramref name="pixel"/> (oh * OW + ow) of image <paramref name="n"/> in group <paramref name="g"/>; 0 in the padding.
    /// </summary>
    public readonly float Input(ArrayView<float> x, int n, int g, int cg, int tap, int pixel)
    {
        int r = tap / KW, s = tap - r * KW;
        int oh = pixel / OW, ow = pixel - oh * OW;
        int h = oh * StrideH - PadTop + r * DilationH, w = ow * StrideW - PadLeft + s * DilationW;
        if (h < 0 || h >= H || w < 0 || w >= W) return 0f;
        return x[((n * C + g * Cg + cg) * H + h) * W + w];
    }
}
