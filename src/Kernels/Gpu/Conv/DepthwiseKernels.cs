using FeatureViz.Tensors.Backends;
using ILGPU;

namespace FeatureViz.Kernels.Gpu.Conv;

/// <summary>Direct depthwise convolution (groups == C, O = C * multiplier) plus the optional bias and the fused activation: one output element per thread, grid-stride.</summary>
internal static class DepthwiseKernels
{
    public static void Forward(ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> y, ConvShape s, int hasBias, ConvEpilogue epilogue)
    {
        int total = (int)y.Length, pixels = s.OH * s.OW, taps = s.Taps, og = s.Og;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
        {
            int plane = i / pixels, p = i - plane * pixels;
            int n = plane / s.O, o = plane - n * s.O, g = o / og;
            float acc = 0f;
            int wBase = o * taps;
            for (int tap = 0; tap < taps; tap++) acc += w[wBase + tap] * s.Input(x, n, g, 0, tap, p);
            y[i] = epilogue.Apply(hasBias != 0 ? acc + bias[o] : acc);
        }
    }
}
