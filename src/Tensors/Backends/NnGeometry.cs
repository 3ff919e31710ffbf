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
/// Geometry of <see cref="IBackend.Resize"/>: <see cref="Planes"/> planes of [InH, InW] become [OutH, OutW]. For each
/// output row (column) the tables give two source rows (columns) and their weights; nearest uses only the first
/// (weight 1). Tables are host arrays computed once per call by the op.
/// </summary>
/// <param name="Planes">Product of all axes but the last two.</param>
/// <param name="InH">Input height.</param>
/// <param name="InW">Input width.</param>
/// <param name="OutH">Output height.</param>
/// <param name="OutW">Output width.</param>
/// <param name="Nearest">True for nearest neighbour (only <paramref name="Y0"/>/<paramref name="X0"/> are read).</param>
/// <param name="Y0">First source row per output row.</param>
/// <param name="Y1">Second source row per output row.</param>
/// <param name="WY1">Weight of <paramref name="Y1"/> (that of <paramref name="Y0"/> is 1 - WY1).</param>
/// <param name="X0">First source column per output column.</param>
/// <param name="X1">Second source column per output column.</param>
/// <param name="WX1">Weight of <paramref name="X1"/> (that of <paramref name="X0"/> is 1 - WX1).</param>
public sealed record ResizeGeometry(int Planes, int InH, int InW, int OutH, int OutW, bool Nearest,
    int[] Y0, int[] Y1, float[] WY1, int[] X0, int[] X1, float[] WX1);

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
