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
public sealed class Objective
{
    private readonly SubObjective[] _terms;

    private Objective(VisualizationModel model, SubObjective[] terms)
    {
        Model = model;
        _terms = terms;
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

    // ------------------------------------------------------------------ factories

    /// <summary>Maximises single neurons: one variant per id; the score is the activation at that flat (C, H, W) index.</summary>
    /// <param name="model">The model (an <see cref="OnnxModel"/> converts implicitly).</param>
    /// <param name="layer">Layer name (node or output) or index (negative from the end).</param>
    /// <param name="neuronIds">Flat row-major indices into the layer's per-image shape.</param>
    /// <param name="multiplier">Weight of this term.</param>
    /// <param name="names">One name per id (default <c>"Neuron#&lt;layer&gt;_&lt;id&gt;"</c>).</param>
    public static Objective Neuron(VisualizationModel model, LayerRef layer, IReadOnlyList<int> neuronIds, float multiplier = 1f, IReadOnlyList<string>? names = null)
    {
        var (info, shape) = Resolve(model, layer, "Neuron");
        ArgumentNullException.ThrowIfNull(neuronIds);
        if (neuronIds.Count == 0) throw new ArgumentException("Objective.Neuron: no neuron ids given.", nameof(neuronIds));
        int size = Numel(shape);
        foreach (var id in neuronIds)
            if (id < 0 || id >= size)
                throw new ArgumentOutOfRangeException(nameof(neuronIds), id, $"Objective.Neuron: neuron id {id} is out of range for layer '{info.OutputName}' of shape [{string.Join(", ", shape)}] ({size} neurons, valid 0..{size - 1}).");
        var n = CheckNames(names, neuronIds.Count, "Neuron") ?? neuronIds.Select(id => $"Neuron#{info.OutputName}_{id}").ToArray();
        return new Objective(model, [new SubObjective(SubObjectiveKind.Neuron, info, shape, n, CheckMultiplier(multiplier), Ids: neuronIds.ToArray())]);
    }

    /// <summary>Maximises one neuron given by its flat index (see the list overload).</summary>
    public static Objective Neuron(VisualizationModel model, LayerRef layer, int neuronId, float multiplier = 1f, string? name = null) =>
        Neuron(model, layer, [neuronId], multiplier, name is null ? null : [name]);

    /// <summary>
    /// Maximises the neuron at column <paramref name="x"/>, row <paramref name="y"/> of <paramref name="channel"/> of a
    /// (C, H, W) layer (flat id <c>(channel * H + y) * W + x</c>). Default name <c>"Neuron#&lt;layer&gt;_&lt;c&gt;_&lt;x&gt;_&lt;y&gt;"</c>.
    /// </summary>
    public static Objective Neuron(VisualizationModel model, LayerRef layer, int channel, int x, int y, float multiplier = 1f, string? name = null)
    {
        int id = NeuronId(model, layer, channel, x, y);
        return Neuron(model, layer, [id], multiplier, [name ?? $"Neuron#{Resolve(model, layer, "Neuron").Info.OutputName}_{channel}_{x}_{y}"]);
    }

    /// <summary>
    /// The flat id <c>(channel * H + y) * W + x</c> of a neuron of a (C, H, W) layer, for the list overload of
    /// <see cref="Neuron(VisualizationModel, LayerRef, IReadOnlyList{int}, float, IReadOnlyList{string}?)"/> (a batch may
    /// mix neurons given either way).
    /// </summary>
    /// <exception cref="ArgumentException">The layer is not (C, H, W).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate is outside the layer.</exception>
    public static int NeuronId(VisualizationModel model, LayerRef layer, int channel, int x, int y)
    {
        var (info, shape) = Resolve(model, layer, "Neuron");
        if (shape.Length != 3)
            throw new ArgumentException($"Objective.Neuron: (channel, x, y) needs a (C, H, W) layer; '{info.OutputName}' has per-image shape [{string.Join(", ", shape)}].", nameof(layer));
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
    public static Objective Channel(VisualizationModel model, LayerRef layer, IReadOnlyList<int> channelIds, float multiplier = 1f, IReadOnlyList<string>? names = null)
    {
        var (info, shape) = Resolve(model, layer, "Channel");
        ArgumentNullException.ThrowIfNull(channelIds);
        if (channelIds.Count == 0) throw new ArgumentException("Objective.Channel: no channel ids given.", nameof(channelIds));
        foreach (var c in channelIds)
            if (c < 0 || c >= shape[0])
                throw new ArgumentOutOfRangeException(nameof(channelIds), c, $"Objective.Channel: channel {c} is out of range for layer '{info.OutputName}' of shape [{string.Join(", ", shape)}] ({shape[0]} channels, valid 0..{shape[0] - 1}).");
        var n = CheckNames(names, channelIds.Count, "Channel") ?? channelIds.Select(c => $"Channel#{info.OutputName}_{c}").ToArray();
        return new Objective(model, [new SubObjective(SubObjectiveKind.Channel, info, shape, n, CheckMultiplier(multiplier), Ids: channelIds.ToArray())]);
    }

    /// <summary>Maximises one channel (see the list overload).</summary>
    public static Objective Channel(VisualizationModel model, LayerRef layer, int channelId, float multiplier = 1f, string? name = null) =>
        Channel(model, layer, [channelId], multiplier, name is null ? null : [name]);

    /// <summary>Maximises a whole layer (one variant): mean of squares (<see cref="LayerReducer.Magnitude"/>) or mean. Default name <c>"Layer#&lt;layer&gt;"</c>.</summary>
    public static Objective Layer(VisualizationModel model, LayerRef layer, LayerReducer reducer = LayerReducer.Magnitude, float multiplier = 1f, string? name = null)
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
    public static Objective Direction(VisualizationModel model, LayerRef layer, IReadOnlyList<float[]> vectors, float cossimPow = 2f, float multiplier = 1f, IReadOnlyList<string>? names = null)
    {
        var (info, shape) = Resolve(model, layer, "Direction");
        ArgumentNullException.ThrowIfNull(vectors);
        if (vectors.Count == 0) throw new ArgumentException("Objective.Direction: no vectors given.", nameof(vectors));
        if (!float.IsFinite(cossimPow)) throw new ArgumentOutOfRangeException(nameof(cossimPow), cossimPow, "Objective.Direction: cossimPow must be finite.");
        int size = Numel(shape);
        int spatial = size / shape[0];
        var full = new float[vectors.Count][];
        for (int i = 0; i < vectors.Count; i++)
        {
            var v = vectors[i] ?? throw new ArgumentNullException(nameof(vectors), $"Objective.Direction: vector {i} is null.");
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
        var n = CheckNames(names, vectors.Count, "Direction") ?? Enumerable.Range(0, vectors.Count).Select(i => $"Direction#{info.OutputName}_{i}").ToArray();
        return new Objective(model, [new SubObjective(SubObjectiveKind.Direction, info, shape, n, CheckMultiplier(multiplier), Vectors: full, CossimPow: cossimPow)]);
    }

    /// <summary>Maximises one direction (see the list overload).</summary>
    public static Objective Direction(VisualizationModel model, LayerRef layer, float[] vector, float cossimPow = 2f, float multiplier = 1f, string? name = null) =>
        Direction(model, layer, [vector], cossimPow, multiplier, name is null ? null : [name]);

    // ------------------------------------------------------------------ algebra (never mutates operands)

    /// <summary>Sum: the terms of both (same model required). A new objective; operands are unchanged.</summary>
    public static Objective operator +(Objective a, Objective b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!ReferenceEquals(a.Model, b.Model))
            throw new ArgumentException("Objective +: both objectives must be built on the same model.", nameof(b));
        return new Objective(a.Model, [.. a._terms, .. b._terms]);
    }

    /// <summary>Difference: maximises <paramref name="a"/> and minimises <paramref name="b"/>. Operands are unchanged.</summary>
    public static Objective operator -(Objective a, Objective b) => a + (-b);

    /// <summary>Negation: every term's multiplier negated.</summary>
    public static Objective operator -(Objective a) => a * -1f;

    /// <summary>Scales every term's multiplier.</summary>
    public static Objective operator *(Objective a, float k)
    {
        ArgumentNullException.ThrowIfNull(a);
        CheckMultiplier(k);
        return new Objective(a.Model, a._terms.Select(t => t.Scaled(k)).ToArray());
    }

    /// <summary>Scales every term's multiplier.</summary>
    public static Objective operator *(float k, Objective a) => a * k;

    /// <summary>Divides every term's multiplier by <paramref name="k"/> (non-zero).</summary>
    public static Objective operator /(Objective a, float k)
    {
        if (k == 0f || !float.IsFinite(k)) throw new ArgumentOutOfRangeException(nameof(k), k, "Objective /: the divisor must be finite and non-zero.");
        return a * (1f / k);
    }

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
    public override string ToString() =>
        string.Join(" + ", _terms.Select(t => $"{t.Multiplier.ToString(CultureInfo.InvariantCulture)} * {t.Kind}({t.Layer.OutputName}, {t.VariantCount})"));

    private static (LayerInfo Info, int[] Shape) Resolve(VisualizationModel model, LayerRef layer, string op)
    {
        ArgumentNullException.ThrowIfNull(model);
        LayerInfo info;
        try { info = model.GetLayer(layer); }
        catch (ArgumentOutOfRangeException e) { throw new ArgumentOutOfRangeException($"Objective.{op}: {e.Message}", e); }
        catch (ArgumentException e) { throw new ArgumentException($"Objective.{op}: {e.Message}", nameof(layer), e); }
        if (info.Shape.Length < 2 || info.Shape.Skip(1).Any(d => d <= 0))
            throw new ArgumentException($"Objective.{op}: layer '{info.OutputName}' has shape [{string.Join(", ", info.Shape)}]; a batched layer with known sizes [N, C, ...] is needed.", nameof(layer));
        return (info, info.Shape[1..]);
    }

    private static int Numel(int[] shape) => shape.Aggregate(1, (a, d) => checked(a * d));

    private static float CheckMultiplier(float m) =>
        float.IsFinite(m) ? m : throw new ArgumentOutOfRangeException(nameof(m), m, "Objective: multipliers must be finite.");

    private static string[]? CheckNames(IReadOnlyList<string>? names, int count, string op)
    {
        if (names is null) return null;
        if (names.Count != count)
            throw new ArgumentException($"Objective.{op}: {names.Count} names given for {count} variants.", nameof(names));
        return names.ToArray();
    }
}
