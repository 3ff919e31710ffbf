using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public TensorStorage ChannelAffine(TensorStorage x, int outer, int channels, int inner, TensorStorage scale, TensorStorage? shift)
    {
        var xv = Data(x);
        var a = Data(scale);
        var b = shift is null ? null : Data(shift);
        if (xv.Length != (long)outer * channels * inner || a.Length != channels || (b is not null && b.Length != channels))
            throw new ArgumentException($"ChannelAffine: {xv.Length} elements do not match [{outer}, {channels}, {inner}] with {a.Length} scales.");
        var y = NewUninitialized(xv.Length);
        For(outer * channels, inner, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int c = r % channels;
                var src = xv.AsSpan(r * inner, inner);
                var dst = y.AsSpan(r * inner, inner);
                ElementwiseFastPaths.ScaleShiftRow(src, a[c], b is null ? 0f : b[c], dst);
            }
        });
        return Wrap(y);
    }
}
