using FeatureViz.Kernels.Cpu;
using Conv = FeatureViz.Kernels.Cpu.Conv;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;
using FeatureViz.Tensors.Tests.Linalg;
using FeatureViz.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace FeatureViz.Tensors.Tests.Kernels;

/// <summary>
/// Winograd F(4,3) and F(6,3) convolutions on the CPU backend (forward and input gradient) against the float64
/// direct loops: every padding, partial tiles, batches, channel counts that are not multiples of 16, one and two
/// threads (both the block-per-thread and the split-phase schedules). The error is reported relative to the
/// largest |expected| of the case; the tolerances are a few times the published FP32 figures (F(4,3) ~2e-6,
/// F(6,3) ~8e-6 relative L2 for C = 64..512).
/// </summary>
public class WinogradConvTests(ITestOutputHelper output)
{
    /// <summary>Max error / max |expected| allowed, per algorithm.</summary>
    private static double Tolerance(Conv3x3Algorithm a) => a == Conv3x3Algorithm.WinogradF4 ? 2e-5 : 4e-5;

    public static TheoryData<int[], int[], int[], int, bool> Cases() => new()
    {
        // x shape, w shape, pads (top, left, bottom, right), threads, bias
        { [1, 16, 8, 8], [16, 16, 3, 3], [1, 1, 1, 1], 1, true },
        { [2, 19, 11, 13], [21, 19, 3, 3], [0, 0, 0, 0], 1, false },
        { [3, 17, 9, 10], [35, 17, 3, 3], [2, 1, 0, 2], 2, true },
        { [1, 5, 7, 7], [3, 5, 3, 3], [1, 2, 2, 1], 1, true },
        { [2, 16, 30, 30], [20, 16, 3, 3], [1, 1, 1, 1], 2, true },   // 4 blocks on 2 threads: split phases
        { [4, 16, 34, 33], [18, 16, 3, 3], [1, 1, 1, 1], 2, false },  // 11+ blocks: one block per thread at a time
        { [1, 64, 20, 20], [70, 64, 3, 3], [1, 1, 1, 1], 2, true },   // a realistic channel count for the error
        { [1, 3, 2, 1], [4, 3, 3, 3], [2, 2, 2, 2], 1, true },        // image smaller than a tile
    };

    private static Conv2dOptions Options(int[] p) => new(PadTop: p[0], PadLeft: p[1], PadBottom: p[2], PadRight: p[3]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesFloat64DirectLoops(int[] xs, int[] ws, int[] pads, int threads, bool withBias)
    {
        foreach (var algorithm in new[] { Conv3x3Algorithm.WinogradF4, Conv3x3Algorithm.WinogradF6 })
        {
            using var backend = new CpuBackend(threads) { Conv3x3 = algorithm };
            var (x, _) = Rand.Of(1, xs);
            var (w, _) = Rand.Of(2, ws);
            var b = withBias ? Rand.Uniform(3, ws[0]) : null;
            var o = Options(pads);
            using var tx = Tensor.FromArray(backend, x, xs);
            using var tw = Tensor.FromArray(backend, w, ws);
            using var tb = b is null ? null : Tensor.FromArray(backend, b, ws[0]);
            for (int call = 0; call < 2; call++)
            {
                using var y = tx.Conv2d(tw, tb, o);
                var expected = Reference.Conv2d(x, xs, w, ws, b, o, out var ys);
                Assert.Equal(ys, y.Shape.ToArray());
                AssertClose(expected, y.ToArray(), Tolerance(algorithm), $"{algorithm} forward x{string.Join('x', xs)} w{string.Join('x', ws)} call {call}");
            }
            Assert.Equal(2, backend.WinogradCalls);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void InputGradientMatchesFloat64TransposedConvolution(int[] xs, int[] ws, int[] pads, int threads, bool withBias)
    {
        _ = withBias;
        foreach (var algorithm in new[] { Conv3x3Algorithm.WinogradF4, Conv3x3Algorithm.WinogradF6 })
        {
            using var backend = new CpuBackend(threads) { Conv3x3 = algorithm };
            using var scope = TensorScope.Begin();
            var x = Tensor.FromArray(backend, Rand.Uniform(4, xs.Aggregate(1, (p, d) => p * d)), xs).RequireGrad();
            var (w, _) = Rand.Of(5, ws);
            var tw = Tensor.FromArray(backend, w, ws);
            var o = Options(pads);
            var y = x.Conv2d(tw, null, o);
            var dyv = Rand.Uniform(6, y.Numel);
            var dy = Tensor.FromArray(backend, dyv, y.Shape.ToArray());
            var expected = Reference.ConvTranspose2d(dyv, y.Shape.ToArray(), w, ws, null,
                new ConvTranspose2dOptions(PadTop: pads[0], PadLeft: pads[1], PadBottom: pads[2], PadRight: pads[3]), out var gs);
            Assert.Equal(xs, gs);
            long before = backend.WinogradCalls;
            for (int call = 0; call < 2; call++)
                AssertClose(expected, Grad.Of(y, [x], dy)[0].ToArray(), Tolerance(algorithm), $"{algorithm} input gradient x{string.Join('x', xs)} call {call}");
            Assert.Equal(before + 2, backend.WinogradCalls);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientsMatchFiniteDifferences(bool f6)
    {
        using var backend = new CpuBackend(2) { Conv3x3 = f6 ? Conv3x3Algorithm.WinogradF6 : Conv3x3Algorithm.WinogradF4 };
        var o = new Conv2dOptions(PadTop: 1, PadLeft: 0, PadBottom: 2, PadRight: 1);
        GradCheck.Vjp(backend, t => t[0].Conv2d(t[1], t[2], o), [Rand.Of(7, 2, 5, 9, 11), Rand.Of(8, 6, 5, 3, 3), Rand.Of(9, 6)]);
        Assert.True(backend.WinogradCalls >= 2, $"Winograd ran {backend.WinogradCalls} times.");
    }

    [Theory]
    [InlineData(ConvActivation.Relu, 0f, 0f)]
    [InlineData(ConvActivation.Clip, -0.2f, 0.3f)]
    [InlineData(ConvActivation.LeakyRelu, 0.1f, 0f)]
    public void FusedActivationRunsOnTheWinogradPath(ConvActivation activation, float alpha, float beta)
    {
        // A fused chain (Conv2dActivation, what the ONNX importer emits for Conv+BN+ReLU) keeps Winograd and
        // applies the activation to every stored tile, partial tiles included.
        foreach (var threads in new[] { 1, 2 })
        {
            using var backend = new CpuBackend(threads) { Conv3x3 = Conv3x3Algorithm.WinogradF4 };
            int[] xs = [2, 17, 13, 10], ws = [19, 17, 3, 3];
            var o = new Conv2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 0);
            var g = new Conv2dGeometry(N: 2, C: 17, H: 13, W: 10, O: 19, KH: 3, KW: 3, OH: 13, OW: 9, StrideH: 1, StrideW: 1,
                PadTop: 1, PadLeft: 1, DilationH: 1, DilationW: 1, Groups: 1);
            var (x, _) = Rand.Of(21, xs);
            var (w, _) = Rand.Of(22, ws);
            var b = Rand.Uniform(23, ws[0]);
            var conv = Reference.Conv2d(x, xs, w, ws, b, o, out var ys);
            Assert.Equal([2, 19, 13, 9], ys);
            var expected = conv.Select(z => activation switch
            {
                ConvActivation.Relu => Math.Max(z, 0),
                ConvActivation.Clip => Math.Min(Math.Max(z, alpha), beta),
                _ => z >= 0 ? z : alpha * z,
            }).ToArray();
            using var tx = backend.Upload(x);
            using var tw = backend.Upload(w);
            using var tb = backend.Upload(b);
            using var y = backend.Conv2dActivation(tx, tw, tb, g, new ConvEpilogue(activation, alpha, beta));
            var actual = new float[expected.Length];
            backend.Download(y, actual);
            // The error is the convolution's, so it scales with the pre-activation values, not the clipped ones.
            double scaleRatio = conv.Max(Math.Abs) / expected.Max(Math.Abs);
            AssertClose(expected, actual, Tolerance(Conv3x3Algorithm.WinogradF4) * scaleRatio, $"{activation} fused, {threads} threads");
            Assert.Equal(1, backend.WinogradCalls);
        }
    }

    [Fact]
    public void CachedFiltersFollowTheAlgorithmAndTheWeights()
    {
        // One weight storage, transformed for F(4,3), then F(6,3), then F(4,3) again; a second weight storage.
        using var backend = new CpuBackend(1);
        int[] xs = [1, 6, 9, 9], ws = [5, 6, 3, 3];
        var o = new Conv2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1);
        var (x, _) = Rand.Of(10, xs);
        using var tx = Tensor.FromArray(backend, x, xs);
        foreach (var seed in new[] { 11, 12 })
        {
            var (w, _) = Rand.Of(seed, ws);
            using var tw = Tensor.FromArray(backend, w, ws);
            var expected = Reference.Conv2d(x, xs, w, ws, null, o, out _);
            foreach (var algorithm in new[] { Conv3x3Algorithm.WinogradF4, Conv3x3Algorithm.WinogradF6, Conv3x3Algorithm.WinogradF4 })
            {
                backend.Conv3x3 = algorithm;
                using var y = tx.Conv2d(tw, null, o);
                AssertClose(expected, y.ToArray(), Tolerance(algorithm), $"{algorithm} weights {seed}");
            }
        }
        Assert.Equal(6, backend.WinogradCalls);
    }

    [Theory]
    [InlineData(7, 19, 1)]
    [InlineData(13, 8, 2)]
    [InlineData(6, 3, 2)]
    public void TransformedFiltersMatchLavinsG(int o, int c, int threads)
    {
        // U[ξ][oi][ci] = (G g Gᵀ)[ξ] in float64 with the published F(4x4, 3x3) filter transform (Lavin & Gray 2016,
        // points 0, ±1, ±2, ∞), rounded once; the output rows past O (padding to the micro-kernel height) are zero.
        double[,] g =
        {
            { 1 / 4.0, 0, 0 }, { -1 / 6.0, -1 / 6.0, -1 / 6.0 }, { -1 / 6.0, 1 / 6.0, -1 / 6.0 },
            { 1 / 24.0, 1 / 12.0, 1 / 6.0 }, { 1 / 24.0, -1 / 12.0, 1 / 6.0 }, { 0, 0, 1 },
        };
        using var backend = new CpuBackend(threads);
        var (w, _) = Rand.Of(15, [o, c, 3, 3]);
        var u = Conv.WinogradWeights.Create(backend, Conv.WinogradTransform.F4, w, o, c);
        int po = u.PaddedO;
        Assert.Equal(36L * po * c, u.U.Length);
        for (int oi = 0; oi < po; oi++)
            for (int ci = 0; ci < c; ci++)
                for (int i = 0; i < 6; i++)
                    for (int j = 0; j < 6; j++)
                    {
                        double expected = 0;
                        if (oi < o)
                            for (int r = 0; r < 3; r++)
                                for (int s = 0; s < 3; s++) expected += g[i, r] * w[((oi * c + ci) * 3 + r) * 3 + s] * g[j, s];
                        float actual = u.U[((long)(i * 6 + j) * po + oi) * c + ci];
                        Assert.True(Math.Abs(actual - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)),
                            $"U[{i * 6 + j}][{oi}][{ci}] = {actual}, expected {expected}");
                    }
    }

    [Fact]
    public void SteadyStateForwardDoesNotAllocateBuffers()
    {
        using var backend = new CpuBackend(1) { Conv3x3 = Conv3x3Algorithm.WinogradF4 };
        var g = new Conv2dGeometry(N: 1, C: 32, H: 28, W: 28, O: 32, KH: 3, KW: 3, OH: 28, OW: 28, StrideH: 1, StrideW: 1,
            PadTop: 1, PadLeft: 1, DilationH: 1, DilationW: 1, Groups: 1);
        using var x = backend.Upload(Rand.Uniform(13, 32 * 28 * 28));
        using var w = backend.Upload(Rand.Uniform(14, 32 * 32 * 9));
        backend.Conv2d(x, w, null, g).Dispose();
        long before = GC.GetAllocatedBytesForCurrentThread();
        backend.Conv2d(x, w, null, g).Dispose();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // The output array comes back from the pool and the scratch is per thread: only small objects remain.
        Assert.True(allocated < 4096, $"A steady-state Winograd forward allocated {allocated} bytes.");
        Assert.Equal(2, backend.WinogradCalls);
    }

    [Fact]
    public void AWeightsFirstUseRunsDirectWhereTheTransformWouldNotPay()
    {
        // 256 x 14 x 14 at batch 1: Winograd in the steady state (AutoChoosesWinogradWhereItMeasuredFaster), but
        // transforming its 9.5 MB of filters costs more than the one call saves, so the first call with a weight runs
        // direct and the second transforms. Both results against the float64 direct loops.
        using var backend = new CpuBackend(2);
        int[] xs = [1, 256, 14, 14], ws = [256, 256, 3, 3];
        var o = new Conv2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1);
        var (x, _) = Rand.Of(16, xs);
        var (w, _) = Rand.Of(17, ws);
        using var tx = Tensor.FromArray(backend, x, xs);
        using var tw = Tensor.FromArray(backend, w, ws);
        var expected = Reference.Conv2d(x, xs, w, ws, null, o, out _);
        using (var first = tx.Conv2d(tw, null, o)) AssertClose(expected, first.ToArray(), 1e-5, "first use (direct)");
        Assert.Equal(0, backend.WinogradCalls);
        using (var second = tx.Conv2d(tw, null, o)) AssertClose(expected, second.ToArray(), Tolerance(Conv3x3Algorithm.WinogradF4), "second use (Winograd)");
        Assert.Equal(1, backend.WinogradCalls);

        // 64 x 56 x 56: the saving covers the transform, so Winograd runs on the first use.
        var g = new Conv2dGeometry(N: 1, C: 64, H: 56, W: 56, O: 64, KH: 3, KW: 3, OH: 56, OW: 56, StrideH: 1, StrideW: 1,
            PadTop: 1, PadLeft: 1, DilationH: 1, DilationW: 1, Groups: 1);
        using var x2 = backend.Upload(Rand.Uniform(18, 64 * 56 * 56));
        using var w2 = backend.Upload(Rand.Uniform(19, 64 * 64 * 9));
        backend.Conv2d(x2, w2, null, g).Dispose();
        Assert.Equal(2, backend.WinogradCalls);
    }

    [Theory]
    [InlineData(64, 56, 1, true)]
    [InlineData(128, 28, 1, true)]
    [InlineData(256, 14, 1, true)]
    [InlineData(512, 7, 1, false)]
    [InlineData(512, 7, 4, true)]
    [InlineData(16, 56, 1, false)]
    [InlineData(3, 224, 1, false)]
    public void AutoChoosesWinogradWhereItMeasuredFaster(int channels, int size, int batch, bool winograd)
    {
        // The measured outcome on the CI machine (side-by-side runs, docs in WinogradConv.EstimatedCost): the direct
        // path stays where Winograd lost (few tiles of deep layers, few channels).
        using var backend = new CpuBackend(2);
        var g = new Conv2dGeometry(N: batch, C: channels, H: size, W: size, O: channels, KH: 3, KW: 3, OH: size, OW: size,
            StrideH: 1, StrideW: 1, PadTop: 1, PadLeft: 1, DilationH: 1, DilationW: 1, Groups: 1);
        Assert.Equal(winograd, backend.ChooseWinograd(g) is not null);
    }

    private void AssertClose(double[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs), maxError = 0, sumSq = 0, sumSqRef = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = Math.Abs(actual[i] - expected[i]);
            maxError = Math.Max(maxError, e);
            sumSq += e * e;
            sumSqRef += expected[i] * expected[i];
        }
        output.WriteLine($"{what}: max error / max |expected| = {maxError / scale:E2} (tolerance {tolerance:E0}), relative L2 {Math.Sqrt(sumSq / sumSqRef):E2}");
        Assert.True(maxError <= tolerance * scale, $"{what}: max error {maxError:E3} exceeds {tolerance:E0} x max |expected| {scale:G4}.");
    }
}
