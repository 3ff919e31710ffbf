namespace FeatureViz.Kernels.Gpu;

/// <summary>The kinds of ILGPU accelerator the GPU kernels run on.</summary>
public enum GpuDeviceKind
{
    /// <summary>An NVIDIA GPU through the CUDA driver (PTX).</summary>
    Cuda,

    /// <summary>An OpenCL 2.0+ device with generic address space support.</summary>
    OpenCL,

    /// <summary>ILGPU's CPU accelerator: a thread-per-lane simulator for checking kernels without a GPU (slow).</summary>
    IlgpuCpu,
}
