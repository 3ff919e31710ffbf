namespace FeatureViz.Tensors.Backends;

public partial interface IBackend
{
    /// <summary>
    /// Real-to-complex 2-D DFT of each [H, W] image of <paramref name="x"/> ([Batch, H, W] row-major), giving
    /// [Batch, H, W/2 + 1, 2] (real, imaginary). Every output column is multiplied by <paramref name="scale"/>; the
    /// interior columns (neither DC nor, for even W, Nyquist) additionally by <paramref name="interiorWeight"/>, and,
    /// when <paramref name="binWeights"/> is given ([H, W/2 + 1], shared by the batch), each bin by its weight.
    /// </summary>
    /// <remarks>
    /// With <paramref name="interiorWeight"/> 1 this is numpy's rfft2 times the scale. With weight 2 it is the adjoint
    /// of <see cref="Irfft2"/> (the VJP of irfft2 with respect to the half spectrum).
    /// </remarks>
    TensorStorage Rfft2(TensorStorage x, Fft2Geometry geometry, float scale, float interiorWeight, TensorStorage? binWeights = null);

    /// <summary>
    /// Complex-to-real inverse 2-D DFT: the half spectrum <paramref name="spectrum"/> ([Batch, H, W/2 + 1, 2]) is
    /// extended Hermitian-symmetrically along the last axis and transformed back to [Batch, H, W] (the real part, as
    /// numpy's irfft2 with s = (H, W): an inverse complex DFT over H, then a C2R DFT over W that ignores the imaginary
    /// parts of the DC and Nyquist bins). Every input column is multiplied by <paramref name="scale"/>, the interior
    /// columns additionally by <paramref name="interiorWeight"/>, and, when <paramref name="binWeights"/> is given
    /// ([H, W/2 + 1], shared by the batch), each bin by its weight.
    /// </summary>
    /// <remarks>
    /// With <paramref name="interiorWeight"/> 1 this is numpy's irfft2 times scale * H * W. With weight 1/2 it is the
    /// adjoint of <see cref="Rfft2"/> (the VJP of rfft2 with respect to its real input).
    /// </remarks>
    TensorStorage Irfft2(TensorStorage spectrum, Fft2Geometry geometry, float scale, float interiorWeight, TensorStorage? binWeights = null);
}

/// <summary>Geometry of a batched 2-D real FFT: <see cref="Batch"/> images of <see cref="Height"/> x <see cref="Width"/> real samples.</summary>
/// <param name="Batch">Number of images (the product of the leading dimensions).</param>
/// <param name="Height">Rows per image (the transformed second-to-last axis of the real signal).</param>
/// <param name="Width">Real samples per row (the last axis of the real signal).</param>
public readonly record struct Fft2Geometry(int Batch, int Height, int Width)
{
    /// <summary>Number of stored complex columns of the half spectrum: Width / 2 + 1.</summary>
    public int HalfWidth => Width / 2 + 1;

    /// <summary>True when spectrum column <paramref name="column"/> stands for two bins of the full spectrum (not DC, not Nyquist).</summary>
    public bool IsInterior(int column) => column > 0 && 2 * column != Width;
}
