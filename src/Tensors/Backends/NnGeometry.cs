namespace FeatureViz.Tensors.Backends;

/// <summary>Geometry of <see cref="IBackend.Lrn"/>: the input viewed as [N, C, Inner].</summary>
/// <param name="N">Batch size (product of the axes before the channel axis).</param>
/// <param name="C">Channels.</param>
/// <param name="Inner">Product of the axes after the channel axis.</param>
/// <param name="Before">Channels before c in the window: floor((size - 1) / 2).</param>
/// <param name="After">Channels after c in the window: ceil((size - 1) / 2).</param>
/// <param name="AlphaOverSize">alpha / size.</param>
/// <param name="Beta">The exponent.</param>
/// <param name="Bias">The additive bias.</param>
public readonly record struct LrnGeometry(int N, int C, int Inner, int Before, int After, float AlphaOverSize, float Beta, float Bias);

/// <summary>
/// Geometry of <see cref="IBackend.Resize"/>: <see cref="Planes"/> planes of [InH, InW] become [OutH, OutW] as
/// <see cref="Options"/> says. It holds no tables: a backend derives them with <see cref="ResizeTables.Compute"/> and
/// caches them per geometry value.
/// </summary>
/// <param name="Planes">Product of all axes but the last two.</param>
/// <param name="InH">Input height.</param>
/// <param name="InW">Input width.</param>
/// <param name="OutH">Output height.</param>
/// <param name="OutW">Output width.</param>
/// <param name="Options">Interpolation, coordinate transform, rounding and the given scales.</param>
public readonly record struct ResizeGeometry(int Planes, int InH, int InW, int OutH, int OutW, ResizeOptions Options)
{
    /// <summary>True for nearest neighbour (only the first table entries are read).</summary>
    public bool Nearest => Options.Mode == ResizeMode.Nearest;
}

/// <summary>Geometry of <see cref="IBackend.AffineWarp"/>.</summary>
/// <param name="N">Batch size.</param>
/// <param name="C">Channels.</param>
/// <param name="InH">Input height.</param>
/// <param name="InW">Input width.</param>
/// <param name="OutH">Output height.</param>
/// <param name="OutW">Output width.</param>
/// <param name="ThetaBatch">Number of 2x3 matrices: N, or 1 when one matrix is shared by the batch.</param>
/// <param name="Padding">What is read outside the image.</param>
public readonly record struct AffineWarpGeometry(int N, int C, int InH, int InW, int OutH, int OutW, int ThetaBatch, WarpPadding Padding);
