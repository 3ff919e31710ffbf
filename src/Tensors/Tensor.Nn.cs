using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Inference batch normalisation over axis 1 of an (N, C, ...) tensor: (x - mean) / sqrt(var + eps) * scale + bias;
    /// all parameters are [C]. Differentiable with respect to x and to every parameter that requires a gradient.
    /// </summary>
    public Tensor BatchNorm(Tensor scale, Tensor bias, Tensor mean, Tensor variance, float epsilon = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(bias);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(variance);
        if (Rank < 2)
            throw new ArgumentException($"BatchNorm: input {Shape} must have rank >= 2 (N, C, ...).", "x");
        int c = Shape[1];
        foreach (var (p, name) in new[] { (scale, nameof(scale)), (bias, nameof(bias)), (mean, nameof(mean)), (variance, nameof(variance)) })
        {
            if (p.Rank != 1 || p.Shape[0] != c)
                throw new ArgumentException($"BatchNorm: {name} has shape {p.Shape} but input {Shape} has {c} channels (expected [{c}]).", name);
            SameBackend("BatchNorm", this, p);
        }
        // y = x * a + b with a = scale / sqrt(var + eps), b = bias - mean * a (as ONNX Runtime folds it); composed of
        // broadcasting ops, so every input gets its gradient from the elementwise VJPs.
        var dims = new int[Rank];
        dims.AsSpan().Fill(1);
        dims[1] = c;
        if (!NeedsGraph([scale, bias, mean, variance]))
            return FrozenBatchNorm(scale, bias, mean, variance, epsilon, c);
        var a = scale.Div(variance.Add(epsilon).Sqrt());
        var b = bias.Sub(mean.Mul(a));
        return Mul(a.Reshape(dims)).Add(b.Reshape(dims));
    }

    /// <summary>Frozen statistics (the feature-visualization case): one fused pass x * a[c] + b[c], gradient g * a[c].</summary>
    private Tensor FrozenBatchNorm(Tensor scale, Tensor bias, Tensor mean, Tensor variance, float epsilon, int c)
    {
        Tensor a, b;
        using (GradMode.NoGrad())
        using (var scope = TensorScope.Begin())
        {
            a = scope.Keep(scale.Div(variance.Add(epsilon).Sqrt()));
            b = scope.Keep(bias.Sub(mean.Mul(a)));
        }
        int outer = Shape[0], inner = c == 0 || Numel == 0 ? 0 : Numel / (outer * c);
        var x = this;
        var y = Backend.ChannelAffine(Storage, outer, c, inner, a.Storage, b.Storage);
        return Record("BatchNorm", y, Shape, [x], (g, _) => [Result(x.Backend.ChannelAffine(g.Storage, outer, c, inner, a.Storage, null), x.Shape)]);
    }

    /// <summary>
    /// Layer normalisation (ONNX LayerNormalization) over axes [axis, rank) with optional scale and bias whose shapes
    /// broadcast to the input without changing it.
    /// </summary>
    public Tensor LayerNorm(Tensor? scale, Tensor? bias, int axis = -1, float epsilon = 1e-5f)
    {
        if (Rank < 1)
            throw new ArgumentException($"LayerNorm: input {Shape} must have rank >= 1.", "x");
        int a = Shape.NormalizeAxis(axis, Rank, "LayerNorm");
        foreach (var (p, name) in new[] { (scale, nameof(scale)), (bias, nameof(bias)) })
        {
            if (p is null) continue;
            SameBackend("LayerNorm", this, p);
            bool ok = p.Rank <= Rank - a;
            if (ok)
                for (int i = 0; i < p.Rank; i++)
                {
                    int d = p.Shape[i], xd = Shape[Rank - p.Rank + i];
                    if (d != 1 && d != xd) { ok = false; break; }
                }
            if (!ok)
                throw new ArgumentException($"LayerNorm: {name} has shape {p.Shape}, which does not broadcast to the normalised axes {a}.. of input {Shape}.", name);
        }
        var axes = Enumerable.Range(a, Rank - a).ToArray();
        using var scope = NeedsGraph([this, scale ?? this, bias ?? this]) ? null : TensorScope.Begin();
        var d0 = Sub(Mean(axes, keepDims: true));
        var y = d0.Div(d0.Mul(d0).Mean(axes, keepDims: true).Add(epsilon).Sqrt());
        if (scale is not null) y = y.Mul(scale);
        if (bias is not null) y = y.Add(bias);
        scope?.Keep(y);
        return y;
    }

    /// <summary>
    /// Local response normalisation across channels (ONNX LRN) of an (N, C, ...) tensor:
    /// y = x / (bias + alpha / size * sum of x^2 over channels [c - floor((size-1)/2), c + ceil((size-1)/2)])^beta.
    /// </summary>
    public Tensor Lrn(int size, float alpha = 1e-4f, float beta = 0.75f, float bias = 1f)
    {
        if (Rank < 2)
            throw new ArgumentException($"Lrn: input {Shape} must have rank >= 2 (N, C, ...).", "x");
        if (size < 1)
            throw new ArgumentException($"Lrn: size must be positive, got {size} (input {Shape}).", nameof(size));
        int inner = 1;
        for (int i = 2; i < Rank; i++) inner *= Shape[i];
        int before = (size - 1) / 2;
        var g = new LrnGeometry(N: Shape[0], C: Shape[1], Inner: inner, Before: before, After: size - 1 - before, AlphaOverSize: alpha / size, Beta: beta, Bias: bias);
        var x = this;
        return Record("Lrn", Backend.Lrn(Storage, g), Shape, [x],
            (dy, _) => [Result(x.Backend.LrnBackward(x.Storage, dy.Storage, g), x.Shape)]);
    }

    /// <summary>
    /// Resizes the last two axes of a rank >= 2 tensor (usually NCHW) to (outH, outW), exactly as ONNX Resize with
    /// mode nearest or linear (bilinear; the source coordinate is clamped to [0, in - 1]). The scale is out / in
    /// unless <see cref="ResizeOptions.ScaleH"/>/<see cref="ResizeOptions.ScaleW"/> give the ONNX scales. ONNX
    /// Upsample (opset 7-9) is <see cref="ResizeOptions.Upsample"/>.
    /// </summary>
    public Tensor Resize(int outH, int outW, ResizeOptions options)
    {
        if (Rank < 2)
            throw new ArgumentException($"Resize: input {Shape} must have rank >= 2 (the last two axes are resized).", "x");
        if (outH <= 0 || outW <= 0)
            throw new ArgumentException($"Resize: output size {outH}x{outW} must be positive (input {Shape}).", outH <= 0 ? nameof(outH) : nameof(outW));
        int inH = Shape[-2], inW = Shape[-1];
        if (inH == 0 || inW == 0)
            throw new ArgumentException($"Resize: input {Shape} has an empty spatial axis.", "x");
        if (options.ScaleH is { } sh && !(sh > 0) || options.ScaleW is { } sw && !(sw > 0))
            throw new ArgumentException($"Resize: scales ({options.ScaleH}, {options.ScaleW}) must be positive (input {Shape}).", nameof(options));
        var dims = Shape.ToArray();
        dims[^2] = outH;
        dims[^1] = outW;
        if (!Enum.IsDefined(options.Mode) || !Enum.IsDefined(options.Transform) || !Enum.IsDefined(options.Rounding))
            throw new ArgumentException($"Resize: unknown mode, coordinate transform or nearest rounding in {options} (input {Shape}).", nameof(options));
        var outShape = TensorLimits.OutputShape("Resize", [.. dims], outH > inH ? nameof(outH) : nameof(outW), $"input {Shape}");
        var geo = new ResizeGeometry(Planes: Numel / (inH * inW), InH: inH, InW: inW, OutH: outH, OutW: outW, Options: options);
        var x = this;
        return Record("Resize", Backend.Resize(Storage, geo), outShape, [x],
            (dy, _) => [Result(x.Backend.ResizeBackward(dy.Storage, geo), x.Shape)]);
    }

    /// <summary>
    /// Bilinear affine sampling of NCHW images, exactly PyTorch F.affine_grid(theta, (N, C, outH, outW),
    /// align_corners=False) followed by F.grid_sample(mode='bilinear', padding_mode, align_corners=False): output pixel
    /// (x, y) in normalised [-1, 1] coordinates reads the input at theta[n] * (x, y, 1). theta is [N, 2, 3] (or
    /// [1, 2, 3], shared by the batch). Differentiable with respect to the image and to theta (the gradient of the
    /// sampling position, as PyTorch's grid_sample backward; zero where border padding clamps the position).
    /// </summary>
    public Tensor AffineWarp(Tensor theta, int outH, int outW, WarpPadding padding = WarpPadding.Zeros)
    {
        ArgumentNullException.ThrowIfNull(theta);
        if (Rank != 4)
            throw new ArgumentException($"AffineWarp: input {Shape} must be NCHW (rank 4).", "x");
        int n = Shape[0];
        if (theta.Rank != 3 || theta.Shape[1] != 2 || theta.Shape[2] != 3 || (theta.Shape[0] != n && theta.Shape[0] != 1))
            throw new ArgumentException($"AffineWarp: theta has shape {theta.Shape}, expected [{n}, 2, 3] (or [1, 2, 3]) for input {Shape}.", nameof(theta));
        if (outH <= 0 || outW <= 0)
            throw new ArgumentException($"AffineWarp: output size {outH}x{outW} must be positive (input {Shape}).", outH <= 0 ? nameof(outH) : nameof(outW));
        if (Shape[2] == 0 || Shape[3] == 0)
            throw new ArgumentException($"AffineWarp: input {Shape} has an empty spatial axis.", "x");
        if (padding is not (WarpPadding.Zeros or WarpPadding.Border))
            throw new ArgumentException($"AffineWarp: unknown padding {padding}.", nameof(padding));
        var backend = SameBackend("AffineWarp", this, theta);
        var outShape = TensorLimits.OutputShape("AffineWarp", [n, Shape[1], outH, outW], nameof(outH), $"input {Shape}");
        var geo = new AffineWarpGeometry(N: n, C: Shape[1], InH: Shape[2], InW: Shape[3], OutH: outH, OutW: outW, ThetaBatch: theta.Shape[0], Padding: padding);
        var x = this;
        return Record("AffineWarp", backend.AffineWarp(Storage, theta.Storage, geo), outShape, [x, theta],
            (dy, needs) =>
            [
                needs[0] ? Result(backend.AffineWarpBackward(dy.Storage, theta.Storage, geo), x.Shape) : null,
                needs[1] ? Result(backend.AffineWarpBackwardTheta(x.Storage, dy.Storage, theta.Storage, geo), theta.Shape) : null,
            ]);
    }
}

/// <summary>Options of <see cref="Tensor.Resize"/>.</summary>
/// <param name="Mode">Nearest or bilinear.</param>
/// <param name="Transform">ONNX coordinate_transformation_mode.</param>
/// <param name="Rounding">ONNX nearest_mode.</param>
/// <param name="ScaleH">The ONNX scale of the height axis when the model gives scales (null: outH / inH); coordinates then use the unrounded length inH * scale as the ONNX reference does.</param>
/// <param name="ScaleW">The ONNX scale of the width axis when the model gives scales (null: outW / inW).</param>
public readonly record struct ResizeOptions(
    ResizeMode Mode = ResizeMode.Nearest,
    CoordinateTransform Transform = CoordinateTransform.HalfPixel,
    NearestRounding Rounding = NearestRounding.RoundPreferFloor,
    float? ScaleH = null,
    float? ScaleW = null)
{
    /// <summary>ONNX Upsample (opset 7-9): asymmetric coordinates, nearest with floor, or linear.</summary>
    public static ResizeOptions Upsample(ResizeMode mode, float? scaleH = null, float? scaleW = null) =>
        new(mode, CoordinateTransform.Asymmetric, NearestRounding.Floor, scaleH, scaleW);
}

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
    /// <summary>ONNX half_pixel_symmetric (opset 19): half_pixel re-centred when out is not exactly in * scale.</summary>
    HalfPixelSymmetric,
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
