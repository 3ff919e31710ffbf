using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Gpu.Backend;

public sealed partial class IlgpuBackend
{
    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Always, until the GPU FFT kernels (src/Kernels/Gpu/Fft) land.</exception>
    public TensorStorage Rfft2(TensorStorage x, Fft2Geometry geometry, float scale, float interiorWeight, TensorStorage? binWeights = null) =>
        throw new NotSupportedException($"Rfft2 ({geometry}) is not implemented on {Name} yet: the GPU FFT kernels have not landed.");

    /// <inheritdoc/>
    public TensorStorage Irfft2(TensorStorage spectrum, Fft2Geometry geometry, float scale, float interiorWeight, TensorStorage? binWeights = null) =>
        throw new NotSupportedException($"Irfft2 ({geometry}) is not implemented on {Name} yet: the GPU FFT kernels have not landed.");
}
