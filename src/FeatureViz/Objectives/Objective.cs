using System.Globalization;
using FeatureViz.Models;
using FeatureViz.Onnx;

namespace FeatureViz.Objectives;

/// <summary>
/// What to maximise: a sum of weighted sub-objectives (neurons, channels, layers, directions), each with one or more
/// variants. <see cref="Compile"/> makes one image per combination of variants (cartesian product, last
/// sub-objective varying fastest), so 10 logits x 5 channels give 50 images named e.g.
/// <c>"Neuron#logits_3 &amp; Channel#layer_2"</c>.
/// </summary>
/// <remarks>
/// Mirrors Xplique's <c>Objective</c> with these deliberate deviations (its defects, see the reference's section 11):
/// <list type="bullet">
/// <item>each multiplier weights its own term: the score is <c>sum_k m_k * f_k</c> (Xplique multiplies the running sum,
/// so <c>a - b</c> there minimises both);</item>
/// <item>operators never mutate their operands (Xplique's <c>-</c> and <c>*</c> modify them in place);</item>
/// <item>names are whole strings (a single name is never split into characters);</item>
/// <item>channel scores are the channel's mean over H x W and neuron scores the activation itself (Xplique divides
/// both by the whole layer size C x H x W);</item>
/// <item>the direction score uses each image's own dot product (Xplique sums the dot over the whole batch, coupling
/// the images).</item>
/// </list>
/// Layout is NCHW: channels are axis 1 of the layer; a neuron id is a flat row-major index into the layer's (C, H, W)
/// (or (units) for a dense layer). Scores are maximised; the optimizer minimises their negation.
/// </remarks>
public sealed partial class Objective
{
    private readonly SubObjective[] _terms;
    private readonly ObjectiveExpression _expression;

    private Objective(VisualizationModel model, SubObjective[] terms, ObjectiveExpression? expression = null)
    {
        Model = model;
        _terms = terms;
        _expression = expression ?? (terms.Length == 1 ? new TermNode(0) : throw new ArgumentException("An objective of several terms needs an expression.", nameof(expression)));
    }

    /// <summary>The model the objective reads activations from.</summary>
    public VisualizationModel Model { get; }

    /// <summary>Number of sub-objectives (terms).</summary>
    public int TermCount => _terms.Length;

    /// <summary>Multiplier of each term, in order.</summary>
    public IReadOnlyList<float> Multipliers => _terms.Select(t => t.Multiplier).ToArray();

    /// <summary>Variant names of each term, in order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> TermNames => _terms.Select(t => t.Names).ToArray();

    /// <summary>Number of images a compiled run produces: the product of the terms' variant counts.</summary>
    public int BatchSize => _terms.Aggregate(1, (n, t) => checked(n * t.VariantCount));

    /// <summary>The image names (one per combination of variants, joined with " &amp; ").</summary>
    public IReadOnlyList<string> Names => Combinations().Select(c => string.Join(" & ", c.Select((v, k) => _terms[k].Names[v]))).ToArray();

    internal IReadOnlyList<SubObjective> Terms => _terms;

    internal ObjectiveExpression Expression => _expression;

    // ------------------------------------------------------------------ factories

    /// <summary>Maximises single neurons: one variant per id; the score is the activation at that flat (C, H, W) index.</summary>
    /// <param name="model">The model (an <see cref="OnnxModel"/> converts implicitly).</param>
    /// <param name="layer">Layer name (node or output) or index (negative from the end).</param>
    /// <param name="neuronIds">Flat row-major indices into the layer's per-image shape.</param>
    /// <param name="multiplier">Weight of this term.</param>
    /// <param name="names">One name per id (default <c>"Neuron#&lt;layer&gt;_&lt;id&gt;"</c>).</param>
    public static Objective Neuron(VisualizationModel model, LayerRef layer, IEnumerable<int> neuronIds, double multiplier = 1, IReadOnlyList<string>? names = null)
    {
        var (info, shape) = Resolve(model, layer, "Neuron");
        ArgumentNullException.ThrowIfNull(neuronIds);
        var ids = neuronIds.ToArray();
        if (ids.Length == 0) throw new ArgumentException("Objective.Neuron: no neuron ids given.", nameof(neuronIds));
        int size = Numel(shape);
        foreach (var id in ids)
            if (id < 0 || id >= size)
                throw new ArgumentOutOfRangeException(nameof(neuronIds), id, $"Objective.Neuron: neuron id {id} is out of range for layer '{info.OutputName}' of shape [{string.Join(", ", shape)}] ({size} neurons, valid 0..{size - 1}).");
        var n = CheckNames(names, ids.Length, "Neuron") ?? ids.Select(id => $"Neuron#{info.OutputName}_{id}").ToArray();
        return new Objective(model, [new SubObjective(SubObjectiveKind.Neuron, info, shape, n, CheckMultiplier(multiplier), Ids: ids)]);
    }

    /// <summary>Maximises one neuron given by its flat index (see the list overload).</summary>
    public static Objective Neuron(VisualizationModel model, LayerRef layer, int neuronId, double multiplier = 1, string? name = null) =>
        Neuron(model, layer, [neuronId], multiplier, name is null ? null : [name]);

    /// <summary>
    /// Maximises the neuron at column <paramref name="x"/>, row <paramref name="y"/> of <paramref name="channel"/> of a
    /// (C, H, W) layer (flat id <c>(channel * H + y) * W + x</c>). Default name <c>"Neuron#&lt;layer&gt;_&lt;c&gt;_&lt;x&gt;_&lt;y&gt;"</c>.
    /// </summary>
    public static Objective Neuron(VisualizationModel model, LayerRef layer, int channel, int x, int y, double multiplier = 1, string? name = null)
    {
        int id = NeuronId(model, layer, channel, x, y);
        return Neuron(model, layer, [id], multiplier, [name ?? $"Neuron#{Resolve(model, layer, "Neuron").Info.OutputName}_{channel}_{x}_{y}"]);
    }

    /// <summary>
    /// The flat id <c>(channel * H + y) * W + x</c> of a neuron of a (C, H, W) layer, for the list overload of
    /// <see cref="Neuron(VisualizationModel, LayerRef, IEnumerable{int}, double, IReadOnlyList{string}?)"/> (a batch may
    /// mix neurons given either way).
    /// </summary>
    /// <exception cref="ArgumentException">The layer is not (C, H, W).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is outside the layer.</exception>
    public static int NeuronId(VisualizationModel model, LayerRef layer, int channel, int x, int y)
    {
        var (info, shape) = Resolve(model, layer, "Neuron");
        if (shape.Length != 3)
            throw new ArgumentException($"Objective.Neuron: (channel, x, y) needs a layer of shape [N, C, H, W]; '{info.OutputName}' has shape [{string.Join(", ", info.Shape)}].", nameof(layer));
        if (channel < 0 || channel >= shape[0]) throw new ArgumentOutOfRangeException(nameof(channel), channel, $"Objective.Neuron: channel {channel} is out of range for layer '{info.OutputName}' with {shape[0]} channels.");
        if (y < 0 || y >= shape[1]) throw new ArgumentOutOfRangeException(nameof(y), y, $"Objective.Neuron: y {y} is out of range for layer '{info.OutputName}' of height {shape[1]}.");
        if (x < 0 || x >= shape[2]) throw new ArgumentOutOfRangeException(nameof(x), x, $"Objective.Neuron: x {x} is out of range for layer '{info.OutputName}' of width {shape[2]}.");
        return (channel * shape[1] + y) * shape[2] + x;
    }

    /// <summary>Maximises whole channels: one variant per channel; the score is the channel's mean over H x W.</summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">Layer name or index.</param>
    /// <param name="channelIds">Channel indices (axis 1 of the layer).</param>
    /// <param name="multiplier">Weight of this term.</param>
    /// <param name="names">One name per channel (default <c>"Channel#&lt;layer&gt;_&lt;c&gt;"</c>).</param>
    public static Objective Channel(VisualizationModel model, LayerRef layer, IEnumerable<int> channelIds, double multiplier = 1, IReadOnlyList<string>? names = null)
    {
        var (info, shape) = Resolve(model, layer, "Channel");
        ArgumentNullException.ThrowIfNull(channelIds);
        var ids = channelIds.ToArray();
        if (ids.Length == 0) throw new ArgumentException("Objective.Channel: no channel ids given.", nameof(channelIds));
        foreach (var c in ids)
            if (c < 0 || c >= shape[0])
                throw new ArgumentOutOfRangeException(nameof(channelIds), c, $"Objective.Channel: channel {c} is out of range for layer '{info.OutputName}' of shape [{string.Join(", ", shape)}] ({shape[0]} channels, valid 0..{shape[0] - 1}).");
        var n = CheckNames(names, ids.Length, "Channel") ?? ids.Select(c => $"Channel#{info.OutputName}_{c}").ToArray();
        return new Objective(model, [new SubObjective(SubObjectiveKind.Channel, info, shape, n, CheckMultiplier(multiplier), Ids: ids)]);
    }

    /// <summary>Maximises one channel (see the list overload).</summary>
    public static Objective Channel(VisualizationModel model, LayerRef layer, int channelId, double multiplier = 1, string? name = null) =>
        Channel(model, layer, [channelId], multiplier, name is null ? null : [name]);

    /// <summary>Maximises a whole layer (one variant): mean of squares (<see cref="LayerReducer.Magnitude"/>) or mean. Default name <c>"Layer#&lt;layer&gt;"</c>.</summary>
    public static Objective Layer(VisualizationModel model, LayerRef layer, LayerReducer reducer = LayerReducer.Magnitude, double multiplier = 1, string? name = null)
    {
        var (info, shape) = Resolve(model, layer, "Layer");
        if (!Enum.IsDefined(reducer)) throw new ArgumentOutOfRangeException(nameof(reducer), reducer, "Objective.Layer: unknown reducer.");
        return new Objective(model, [new SubObjective(SubObjectiveKind.Layer, info, shape, [name ?? $"Layer#{info.OutputName}"], CheckMultiplier(multiplier), Reducer: reducer)]);
    }

    /// <summary>
    /// Maximises directions in activation space: one variant per vector; the score is
    /// <c>dot(a, v) * max(cos(a, v), 0.1)^cossimPow</c> per image (Xplique/Lucid <c>dot_cossim</c>, without Xplique's
    /// batch-wide dot). A vector has the layer's full per-image size (C x H x W, row-major) or C values (one direction
    /// per position, repeated over H x W).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">Layer name or index.</param>
    /// <param name="vectors">The directions.</param>
    /// <param name="cossimPow">Power of the cosine: higher values care more about the angle.</param>
    /// <param name="multiplier">Weight of this term.</param>
    /// <param name="names">One name per vector (default <c>"Direction#&lt;layer&gt;_&lt;i&gt;"</c>).</param>
    public static Objective Direction(VisualizationModel model, LayerRef layer, IEnumerable<float[]> vectors, double multiplier = 1, float cossimPow = 2f, IReadOnlyList<string>? names = null)
    {
        var (info, shape) = Resolve(model, layer, "Direction");
        ArgumentNullException.ThrowIfNull(vectors);
        var list = vectors.ToArray();
        if (list.Length == 0) throw new ArgumentException("Objective.Direction: no vectors given.", nameof(vectors));
        if (!float.IsFinite(cossimPow)) throw new ArgumentOutOfRangeException(nameof(cossimPow), cossimPow, "Objective.Direction: cossimPow must be finite.");
        int size = Numel(shape);
        int spatial = size / shape[0];
        var full = new float[list.Length][];
        for (int i = 0; i < list.Length; i++)
        {
            var v = list[i] ?? throw new ArgumentNullException(nameof(vectors), $"Objective.Direction: vector {i} is null.");
            if (v.Length == size) full[i] = (float[])v.Clone();
            else if (v.Length == shape[0])
            {
                full[i] = new float[size];
                for (int c = 0; c < shape[0]; c++) full[i].AsSpan(c * spatial, spatial).Fill(v[c]);
            }
            else
                throw new ArgumentException($"Objective.Direction: vector {i} has {v.Length} values; layer '{info.OutputName}' of shape [{string.Join(", ", shape)}] needs {size} (the full C x H x W tensor) or {shape[0]} (one value per channel).", nameof(vectors));
            foreach (var x in v)
                if (!float.IsFinite(x)) throw new ArgumentException($"Objective.Direction: vector {i} contains a non-finite value.", nameof(vectors));
        }
        var n = CheckNames(names, list.Length, "Direction") ?? Enumerable.Range(0, list.Length).Select(i => $"Direction#{info.OutputName}_{i}").ToArray();
        return new Objective(model, [new SubObjective(SubObjectiveKind.Direction, info, shape, n, CheckMultiplier(multiplier), Vectors: full, CossimPow: cossimPow)]);
    }

    /// <summary>Maximises one direction (see the list overload).</summary>
    public static Objective Direction(VisualizationModel model, LayerRef layer, float[] vector, double multiplier = 1, float cossimPow = 2f, string? name = null) =>
        Direction(model, layer, [vector], multiplier, cossimPow, name is null ? null : [name]);

    /// <summary>
    /// Compiles to the batch: one image per combination of variants (cartesian product, last term varying fastest),
    /// the names, the model input shape for that batch, and the score function. Dispose the result to free its
    /// constant masks.
    /// </summary>
    public CompiledObjective Compile() => new(this);

    /// <summary>Variant index of each term, per image, in batch order.</summary>
    internal IEnumerable<int[]> Combinations()
    {
        var idx = new int[_terms.Length];
        int total = BatchSize;
        for (int n = 0; n < total; n++)
        {
            yield return (int[])idx.Clone();
            for (int k = _terms.Length - 1; k >= 0; k--)
            {
                if (++idx[k] < _terms[k].VariantCount) break;
                idx[k] = 0;
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => _expression.Format(_terms);

    internal static (LayerInfo Info, int[] Shape) Resolve(VisualizationModel model, LayerRef layer, string op)
    {
        ArgumentNullException.ThrowIfNull(model);
        LayerInfo info;
        try { info = model.GetLayer(layer); }
        catch (ArgumentOutOfRangeException e) { throw new ArgumentOutOfRangeException(nameof(layer), layer.ToString(), $"Objective.{op}: {BareMessage(e)}"); }
        catch (ArgumentException e) { throw new ArgumentException($"Objective.{op}: {BareMessage(e)}", nameof(layer), e); }
        var shape = info.Shape;
        string shown = $"[{string.Join(", ", shape)}]";
        if (shape.Length < 2 || shape.Skip(1).Any(d => d <= 0))
            throw new ArgumentException($"Objective.{op}: layer '{info.OutputName}' has shape {shown}; a batched layer with known sizes [N, C, ...] is needed.", nameof(layer));
        int batch = model.Input.Shape.Length > 0 ? model.Input.Shape[0] : -1;
        if (shape[0] > 0 && shape[0] != 1 && shape[0] != batch)
            throw new ArgumentException($"Objective.{op}: layer '{info.OutputName}' has shape {shown}, whose first axis ({shape[0]}) is not the batch axis of the model input '{model.Input.Name}' [{string.Join(", ", model.Input.Shape)}]: it is not computed from the image (a weight or a constant); a layer [N, C, ...] is needed.", nameof(layer));
        return (info, shape[1..]);
    }

    /// <summary>The message of <paramref name="e"/> without the "(Parameter '...')" and "Actual value was" suffixes .NET appends.</summary>
    internal static string BareMessage(ArgumentException e)
    {
        var m = e.Message;
        if (e is ArgumentOutOfRangeException { ActualValue: not null } r)
        {
            int at = m.LastIndexOf($"{Environment.NewLine}Actual value was", StringComparison.Ordinal);
            if (at >= 0) m = m[..at];
        }
        return e.ParamName is null ? m : m.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
    }

    internal static int Numel(int[] shape) => shape.Aggregate(1, (a, d) => checked(a * d));

    internal static float CheckMultiplier(double multiplier, string argument = "multiplier")
    {
        float m = (float)multiplier;
        return float.IsFinite(m) ? m : throw new ArgumentOutOfRangeException(argument, multiplier, "Objective: multipliers must be finite (and within float range).");
    }

    internal static string[]? CheckNames(IReadOnlyList<string>? names, int count, string op)
    {
        if (names is null) return null;
        if (names.Count != count)
            throw new ArgumentException($"Objective.{op}: {names.Count} names given for {count} variants.", nameof(names));
        return names.ToArray();
    }
}
