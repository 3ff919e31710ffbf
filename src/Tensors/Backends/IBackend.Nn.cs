namespace FeatureViz.Tensors.Backends;

public partial interface IBackend
{
    /// <summary>ONNX LRN across axis 1 of an [N, C, inner] view.</summary>
    TensorStorage Lrn(TensorStorage x, LrnGeometry geometry) => FusedDefaults.Lrn(this, x, geometry);

    /// <summary>dL/dx of <see cref="Lrn"/> given x and dL/dy.</summary>
    TensorStorage LrnBackward(TensorStorage x, TensorStorage dy, LrnGeometry geometry) =>
        FusedDefaults.LrnBackward(this, x, dy, geometry);

    /// <summary>Separable nearest/bilinear resize of the last two axes using the precomputed source tables.</summary>
    TensorStorage Resize(TensorStorage x, ResizeGeometry geometry) => FusedDefaults.Resize(this, x, geometry);

    /// <summary>dL/dx of <see cref="Resize"/>: scatter-adds dL/dy with the interpolation weights.</summary>
    TensorStorage ResizeBackward(TensorStorage dy, ResizeGeometry geometry) =>
        FusedDefaults.ResizeBackward(this, dy, geometry);

    /// <summary>
    /// affine_grid + bilinear grid_sample (align_corners = false) of NCHW images; <paramref name="theta"/> holds
    /// <see cref="AffineWarpGeometry.ThetaBatch"/> row-major 2x3 matrices.
    /// </summary>
    TensorStorage AffineWarp(TensorStorage x, TensorStorage theta, AffineWarpGeometry geometry);

    /// <summary>dL/dx of <see cref="AffineWarp"/>.</summary>
    TensorStorage AffineWarpBackward(TensorStorage dy, TensorStorage theta, AffineWarpGeometry geometry);

    /// <summary>dL/dtheta of <see cref="AffineWarp"/> ([ThetaBatch, 2, 3]; a shared theta sums over the batch).</summary>
    TensorStorage AffineWarpBackwardTheta(TensorStorage x, TensorStorage dy, TensorStorage theta, AffineWarpGeometry geometry);

    /// <summary>
    /// y[o, c, i] = x[o, c, i] * scale[c] + shift[c] over a tensor viewed as [outer, channels, inner] (a fused
    /// per-channel affine map: inference BatchNorm with frozen statistics, and its input gradient with a null shift).
    /// </summary>
    TensorStorage ChannelAffine(TensorStorage x, int outer, int channels, int inner, TensorStorage scale, TensorStorage? shift) =>
        FusedDefaults.ChannelAffine(this, x, outer, channels, inner, scale, shift);
}
