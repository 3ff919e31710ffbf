using FeatureViz.Models;
using FeatureViz.Onnx;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Objectives;

internal enum SubObjectiveKind { Neuron, Channel, Layer, Direction, Function }

/// <summary>
/// Builds the score function of a <see cref="SubObjectiveKind.Function"/> term for one compiled batch: it receives the
/// batch context (variant of each image, a factory for constant tensors) and returns the function from the term's
/// layer activations (one tensor per layer, [N, ...]) to the per-image scores [N].
/// </summary>
internal delegate Func<IReadOnlyList<Tensor>, Tensor> TermBuilder(TermBuildContext context);

/// <summary>
/// One term of an objective: a layer (or several for function terms), a kind, K variants (ids or vectors) with their
/// names, and the term's own multiplier. Immutable; operators build new lists.
/// </summary>
internal sealed record SubObjective(
    SubObjectiveKind Kind,
    LayerInfo Layer,
    int[] LayerShape,
    IReadOnlyList<string> Names,
    float Multiplier,
    int[]? Ids = null,
    IReadOnlyList<float[]>? Vectors = null,
    LayerReducer Reducer = LayerReducer.Magnitude,
    float CossimPow = 2f)
{
    public int VariantCount => Names.Count;

    /// <summary>Every layer the term reads, in the order its function receives them (the first is <see cref="Layer"/>).</summary>
    public IReadOnlyList<(LayerInfo Info, int[] Shape)> Inputs { get; init; } = [(Layer, LayerShape)];

    /// <summary>The score builder of a function term.</summary>
    public TermBuilder? Builder { get; init; }

    /// <summary>A term written by the user: its output is checked (shape, finiteness, gradient path) at the first step.</summary>
    public bool Checked { get; init; }

    /// <summary>The term's display name (its first variant's name, or the name of a single-variant term).</summary>
    public string DisplayName => Names.Count == 1 ? Names[0] : $"{Names[0]}..{Names[^1]}";

    public SubObjective Scaled(float factor) => this with { Multiplier = Multiplier * factor };
}

/// <summary>What a <see cref="TermBuilder"/> knows about the batch it is compiled for.</summary>
internal sealed class TermBuildContext(IBackend backend, int[] variantOfImage, List<Tensor> owned)
{
    public IBackend Backend { get; } = backend;

    /// <summary>Number of images in the batch.</summary>
    public int BatchSize => VariantOfImage.Length;

    /// <summary>The term's variant index for each image.</summary>
    public int[] VariantOfImage { get; } = variantOfImage;

    /// <summary>A constant tensor owned by the compiled objective (freed with it).</summary>
    public Tensor Constant(float[] data, params int[] dims)
    {
        Tensor t;
        using (Tensors.Autograd.GradMode.NoGrad()) t = Tensor.FromArray(Backend, data, dims);
        TensorScope.Current?.Keep(t);
        owned.Add(t);
        return t;
    }
}
