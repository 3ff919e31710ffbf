namespace FeatureViz.Onnx.Tests.Fuzz;

/// <summary>
/// One damaged model: its bytes (loaded from a stream) or a folder holding model.onnx and its external data (loaded
/// from the file), what was done to it, and what it must do.
/// </summary>
public sealed record Mutant(int Id, MutationKind Kind, string Seed, string Description, Expectation Expect, byte[]? Bytes, string? ModelPath)
{
    /// <summary>Large models (ResNet18) are loaded but not run at full size more than this many elements per input.</summary>
    public bool IsResNet => Kind == MutationKind.ResNet18;
}
