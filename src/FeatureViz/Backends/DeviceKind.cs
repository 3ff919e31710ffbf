namespace FeatureViz.Backends;

/// <summary>The kinds of device a <see cref="DeviceSpec"/> names.</summary>
public enum DeviceKind
{
    /// <summary>The first working CUDA device, else the first working OpenCL device, else the CPU.</summary>
    Auto,

    /// <summary>The managed SIMD CPU backend.</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through CUDA (our ILGPU kernels as PTX).</summary>
    Cuda,

    /// <summary>An OpenCL 2.0 device (our ILGPU kernels as OpenCL C).</summary>
    OpenCL,

    /// <summary>The GPU kernels on ILGPU's CPU accelerator: slow, for checking kernels without a GPU.</summary>
    IlgpuCpu,
}
