using FeatureViz.Models;
using FeatureViz.Onnx;

namespace FeatureViz.Objectives;

internal enum SubObjectiveKind { Neuron, Channel, Layer, Direction }

/// <summary>
/// One term of an objective: a layer, a kind, K variants (ids or vectors) with their names, and the term's own
/// multiplier. Immutable; operators build new lists.
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

    public SubObjective Scaled(float factor) => this with { Multiplier = Multiplier * factor };
}
