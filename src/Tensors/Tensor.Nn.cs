namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>Inference batch normalisation over axis 1: (x - mean) / sqrt(var + eps) * scale + bias; all parameters [C].</summary>
    public Tensor BatchNorm(Tensor scale, Tensor bias, Tensor mean, Tensor variance, float epsilon = 1e-5f) => throw new NotImplementedException("BatchNorm: pending");

    /// <summary>Layer normalisation over axes [axis, rank) with optional scale and bias broadcast over those axes.</summary>
    public Tensor LayerNorm(Tensor? scale, Tensor? bias, int axis = -1, float epsilon = 1e-5f) => throw new NotImplementedException("LayerNorm: pending");

    /// <summary>Local response normalisation across channels (ONNX LRN).</summary>
    public Tensor Lrn(int size, float alpha = 1e-4f, float beta = 0.75f, float bias = 1f) => throw new NotImplementedException("Lrn: pending");

    /// <summary>Resizes the last two axes of NCHW input to (outH, outW) (ONNX Resize, nearest or linear).</summary>
    public Tensor Resize(int outH, int outW, ResizeOptions options) => throw new NotImplementedException("Resize: pending");

    /// <summary>
    /// Bilinear affine sampling of NCHW images: output pixel (x, y) in normalised [-1, 1] coordinates
    /// (align_corners = false) reads the input at theta[n] * (x, y, 1). theta is [N, 2, 3] (a constant; the gradient
    /// flows to the image only). Outside samples are zero or clamp to the border.
    /// </summary>
    public Tensor AffineWarp(Tensor theta, int outH, int outW, WarpPadding padding = WarpPadding.Zeros) => throw new NotImplementedException("AffineWarp: pending");
}

/// <summary>Options of <see cref="Tensor.Resize"/>.</summary>
public readonly record struct ResizeOptions(
    ResizeMode Mode = ResizeMode.Nearest,
    CoordinateTransform Transform = CoordinateTransform.HalfPixel,
    NearestRounding Rounding = NearestRounding.RoundPreferFloor);

/// <summary>Interpolation of <see cref="Tensor.Resize"/>.</summary>
public enum ResizeMode
{
    /// <summary>Nearest neighbour.</summary>
    Nearest,
    /// <summary>Bilinear.</summary>
    Linear,
}

/// <summary>ONNX Resize coordinate_transformation_mode.</summary>
public enum CoordinateTransform
{
    /// <summary>(x + 0.5) / scale - 0.5.</summary>
    HalfPixel,
    /// <summary>Like half_pixel, but 0 when the output length is 1.</summary>
    PytorchHalfPixel,
    /// <summary>x * (in - 1) / (out - 1).</summary>
    AlignCorners,
    /// <summary>x / scale.</summary>
    Asymmetric,
}

/// <summary>ONNX Resize nearest_mode.</summary>
public enum NearestRounding
{
    /// <summary>Round half down.</summary>
    RoundPreferFloor,
    /// <summary>Round half up.</summary>
    RoundPreferCeil,
    /// <summary>Floor.</summary>
    Floor,
    /// <summary>Ceiling.</summary>
    Ceil,
}

/// <summary>What <see cref="Tensor.AffineWarp"/> reads outside the image.</summary>
public enum WarpPadding
{
    /// <summary>Zeros.</summary>
    Zeros,
    /// <summary>The nearest border pixel.</summary>
    Border,
}
