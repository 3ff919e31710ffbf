namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Real 2-D FFT over the last two axes (numpy.fft.rfft2): [..., H, W] gives [..., H, W/2 + 1, 2] with the
    /// real and imaginary parts in the trailing axis. Any H and W.
    /// </summary>
    public Tensor Rfft2(FftNorm norm = FftNorm.Backward) => throw new NotImplementedException("Rfft2: pending");

    /// <summary>
    /// Inverse of <see cref="Rfft2"/> (numpy.fft.irfft2 with s = (H, <paramref name="width"/>)): [..., H, Wc, 2]
    /// gives [..., H, width]; Wc must be width / 2 + 1. The imaginary parts of the bins that must be real are ignored.
    /// </summary>
    public Tensor Irfft2(int width, FftNorm norm = FftNorm.Backward) => throw new NotImplementedException("Irfft2: pending");
}

/// <summary>FFT normalisation, as numpy's <c>norm</c>.</summary>
public enum FftNorm
{
    /// <summary>No scaling forward, 1/n inverse.</summary>
    Backward,
    /// <summary>1/sqrt(n) both ways.</summary>
    Ortho,
    /// <summary>1/n forward, none inverse.</summary>
    Forward,
}
