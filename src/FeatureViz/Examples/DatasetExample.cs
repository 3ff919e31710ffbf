namespace FeatureViz.Examples;

/// <summary>One image of a folder with its score on an objective.</summary>
/// <param name="Path">The image file.</param>
/// <param name="Score">The objective's value on the image (as resized to the model input and mapped to its value range).</param>
public sealed record DatasetExample(string Path, float Score)
{
    /// <summary>
    /// Ranking order, best first: the higher score first; equal scores by ordinal path (so the result never depends on
    /// the order images were read in).
    /// </summary>
    public static IComparer<DatasetExample> BestFirst { get; } = Comparer<DatasetExample>.Create((a, b) =>
    {
        int c = b.Score.CompareTo(a.Score);
        return c != 0 ? c : string.CompareOrdinal(a.Path, b.Path);
    });
}

/// <summary>A rectangle of pixels of the model input image: columns X..X+Width-1, rows Y..Y+Height-1.</summary>
public readonly record struct PixelRegion(int X, int Y, int Width, int Height)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Width} x {Height} at ({X}, {Y})";
}

/// <summary>The top-k images of one objective (one variant of an <see cref="Objectives.Objective"/>).</summary>
/// <param name="Name">The variant's name (e.g. <c>"Channel#conv_3"</c>).</param>
/// <param name="Examples">The best images, best first (at most the requested k).</param>
/// <param name="ReceptiveField">
/// The input pixels the objective depends on, when they are fewer than the whole image (a neuron of a convolutional
/// layer); null when the objective reads the whole image (a channel mean, a dense layer) or crops were not asked for.
/// </param>
public sealed record ObjectiveExamples(string Name, IReadOnlyList<DatasetExample> Examples, PixelRegion? ReceptiveField);
