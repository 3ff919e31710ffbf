using FeatureViz.Kernels.Gpu;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Util;

namespace FeatureViz.GpuCheck;

/// <summary>
/// The baseline for our FFT, in this program only: cuFFT (through ILGPU.Algorithms' wrapper, libcufft.so.12 on
/// CUDA 13) batched real 2-D forward and inverse transforms of <c>batch</c> images of size x size on the
/// accelerator's stream.
/// </summary>
public sealed class CuFftRoundTrip : IDisposable
{
    private readonly CuFFTPlan _forward;
    private readonly CuFFTPlan _inverse;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _real;
    private readonly MemoryBuffer1D<Float2, Stride1D.Dense> _spectrum;

    /// <summary>Creates both plans and the buffers.</summary>
    /// <exception cref="InvalidOperationException">cuFFT refused a plan (the message has its error code).</exception>
    public CuFftRoundTrip(GpuAccelerator gpu, int batch, int size)
    {
        var cufft = new CuFFT();
        int[] n = [size, size];
        // Null embeddings: the basic (contiguous) layout of each image and its half spectrum.
        Ok(cufft.PlanMany(out var forward, 2, n, null!, 1, 0, null!, 1, 0, CuFFTType.CUFFT_R2C, batch), "R2C plan");
        _forward = forward ?? throw new InvalidOperationException("cuFFT R2C plan: no plan returned.");
        Ok(cufft.PlanMany(out var inverse, 2, n, null!, 1, 0, null!, 1, 0, CuFFTType.CUFFT_C2R, batch), "C2R plan");
        _inverse = inverse ?? throw new InvalidOperationException("cuFFT C2R plan: no plan returned.");
        if (gpu.Stream is CudaStream stream)
        {
            _forward.SetStream(stream);
            _inverse.SetStream(stream);
        }
        _real = gpu.Accelerator.Allocate1D<float>((long)batch * size * size);
        _spectrum = gpu.Accelerator.Allocate1D<Float2>((long)batch * size * (size / 2 + 1));
        _real.MemSetToZero();
    }

    /// <summary>One forward and one inverse transform (queued).</summary>
    public void Run()
    {
        Ok(_forward.ExecR2C(_real.View, _spectrum.View), "ExecR2C");
        Ok(_inverse.ExecC2R(_spectrum.View, _real.View), "ExecC2R");
    }

    private static void Ok(CuFFTResult result, string what)
    {
        if (result != CuFFTResult.CUFFT_SUCCESS) throw new InvalidOperationException($"cuFFT {what}: {result}.");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _forward.Dispose();
        _inverse.Dispose();
        _real.Dispose();
        _spectrum.Dispose();
    }
}
