using FeatureViz.Tensors.Backends;

namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Real 2-D FFT over the last two axes (numpy.fft.rfft2): [..., H, W] gives [..., H, W/2 + 1, 2] with the
    /// real and imaginary parts in the trailing axis. Any H and W.
    /// </summary>
    public Tensor Rfft2(FftNorm norm = FftNorm.Backward)
    {
        const string op = nameof(Rfft2);
        if (Rank < 2)
            throw new ArgumentException($"{op}: input {Shape} has rank {Rank}; it needs at least 2 axes [..., H, W].", "input");
        int h = Shape[-2], w = Shape[-1];
        if (h == 0 || w == 0)
            throw new ArgumentException($"{op}: input {Shape} has an empty transform axis (H = {h}, W = {w}); both must be at least 1.", "input");
        var geometry = new Fft2Geometry(Batch: Numel / (h * w), Height: h, Width: w);
        var dims = new int[Rank + 1];
        Shape.Dims[..^1].CopyTo(dims);
        dims[^2] = geometry.HalfWidth;
        dims[^1] = 2;
        var (forward, _) = FftScales(norm, h, w);
        var x = this;
        var backend = Backend;
        var outShape = new Shape(dims);
        var y = backend.Rfft2(Storage, geometry, forward, 1f);
        // Adjoint of R2C: a C2R of the cotangent whose interior columns count once, not twice.
        return Record(op, y, outShape, [x], (g, _) => [Result(backend.Irfft2(g.Storage, geometry, forward, 0.5f), x.Shape)]);
    }

    /// <summary>
    /// Inverse of <see cref="Rfft2"/> (numpy.fft.irfft2 with s = (H, <paramref name="width"/>)): [..., H, Wc, 2]
    /// gives [..., H, width]; Wc must be width / 2 + 1. The imaginary parts of the bins that must be real are ignored.
    /// With <paramref name="binWeights"/> ([H, Wc], constant, shared by the leading axes) the spectrum is first
    /// multiplied bin by bin (both parts) by the weights, in the same pass (as a Fourier image parametrization's
    /// frequency scaling). The weights are read again by the backward pass: keep them alive until it has run.
    /// </summary>
    public Tensor Irfft2(int width, FftNorm norm = FftNorm.Backward, Tensor? binWeights = null)
    {
        const string op = nameof(Irfft2);
        if (width <= 0)
            throw new ArgumentException($"{op}: width {width} must be at least 1 (spectrum {Shape}).", nameof(width));
        if (Rank < 3 || Shape[-1] != 2)
            throw new ArgumentException($"{op}: spectrum {Shape} must have shape [..., H, Wc, 2] (real, imaginary in the last axis).", "spectrum");
        int h = Shape[-3], wc = Shape[-2];
        if (wc != width / 2 + 1)
            throw new ArgumentException($"{op}: spectrum {Shape} has {wc} columns but width {width} needs width / 2 + 1 = {width / 2 + 1}.", nameof(width));
        if (h == 0)
            throw new ArgumentException($"{op}: spectrum {Shape} has H = 0; it must be at least 1.", "spectrum");
        if (binWeights is not null)
        {
            if (binWeights.Rank != 2 || binWeights.Shape[0] != h || binWeights.Shape[1] != wc)
                throw new ArgumentException($"{op}: bin weights {binWeights.Shape} must have shape [{h}, {wc}] for spectrum {Shape}.", nameof(binWeights));
            if (binWeights.RequiresGrad)
                throw new ArgumentException($"{op}: bin weights {binWeights.Shape} must be constants (they get no gradient); detach them.", nameof(binWeights));
            SameBackend(op, this, binWeights);
        }
        var geometry = new Fft2Geometry(Batch: Numel / (h * wc * 2), Height: h, Width: width);
        var dims = new int[Rank - 1];
        Shape.Dims[..^2].CopyTo(dims);
        dims[^1] = width;
        var (_, inverse) = FftScales(norm, h, width);
        var x = this;
        var backend = Backend;
        var weights = binWeights?.Storage;
        var outShape = TensorLimits.OutputShape(op, [.. dims], nameof(width));
        var y = backend.Irfft2(Storage, geometry, inverse, 1f, weights);
        // Adjoint of C2R: an R2C of the cotangent with the interior columns (two bins each) counted twice, then the weights.
        return Record(op, y, outShape, [x], (g, _) => [Result(backend.Rfft2(g.Storage, geometry, inverse, 2f, weights), x.Shape)]);
    }

    private static (float Forward, float Inverse) FftScales(FftNorm norm, int h, int w)
    {
        double n = (double)h * w;
        return norm switch
        {
            FftNorm.Backward => (1f, (float)(1 / n)),
            FftNorm.Ortho => ((float)(1 / Math.Sqrt(n)), (float)(1 / Math.Sqrt(n))),
            FftNorm.Forward => ((float)(1 / n), 1f),
            _ => throw new ArgumentException($"FFT: unknown norm {norm}.", nameof(norm)),
        };
    }
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
