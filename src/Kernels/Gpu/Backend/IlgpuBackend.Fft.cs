using FeatureViz.Kernels.Gpu.Fft;
using FeatureViz.Tensors.Backends;
using ILGPU;

namespace FeatureViz.Kernels.Gpu.Backend;

public sealed partial class IlgpuBackend
{
    /// <inheritdoc/>
    public TensorStorage Rfft2(TensorStorage x, Fft2Geometry geometry, float scale, float interiorWeight, TensorStorage? binWeights = null)
    {
        const string op = nameof(Rfft2);
        var xv = View(x, op, nameof(x));
        ArrayView<float>? wv = binWeights is null ? null : View(binWeights, op, nameof(binWeights));
        var y = New(op, (long)geometry.Batch * geometry.Height * geometry.HalfWidth * 2);
        if (y.Length == 0) return y;
        Launch(op, () => geometry.ToString(), () => GpuFft.Rfft2(Gpu, xv, y.View, geometry, scale, interiorWeight, wv));
        return y;
    }

    /// <inheritdoc/>
    public TensorStorage Irfft2(TensorStorage spectrum, Fft2Geometry geometry, float scale, float interiorWeight, TensorStorage? binWeights = null)
    {
        const string op = nameof(Irfft2);
        var sv = View(spectrum, op, nameof(spectrum));
        ArrayView<float>? wv = binWeights is null ? null : View(binWeights, op, nameof(binWeights));
        var x = New(op, (long)geometry.Batch * geometry.Height * geometry.Width);
        if (x.Length == 0) return x;
        Launch(op, () => geometry.ToString(), () => GpuFft.Irfft2(Gpu, sv, x.View, geometry, scale, interiorWeight, wv));
        return x;
    }
}
