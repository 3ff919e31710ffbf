using FeatureViz.Kernels.Cpu;
using FeatureViz.Kernels.Gpu;
using FeatureViz.Kernels.Gpu.Backend;
using FeatureViz.Kernels.Gpu.Conv;
using FeatureViz.Kernels.Gpu.Gemm;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;
using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Gpu.Tests;

/// <summary>
/// The fused convolution epilogue (bias + activation in the implicit-GEMM and depthwise kernels' store) on the
/// simulator against the CPU backend's <see cref="IBackend.Conv2dActivation"/> (its own GEMM/Winograd epilogue), for
/// every activation the CPU fuses, the small- and large-tile GEMM kernels and both warp sizes (one launch per call:
/// <see cref="LaunchCountTests"/>).
/// </summary>
[Collection(SimulatorCollection.Name)]
public sealed class ConvEpilogueKernelTests(SimulatorFixture sim)
{
    private static readonly ConvEpilogue[] Epilogues =
    [
        ConvEpilogue.Relu, ConvEpilogue.Clip(-0.5f, 0.7f), ConvEpilogue.Clip(0f, 6f), ConvEpilogue.LeakyRelu(0.1f),
        ConvEpilogue.HardSigmoid(0.8f, 0.5f),
    ];

    // N, C, H, W, O, KH, KW, stride, pad, dilation, groups, bias (1/0)
    private static readonly string[] Geometries =
    [
        "2,3,7,6,4,3,3,1,1,1,1,1",    // 3x3 same padding: implicit GEMM
        "1,6,11,9,40,3,3,1,1,1,1,1",  // several 32x32 tiles, K over one slice
        "1,4,9,8,6,3,3,2,1,1,2,0",    // stride 2, groups 2, no bias
        "1,5,6,5,7,1,1,1,0,1,1,1",    // 1x1: plain GEMM operands
        "2,4,7,6,4,3,3,2,1,1,4,1",    // depthwise
        "1,3,5,5,6,3,3,1,1,1,3,0",    // depthwise with multiplier 2, no bias
    ];

    public static TheoryData<int, int, int, string> Cases()
    {
        var data = new TheoryData<int, int, int, string>();
        for (int e = 0; e < Epilogues.Length; e++)
            for (int g = 0; g < Geometries.Length; g++)
                data.Add(e % 2 == 0 ? 32 : 4, e, g, (e + g) % 2 == 0 ? "small" : "large");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedForwardMatchesTheCpuBackend(int warp, int epilogue, int geometry, string tile)
    {
        var gpu = sim[warp];
        var gemm = GemmPlanner.Only(tile == "small" ? GemmKernel.Small<GemmTile16>() : GemmKernel.Large<GemmTile32>());
        var e = Epilogues[epilogue];
        var (g, x, w, bias) = Inputs(Geometries[geometry]);
        var cpu = CpuBackend.Default;
        using var cx = cpu.Upload(x);
        using var cw = cpu.Upload(w);
        using var cb = bias is null ? null : cpu.Upload(bias);
        using var cy = cpu.Conv2dActivation(cx, cw, cb, g, e);
        using var cz = cpu.Conv2d(cx, cw, cb, g);
        var expected = new float[cy.Length];
        var z = new float[cz.Length];
        cpu.Download(cy, expected);
        cpu.Download(cz, z);
        // The convolution's outputs fall on both sides of the activation's kink (or kinks), so the branches all run.
        Assert.True(z.Select(v => Branch(e, v)).Distinct().Count() >= 2, $"{e}: every output on one branch");

        using var xv = gpu.Accelerator.Allocate1D(x);
        using var wv = gpu.Accelerator.Allocate1D(w);
        using var bv = gpu.Accelerator.Allocate1D(bias ?? [0f]);
        using var yv = gpu.Accelerator.Allocate1D<float>(expected.Length);
        GpuConv.Forward(gpu, gemm, xv.View, wv.View, bias is null ? default : bv.View, yv.View, g, e);
        gpu.Synchronize();
        var actual = yv.GetAsArray1D();
        Approx.Equal(expected, actual, rtol: 1e-5, atol: 1e-5, what: $"Conv2dActivation {e} {Geometries[geometry]} ({gemm.Small}, warp {warp})");
    }

    [Fact]
    public void AnInvalidEpilogueNamesTheOpAndTheProblem()
    {
        using var backend = new IlgpuBackend(sim.Warp32);
        using var x = backend.Upload(new float[2 * 3 * 3]);
        using var w = backend.Upload(new float[2 * 2]);
        var g = new Conv2dGeometry(1, 2, 3, 3, 2, 1, 1, 3, 3, 1, 1, 0, 0, 1, 1, 1);
        var ex = Assert.Throws<ArgumentException>(() => backend.Conv2dActivation(x, w, null, g, ConvEpilogue.Clip(1f, 0f)));
        Assert.Contains("Conv2dActivation", ex.Message);
        Assert.Contains("min <= max", ex.Message);
    }

    private static int Branch(ConvEpilogue e, float z)
    {
        float t = e.Activation == ConvActivation.HardSigmoid ? e.Alpha * z + e.Beta : z;
        float lo = e.Activation == ConvActivation.Clip ? e.Alpha : 0f, hi = e.Activation switch
        {
            ConvActivation.Clip => e.Beta,
            ConvActivation.HardSigmoid => 1f,
            _ => float.PositiveInfinity,
        };
        return t < lo ? 0 : t > hi ? 2 : 1;
    }

    private static (Conv2dGeometry G, float[] X, float[] W, float[]? Bias) Inputs(string text)
    {
        var p = text.Split(',').Select(int.Parse).ToArray();
        int n = p[0], c = p[1], h = p[2], w = p[3], o = p[4], kh = p[5], kw = p[6], stride = p[7], pad = p[8], dil = p[9], groups = p[10];
        int oh = (h + 2 * pad - dil * (kh - 1) - 1) / stride + 1, ow = (w + 2 * pad - dil * (kw - 1) - 1) / stride + 1;
        var g = new Conv2dGeometry(n, c, h, w, o, kh, kw, oh, ow, stride, stride, pad, pad, dil, dil, groups);
        int fanIn = c / groups * kh * kw;
        // Weights scaled so that the outputs spread over every branch of the activations.
        var wt = Rand.Uniform(52, o * fanIn).Select(v => v * 2f / MathF.Sqrt(fanIn)).ToArray();
        return (g, Rand.Uniform(51, n * c * h * w), wt, p[11] == 1 ? Rand.Uniform(53, o, -0.5f, 0.5f) : null);
    }
}
