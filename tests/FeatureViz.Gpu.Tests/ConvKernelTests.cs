using FeatureViz.Kernels.Gpu;
using FeatureViz.Kernels.Gpu.Conv;
using FeatureViz.Kernels.Gpu.Gemm;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Gpu.Tests;

[Collection(SimulatorCollection.Name)]
public sealed class ConvKernelTests(SimulatorFixture sim)
{
    // N, C, H, W, O, KH, KW, stride, pad, dilation, groups
    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        string[] cases =
        [
            "2,3,7,6,4,3,3,1,1,1,1",   // 3x3 same padding
            "1,4,9,8,6,3,3,2,1,1,2",   // stride 2, groups 2
            "2,2,7,7,3,3,2,1,2,2,1",   // dilation 2, non-square kernel
            "1,5,6,5,7,1,1,1,0,1,1",   // 1x1: plain GEMM
            "2,4,7,6,4,3,3,2,1,1,4",   // depthwise, stride 2
            "1,3,5,5,6,3,3,1,1,1,3",   // depthwise with multiplier 2
            "1,2,8,8,2,1,1,2,0,1,1",   // 1x1 stride 2: not pointwise
        ];
        foreach (var c in cases) { data.Add(32, c); data.Add(4, c); }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardInputGradientAndWeightGradientMatchFloat64(int warp, string text) =>
        Check(sim[warp], GemmPlanner.Only(GemmKernel.Small<GemmTile16>()), text, 1e-5);

    // The large-tile kernel's staging of the implicit-GEMM operands (rows and columns in the other orientation) and its
    // bias epilogue; a K (= C/groups * taps) above one K slice of 8, and M, N across several 32x32 tiles.
    [Theory]
    [InlineData(32, "2,3,7,6,4,3,3,1,1,1,1")]
    [InlineData(4, "1,4,9,8,6,3,3,2,1,1,2")]
    [InlineData(32, "2,2,7,7,3,3,2,1,2,2,1")]
    [InlineData(4, "1,5,6,5,7,1,1,1,0,1,1")]
    [InlineData(32, "1,6,11,9,40,3,3,1,1,1,1")]
    [InlineData(4, "1,8,8,8,36,1,1,1,0,1,1")]
    public void LargeTileKernelMatchesFloat64(int warp, string text) =>
        Check(sim[warp], GemmPlanner.Only(GemmKernel.Large<GemmTile32>()), text, 1e-5);

    // TF32: operands rounded to 10-bit mantissas. The tolerance is above the documented bound (Tf32.ErrorBound) for
    // K <= 50 on uniform [-1, 1] data (about 1.0e-3 * K * E|x||w| = 0.0125).
    // One small case: the simulator pays a warp barrier per emulated shuffle (a 3x3 case takes minutes).
    [Theory]
    [InlineData("1,8,5,5,6,1,1,1,0,1,1")]
    public void Tf32KernelMatchesFloat64WithinTf32Tolerance(string text) =>
        Check(sim.Warp32, GemmPlanner.Only(GemmKernel.Tf32<Tf32Tile64, ShuffleMma>()), text, 1.5e-2);

    private static void Check(GpuAccelerator gpu, GemmPlanner gemm, string text, double tolerance)
    {
        var p = text.Split(',').Select(int.Parse).ToArray();
        int n = p[0], c = p[1], h = p[2], w = p[3], o = p[4], kh = p[5], kw = p[6], stride = p[7], pad = p[8], dil = p[9], groups = p[10];
        int oh = (h + 2 * pad - dil * (kh - 1) - 1) / stride + 1, ow = (w + 2 * pad - dil * (kw - 1) - 1) / stride + 1;
        var g = new Conv2dGeometry(n, c, h, w, o, kh, kw, oh, ow, stride, stride, pad, pad, dil, dil, groups);
        int cg = c / groups, og = o / groups;
        var x = Rand.Uniform(51, n * c * h * w);
        var wt = Rand.Uniform(52, o * cg * kh * kw);
        var bias = Rand.Uniform(53, o);
        var dy = Rand.Uniform(54, n * o * oh * ow);

        var y = new double[n * o * oh * ow];
        var dx = new double[x.Length];
        var dw = new double[wt.Length];
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < o; oc++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        int yi = ((b * o + oc) * oh + i) * ow + j;
                        double acc = bias[oc];
                        int grp = oc / og;
                        for (int ci = 0; ci < cg; ci++)
                            for (int r = 0; r < kh; r++)
                                for (int s = 0; s < kw; s++)
                                {
                                    int hh = i * stride - pad + r * dil, ww = j * stride - pad + s * dil;
                                    if (hh < 0 || hh >= h || ww < 0 || ww >= w) continue;
                                    int xi = ((b * c + grp * cg + ci) * h + hh) * w + ww, wi = ((oc * cg + ci) * kh + r) * kw + s;
                                    acc += (double)x[xi] * wt[wi];
                                    dx[xi] += (double)dy[yi] * wt[wi];
                                    dw[wi] += (double)dy[yi] * x[xi];
                                }
                        y[yi] = acc;
                    }

        using var xv = gpu.Accelerator.Allocate1D(x);
        using var wv = gpu.Accelerator.Allocate1D(wt);
        using var bv = gpu.Accelerator.Allocate1D(bias);
        using var dyv = gpu.Accelerator.Allocate1D(dy);
        using var yv = gpu.Accelerator.Allocate1D<float>(y.Length);
        using var dxv = gpu.Accelerator.Allocate1D<float>(dx.Length);
        using var dwv = gpu.Accelerator.Allocate1D<float>(dw.Length);
        GpuConv.Forward(gpu, gemm, xv.View, wv.View, bv.View, yv.View, g);
        GpuConv.BackwardInput(gpu, gemm, dyv.View, wv.View, dxv.View, g);
        GpuConv.BackwardWeight(gpu, gemm, xv.View, dyv.View, dwv.View, g);
        gpu.Synchronize();
        Approx.Equal(y, yv.GetAsArray1D(), rtol: tolerance, atol: tolerance, what: $"conv forward {text} ({gemm.Small})");
        Approx.Equal(dx, dxv.GetAsArray1D(), rtol: tolerance, atol: tolerance, what: $"conv input gradient {text} ({gemm.Small})");
        Approx.Equal(dw, dwv.GetAsArray1D(), rtol: tolerance, atol: tolerance, what: $"conv weight gradient {text} ({gemm.Small})");
    }
}
