using System.Collections;

namespace FeatureViz.Cli.Objectives;

/// <summary>Flat neuron indices given as ranges (<c>neuron:L:0-99</c>), as <see cref="NeuronRef"/>s, never expanded up front.</summary>
internal sealed class NeuronList(IndexRanges indices) : IReadOnlyList<NeuronRef>
{
    /// <summary>The flat indices.</summary>
    public IndexRanges Indices { get; } = indices;

    public int Count => Indices.Count;

    public NeuronRef this[int index] => NeuronRef.AtFlat(Indices[index]);

    public IEnumerator<NeuronRef> GetEnumerator() => Indices.Select(NeuronRef.AtFlat).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Indices.ToString();
}
