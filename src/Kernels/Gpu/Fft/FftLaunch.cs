using ILGPU;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu.Fft;

/// <summary>The FFT kernels' launchers from an accelerator's kernel cache (loaded once per process).</summary>
internal static class FftLaunch
{
    public static Action<AcceleratorStream, KernelConfig, T1, T2, T3> Load<T1, T2, T3>(GpuAccelerator gpu, string name, Action<T1, T2, T3> kernel)
        where T1 : struct where T2 : struct where T3 : struct =>
        gpu.Kernels.Get(name, null, acc => acc.LoadKernel(kernel));

    public static Action<AcceleratorStream, KernelConfig, T1, T2, T3, T4> Load<T1, T2, T3, T4>(GpuAccelerator gpu, string name, Action<T1, T2, T3, T4> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct =>
        gpu.Kernels.Get(name, null, acc => acc.LoadKernel(kernel));
}
