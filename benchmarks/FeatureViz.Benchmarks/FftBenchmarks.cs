using BenchmarkDotNet.Attributes;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;

namespace FeatureViz.Benchmarks;

/// <summary>
/// 2-D real FFTs as the Fourier image parametrisation uses them: [1, 3, S, S] images, ortho norm, forward and VJP
/// (the VJP times include the forward pass that records the graph).
/// </summary>
[MemoryDiagnoser]
public class FftBenchmarks
{
    private Tensor _image = null!;
    private Tensor _spectrum = null!;
    private Tensor _imageCotangent = null!;
    private Tensor _spectrumCotangent = null!;

    /// <summary>Image side.</summary>
    [Params(224, 512)]
    public int Size { get; set; }

    /// <summary>Creates the inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var cpu = CpuBackend.Default;
        int wc = Size / 2 + 1;
        var rng = new Random(1);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        _image = Tensor.FromArray(cpu, Values(3 * Size * Size), 1, 3, Size, Size).RequireGrad();
        _spectrum = Tensor.FromArray(cpu, Values(3 * Size * wc * 2), 1, 3, Size, wc, 2).RequireGrad();
        _imageCotangent = Tensor.FromArray(cpu, Values(3 * Size * Size), 1, 3, Size, Size);
        _spectrumCotangent = Tensor.FromArray(cpu, Values(3 * Size * wc * 2), 1, 3, Size, wc, 2);
    }

    /// <summary>Rfft2 forward (each benchmark synchronizes, so queued work is timed on an asynchronous backend).</summary>
    [Benchmark]
    public void Rfft2Forward()
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        _image.Rfft2(FftNorm.Ortho);
        _image.Backend.Synchronize();
    }

    /// <summary>Irfft2 forward.</summary>
    [Benchmark]
    public void Irfft2Forward()
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        _spectrum.Irfft2(Size, FftNorm.Ortho);
        _spectrum.Backend.Synchronize();
    }

    /// <summary>Rfft2 forward + VJP with respect to the image.</summary>
    [Benchmark]
    public void Rfft2ForwardAndVjp()
    {
        using var scope = TensorScope.Begin();
        var y = _image.Rfft2(FftNorm.Ortho);
        Grad.Of(y, [_image], _spectrumCotangent);
        _image.Backend.Synchronize();
    }

    /// <summary>Irfft2 forward + VJP with respect to the spectrum (one Fourier-parametrisation step's FFT work).</summary>
    [Benchmark]
    public void Irfft2ForwardAndVjp()
    {
        using var scope = TensorScope.Begin();
        var y = _spectrum.Irfft2(Size, FftNorm.Ortho);
        Grad.Of(y, [_spectrum], _imageCotangent);
        _spectrum.Backend.Synchronize();
    }
}
