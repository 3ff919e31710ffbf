namespace FeatureViz.Cli.Objectives;

/// <summary>What an objective term maximises.</summary>
internal enum ObjectiveKind
{
    Channel,
    Neuron,
    Layer,
    Direction,
    /// <summary>Lucid's per-position direction (<c>position-direction:</c>).</summary>
    PositionDirection,
    /// <summary>Lucid's direction at one position (<c>direction-neuron:</c>).</summary>
    DirectionNeuron,
    /// <summary>Gram-matrix similarity across the batch (<c>diversity:</c>), to subtract.</summary>
    Diversity,
    /// <summary>Neighbouring images kept close (<c>alignment:</c>).</summary>
    Alignment,
    /// <summary>A morph between two channels across the batch (<c>interpolate:</c>); <see cref="ObjectiveAtom.Indices"/> holds the steps.</summary>
    Interpolate,
    /// <summary>A class logit by label (<c>logit:</c>); <see cref="ObjectiveAtom.Indices"/> holds the class index once resolved.</summary>
    Logit,
}

/// <summary>How a <c>layer:</c> term reduces the activations.</summary>
internal enum Reduction
{
    Magnitude,
    Mean,
}

/// <summary>A layer given by name (quoted or bare) or by index (negative counts from the end).</summary>
internal readonly record struct LayerSpec(string? Name, int Index)
{
    public static LayerSpec ByName(string name) => new(name, 0);

    public static LayerSpec ByIndex(int index) => new(null, index);

    public bool IsIndex => Name is null;

    public override string ToString() => Name ?? Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A neuron: a flat index into the layer's per-sample activations, or a channel at a spatial position.</summary>
internal readonly record struct NeuronRef(int? Flat, int Channel, int X, int Y)
{
    public static NeuronRef AtFlat(int flat) => new(flat, 0, 0, 0);

    public static NeuronRef At(int channel, int x, int y) => new(null, channel, x, y);

    public override string ToString() => Flat is int f ? f.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Channel}@{X},{Y}";
}

/// <summary>
/// One atom of the grammar (e.g. <c>channel:conv3:0-15</c>). <see cref="Indices"/> holds the channels of a channel
/// term; <see cref="Neurons"/> those of a neuron term; several entries make a batch (one image each).
/// </summary>
internal sealed record ObjectiveAtom(
    ObjectiveKind Kind,
    LayerSpec Layer,
    IReadOnlyList<int> Indices,
    IReadOnlyList<NeuronRef> Neurons,
    Reduction Reducer,
    string? VectorPath,
    int Position)
{
    /// <summary>The two channels of an interpolate atom.</summary>
    public (int First, int Second) Channels { get; init; }

    /// <summary>Number of steps of an interpolate atom (its variants are the step indices in <see cref="Indices"/>).</summary>
    public int Steps { get; init; }

    /// <summary>The position of a direction-neuron atom (null: the centre).</summary>
    public (int X, int Y)? At { get; init; }

    /// <summary>The label of a logit atom.</summary>
    public string? Label { get; init; }

    /// <summary>How many labels the labels file of a resolved logit atom has.</summary>
    public int LabelCount { get; init; }

    /// <summary>Whether the atom's extra fields (channels, steps, position, label) are equal.</summary>
    public bool SameExtras(ObjectiveAtom other) =>
        Channels == other.Channels && Steps == other.Steps && At == other.At && Label == other.Label;

    /// <summary>How many images this atom asks for (1 for layer and direction terms).</summary>
    public int Variants => Kind switch
    {
        ObjectiveKind.Channel or ObjectiveKind.Interpolate => Indices.Count,
        ObjectiveKind.Neuron => Neurons.Count,
        _ => 1,
    };

    /// <summary>How many images this atom asks for, counted without expanding its ranges (may exceed <see cref="int.MaxValue"/>).</summary>
    public long VariantCount => Kind switch
    {
        ObjectiveKind.Channel or ObjectiveKind.Interpolate => Indices is IndexRanges r ? r.LongCount : Indices.Count,
        ObjectiveKind.Neuron => Neurons is NeuronList n ? n.Indices.LongCount : Neurons.Count,
        _ => 1,
    };

    /// <summary>The largest channel index of a channel atom, without expanding its ranges (-1 for other kinds).</summary>
    public int MaxChannel => Kind != ObjectiveKind.Channel ? -1 : Indices is IndexRanges r ? r.Max : Indices.DefaultIfEmpty(-1).Max();

    /// <summary>The indices as written (<c>0-7,12</c>).</summary>
    public string IndicesText => Kind switch
    {
        ObjectiveKind.Channel => Indices is IndexRanges r ? r.ToString() : string.Join(",", Indices),
        ObjectiveKind.Neuron => Neurons is NeuronList n ? n.ToString() : string.Join(",", Neurons),
        _ => "",
    };
}

/// <summary>A weighted atom of a sum.</summary>
internal sealed record ObjectiveTerm(double Weight, ObjectiveAtom Atom);

/// <summary>A parsed objective expression: the weighted sum of its terms, and the text it came from.</summary>
internal sealed record ObjectiveExpression(IReadOnlyList<ObjectiveTerm> Terms, string Text);

/// <summary>A syntax error in an objective expression, with the 0-based character position it was found at.</summary>
internal sealed class ObjectiveSyntaxException(string message, int position) : Exception(message)
{
    public int Position { get; } = position;
}
