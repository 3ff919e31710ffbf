using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Autograd;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Kernels;

/// <summary>Recycled tensor memory must never leak old values or stale derived data into new tensors.</summary>
public class CpuArrayPoolTests
{
    [Fact]
    public void ZerosAfterADisposedTensorOfTheSameLengthAreZero()
    {
        using var backend = new CpuBackend(1);
        var t = Tensor.Full(backend, 7f, 64, 128);
        var array = ((CpuStorage)t.Storage).Data;
        t.Dispose();
        using var z = Tensor.Zeros(backend, 128, 64);
        Assert.Same(array, ((CpuStorage)z.Storage).Data); // the array was reused...
        Assert.All(z.ToArray(), v => Assert.Equal(0f, v)); // ...and cleared
    }

    [Fact]
    public void DisposedTensorsFailLoudlyInsteadOfReadingRecycledMemory()
    {
        using var backend = new CpuBackend(1);
        var t = Tensor.Full(backend, 1f, 8192);
        t.Dispose();
        using var other = Tensor.Full(backend, 2f, 8192);
        Assert.Throws<ObjectDisposedException>(() => t.ToArray());
    }

    [Fact]
    public void ConvolutionWeightsReplacedInARecycledArrayAreNotServedFromTheFlippedCache()
    {
        // Stride-1 input gradients cache re-laid-out weights per weight array; when the array is recycled for new
        // weights, the cache entry must go with it.
        using var backend = new CpuBackend(1);
        int[] ws = [160, 8, 3, 3];
        var o = new Conv2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1);
        using var x = Tensor.FromArray(backend, Rand.Uniform(1, 8 * 6 * 6), 1, 8, 6, 6).RequireGrad();
        var w1 = Tensor.FromArray(backend, Rand.Uniform(2, 160 * 72), ws);
        var array = ((CpuStorage)w1.Storage).Data;
        using (var s = TensorScope.Begin()) Grad.Of(x.Conv2d(w1, null, o).Sum(), [x]);
        w1.Dispose();
        var w2v = Rand.Uniform(3, 160 * 72);
        using var w2 = Tensor.FromArray(backend, w2v, ws);
        Assert.Same(array, ((CpuStorage)w2.Storage).Data);
        float[] got;
        using (var s = TensorScope.Begin()) got = Grad.Of(x.Conv2d(w2, null, o).Sum(), [x])[0].ToArray();
        // Reference: d/dx sum(conv(x, w2)) = for each input pixel, the sum of the weights whose taps reach an output.
        var expected = new double[8 * 6 * 6];
        for (int oc = 0; oc < 160; oc++)
            for (int c = 0; c < 8; c++)
                for (int oy = 0; oy < 6; oy++)
                    for (int ox = 0; ox < 6; ox++)
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++)
                            {
                                int iy = oy - 1 + ky, ix = ox - 1 + kx;
                                if (iy is >= 0 and < 6 && ix is >= 0 and < 6) expected[(c * 6 + iy) * 6 + ix] += w2v[((oc * 8 + c) * 3 + ky) * 3 + kx];
                            }
        Approx.Equal(expected, got, 1e-5, 1e-4, "input gradient with the new weights");
    }
}
