using FeatureViz.Models;
using FeatureViz.Tensors;

namespace FeatureViz.Objectives;

// Lucid's objectives (lucid.optvis.objectives): neuron at a position, per-position direction, direction neuron,
// diversity, alignment, channel interpolation. Formulas follow Lucid; each factory says where we differ.
public sealed partial class Objective
{
    /// <summary>Lucid's epsilon in <c>_dot_cossim</c>'s cosine denominators.</summary>
    internal const float LucidCosineEpsilon = 1e-4f;

    /// <summary>
    /// Maximises the neuron of each of <paramref name="channels"/> at column <paramref name="x"/>, row
    /// <paramref name="y"/> of a [N, C, H, W] layer (Lucid's <c>neuron(layer, channel, x, y)</c>): one variant per
    /// channel. Without coordinates the centre is used, <c>(W / 2, H / 2)</c> (the bottom-right of the middle 2 x 2 when
    /// a size is even, as Lucid). Default names <c>"Neuron#&lt;layer&gt;_&lt;c&gt;_&lt;x&gt;_&lt;y&gt;"</c>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">Layer name or index; its shape must be [N, C, H, W].</param>
    /// <param name="channels">Channel indices (axis 1).</param>
    /// <param name="x">Column (default W / 2).</param>
    /// <param name="y">Row (default H / 2).</param>
    /// <param name="multiplier">Weight of this term.</param>
    /// <param name="names">One name per channel.</param>
    public static Objective NeuronAt(VisualizationModel model, LayerRef layer, IEnumerable<int> channels, int? x = null, int? y = null, double multiplier = 1, IReadOnlyList<string>? names = null)
    {
        var (info, shape) = Resolve(model, layer, "NeuronAt");
        ArgumentNullException.ThrowIfNull(channels);
        var cs = channels.ToArray();
        if (cs.Length == 0) throw new ArgumentException("Objective.NeuronAt: no channels given.", nameof(channels));
        RequireSpatial(info, shape, "NeuronAt");
        int px = x ?? shape[2] / 2, py = y ?? shape[1] / 2;
        var ids = cs.Select(c => NeuronId(model, layer, c, px, py)).ToArray();
        var n = CheckNames(names, cs.Length, "NeuronAt") ?? cs.Select(c => $"Neuron#{info.OutputName}_{c}_{px}_{py}").ToArray();
        return Neuron(model, layer, ids, multiplier, n);
    }

    /// <summary>Maximises one channel's neuron at a position, the centre by default (see the list overload).</summary>
    public static Objective NeuronAt(VisualizationModel model, LayerRef layer, int channel, int? x = null, int? y = null, double multiplier = 1, string? name = null) =>
        NeuronAt(model, layer, [channel], x, y, multiplier, name is null ? null : [name]);

    /// <summary>
    /// Lucid's per-position <c>direction</c>: at every spatial position p of the layer, the channel vector
    /// <c>a_p</c> (C values) is compared with the direction <c>v</c> (C values), and the score is the mean over
    /// positions of <c>dot(a_p, v) * max(cos(a_p, v), 0.1)^cossimPow</c>, with
    /// <c>cos = dot / (1e-4 + |a_p|) / (1e-4 + |v|)</c> (Lucid's <c>_dot_cossim</c>; with <c>cossimPow = 0</c>, Lucid's
    /// default, the mean dot product). Unlike <see cref="Direction(VisualizationModel, LayerRef, IEnumerable{float[]}, double, float, IReadOnlyList{string}?)"/>,
    /// which compares the whole activation tensor with one (tiled) vector, the cosine here is taken at each position.
    /// One variant per vector; default names <c>"PerPositionDirection#&lt;layer&gt;_&lt;i&gt;"</c>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">Layer name or index ([N, C, H, W], or [N, C] with one position).</param>
    /// <param name="vectors">Directions of C values each.</param>
    /// <param name="multiplier">Weight of this term.</param>
    /// <param name="cossimPow">Power of the floored cosine (0: plain dot product).</param>
    /// <param name="names">One name per vector.</param>
    public static Objective PerPositionDirection(VisualizationModel model, LayerRef layer, IEnumerable<float[]> vectors, double multiplier = 1, float cossimPow = 0f, IReadOnlyList<string>? names = null)
    {
        var (info, shape) = Resolve(model, layer, "PerPositionDirection");
        var list = ChannelVectors(vectors, shape, info, cossimPow, "PerPositionDirection");
        var n = CheckNames(names, list.Length, "PerPositionDirection") ?? Enumerable.Range(0, list.Length).Select(i => $"PerPositionDirection#{info.OutputName}_{i}").ToArray();
        int c = shape[0], positions = Numel(shape) / c;
        return FunctionTerm(model, [(info, shape)], n, CheckMultiplier(multiplier), ctx =>
        {
            var (v, inv) = VectorConstants(ctx, list, c);
            return a => DotCossim(a[0].Reshape(ctx.BatchSize, c, positions), v, inv, cossimPow);
        });
    }

    /// <summary>Lucid's per-position direction for one vector (see the list overload).</summary>
    public static Objective PerPositionDirection(VisualizationModel model, LayerRef layer, float[] vector, double multiplier = 1, float cossimPow = 0f, string? name = null) =>
        PerPositionDirection(model, layer, [vector], multiplier, cossimPow, name is null ? null : [name]);

    /// <summary>
    /// Lucid's <c>direction_neuron</c>: the per-position direction score (see
    /// <see cref="PerPositionDirection(VisualizationModel, LayerRef, IEnumerable{float[]}, double, float, IReadOnlyList{string}?)"/>)
    /// at the single position (<paramref name="x"/>, <paramref name="y"/>), the centre <c>(W / 2, H / 2)</c> by default:
    /// <c>dot(a_xy, v) * max(cos(a_xy, v), 0.1)^cossimPow</c>. One variant per vector; default names
    /// <c>"DirectionNeuron#&lt;layer&gt;_&lt;i&gt;_&lt;x&gt;_&lt;y&gt;"</c>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">Layer name or index; its shape must be [N, C, H, W].</param>
    /// <param name="vectors">Directions of C values each.</param>
    /// <param name="x">Column (default W / 2).</param>
    /// <param name="y">Row (default H / 2).</param>
    /// <param name="multiplier">Weight of this term.</param>
    /// <param name="cossimPow">Power of the floored cosine (0, Lucid's default: plain dot product).</param>
    /// <param name="names">One name per vector.</param>
    public static Objective DirectionNeuron(VisualizationModel model, LayerRef layer, IEnumerable<float[]> vectors, int? x = null, int? y = null, double multiplier = 1, float cossimPow = 0f, IReadOnlyList<string>? names = null)
    {
        var (info, shape) = Resolve(model, layer, "DirectionNeuron");
        RequireSpatial(info, shape, "DirectionNeuron");
        var list = ChannelVectors(vectors, shape, info, cossimPow, "DirectionNeuron");
        int px = x ?? shape[2] / 2, py = y ?? shape[1] / 2;
        if (px < 0 || px >= shape[2]) throw new ArgumentOutOfRangeException(nameof(x), px, $"Objective.DirectionNeuron: x {px} is out of range for layer '{info.OutputName}' of width {shape[2]}.");
        if (py < 0 || py >= shape[1]) throw new ArgumentOutOfRangeException(nameof(y), py, $"Objective.DirectionNeuron: y {py} is out of range for layer '{info.OutputName}' of height {shape[1]}.");
        var n = CheckNames(names, list.Length, "DirectionNeuron") ?? Enumerable.Range(0, list.Length).Select(i => $"DirectionNeuron#{info.OutputName}_{i}_{px}_{py}").ToArray();
        int c = shape[0];
        return FunctionTerm(model, [(info, shape)], n, CheckMultiplier(multiplier), ctx =>
        {
            var (v, inv) = VectorConstants(ctx, list, c);
            int b = ctx.BatchSize;
            return a => DotCossim(a[0].Slice([0, 0, py, px], [b, c, py + 1, px + 1]).Reshape(b, c, 1), v, inv, cossimPow);
        });
    }

    /// <summary>Lucid's direction neuron for one vector (see the list overload).</summary>
    public static Objective DirectionNeuron(VisualizationModel model, LayerRef layer, float[] vector, int? x = null, int? y = null, double multiplier = 1, float cossimPow = 0f, string? name = null) =>
        DirectionNeuron(model, layer, [vector], x, y, multiplier, cossimPow, name is null ? null : [name]);

    /// <summary>
    /// Lucid's <c>diversity</c>: the similarity of the batch's images at a layer, to be <b>subtracted</b> (as in Lucid,
    /// <c>channel - 100 * Diversity(...)</c>). Each image's Gram matrix <c>G_i = A_i A_iᵀ</c> (A_i: C x positions) is
    /// L2-normalised (<c>G / sqrt(max(|G|², 1e-10))</c>); image i's score is <c>sum_{j != i} &lt;G_i, G_j&gt; / N</c>, so
    /// the batch total is Lucid's value. One variant (it adds no images); the batch is the other terms' cartesian
    /// product, so use it with a multi-variant term or an objective repeated over several images.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">Layer name or index ([N, C, ...]).</param>
    /// <param name="multiplier">Weight of this term (Lucid's examples use -100 relative to a channel).</param>
    /// <param name="name">Default <c>"Diversity#&lt;layer&gt;"</c>.</param>
    public static Objective Diversity(VisualizationModel model, LayerRef layer, double multiplier = 1, string? name = null)
    {
        var (info, shape) = Resolve(model, layer, "Diversity");
        int c = shape[0], positions = Numel(shape) / c;
        return FunctionTerm(model, [(info, shape)], [name ?? $"Diversity#{info.OutputName}"], CheckMultiplier(multiplier), ctx =>
        {
            int b = ctx.BatchSize;
            var off = new float[b * b];
            for (int i = 0; i < b; i++)
                for (int j = 0; j < b; j++) off[i * b + j] = i == j ? 0f : 1f / b;
            var offDiagonal = ctx.Constant(off, b, b);
            return a =>
            {
                var f = a[0].Reshape(b, c, positions);
                var g = f.MatMul(f.Transpose(0, 2, 1)).Reshape(b, c * c);
                g = g.Div(g.Mul(g).Sum([1], keepDims: true).Clip(min: 1e-10f).Sqrt());
                return g.MatMul(g.Transpose(1, 0)).Mul(offDiagonal).Sum([1]);
            };
        });
    }

    /// <summary>
    /// Lucid's <c>alignment</c>: keeps neighbouring images of the batch close at a layer (for interpolations). For
    /// every pair (i, i + d), d = 1..4, the penalty <c>mean((a_i - a_{i+d})²) / decayRatio^d</c>; the score is minus the
    /// sum (Lucid's value), each pair's penalty split equally between its two images. One variant.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">Layer name or index.</param>
    /// <param name="decayRatio">How much less a pair d apart counts than one d - 1 apart (Lucid: 2).</param>
    /// <param name="multiplier">Weight of this term.</param>
    /// <param name="name">Default <c>"Alignment#&lt;layer&gt;"</c>.</param>
    public static Objective Alignment(VisualizationModel model, LayerRef layer, double decayRatio = 2, double multiplier = 1, string? name = null)
    {
        var (info, shape) = Resolve(model, layer, "Alignment");
        if (!double.IsFinite(decayRatio) || decayRatio <= 0)
            throw new ArgumentOutOfRangeException(nameof(decayRatio), decayRatio, "Objective.Alignment: decayRatio must be finite and positive.");
        int size = Numel(shape);
        return FunctionTerm(model, [(info, shape)], [name ?? $"Alignment#{info.OutputName}"], CheckMultiplier(multiplier), ctx =>
        {
            int b = ctx.BatchSize;
            var pairs = new List<(int I, int J, float W)>();
            for (int d = 1; d <= 4; d++)
                for (int i = 0; i + d < b; i++) pairs.Add((i, i + d, (float)(1 / Math.Pow(decayRatio, d))));
            if (pairs.Count == 0) return a => a[0].Reshape(b, size).Sum([1]).Mul(0f);
            int p = pairs.Count;
            var diff = new float[p * b];
            var share = new float[b * p];
            for (int k = 0; k < p; k++)
            {
                var (i, j, w) = pairs[k];
                diff[k * b + i] = 1f;
                diff[k * b + j] = -1f;
                share[i * p + k] = -0.5f * w;
                share[j * p + k] = -0.5f * w;
            }
            var difference = ctx.Constant(diff, p, b);
            var split = ctx.Constant(share, b, p);
            return a =>
            {
                var dv = difference.MatMul(a[0].Reshape(b, size));
                return split.MatMul(dv.Mul(dv).Mean([1], keepDims: true)).Reshape(b);
            };
        });
    }

    /// <summary>
    /// Lucid's <c>channel_interpolate</c>: a batch of <paramref name="steps"/> images morphing from channel
    /// <paramref name="channel1"/> of <paramref name="layer1"/> to <paramref name="channel2"/> of <paramref name="layer2"/>.
    /// Variant k (k = 0..steps-1, w = k / (steps - 1)) scores <c>(1 - w) * mean(a1[c1]) + w * mean(a2[c2])</c> (channel
    /// means over H x W). Lucid weights by the position in the whole batch; here the weight belongs to the variant, so
    /// the term follows the cartesian-batch rule (combined with another multi-variant term each weight repeats). Pair
    /// it with <see cref="Alignment"/> for smooth morphs. Default names <c>"Interpolate#&lt;l1&gt;_&lt;c1&gt;-&lt;l2&gt;_&lt;c2&gt;_&lt;k&gt;"</c>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="layer1">Layer of the first channel.</param>
    /// <param name="channel1">The first channel.</param>
    /// <param name="layer2">Layer of the second channel.</param>
    /// <param name="channel2">The second channel.</param>
    /// <param name="steps">Number of images (at least 2).</param>
    /// <param name="multiplier">Weight of this term.</param>
    /// <param name="names">One name per rendered step.</param>
    /// <param name="stepIndices">Which steps to render (default all, 0..steps-1), e.g. to split a long morph over batches.</param>
    public static Objective ChannelInterpolate(VisualizationModel model, LayerRef layer1, int channel1, LayerRef layer2, int channel2, int steps, double multiplier = 1, IReadOnlyList<string>? names = null, IEnumerable<int>? stepIndices = null)
    {
        var (info1, shape1) = Resolve(model, layer1, "ChannelInterpolate");
        var (info2, shape2) = Resolve(model, layer2, "ChannelInterpolate");
        if (channel1 < 0 || channel1 >= shape1[0]) throw new ArgumentOutOfRangeException(nameof(channel1), channel1, $"Objective.ChannelInterpolate: channel {channel1} is out of range for layer '{info1.OutputName}' with {shape1[0]} channels.");
        if (channel2 < 0 || channel2 >= shape2[0]) throw new ArgumentOutOfRangeException(nameof(channel2), channel2, $"Objective.ChannelInterpolate: channel {channel2} is out of range for layer '{info2.OutputName}' with {shape2[0]} channels.");
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Objective.ChannelInterpolate: at least 2 steps are needed.");
        var rendered = (stepIndices ?? Enumerable.Range(0, steps)).ToArray();
        if (rendered.Length == 0) throw new ArgumentException("Objective.ChannelInterpolate: no steps to render.", nameof(stepIndices));
        foreach (var k in rendered)
            if (k < 0 || k >= steps) throw new ArgumentOutOfRangeException(nameof(stepIndices), k, $"Objective.ChannelInterpolate: step {k} is outside 0..{steps - 1}.");
        var n = CheckNames(names, rendered.Length, "ChannelInterpolate")
                ?? rendered.Select(k => $"Interpolate#{info1.OutputName}_{channel1}-{info2.OutputName}_{channel2}_{k}").ToArray();
        return FunctionTerm(model, [(info1, shape1), (info2, shape2)], n, CheckMultiplier(multiplier), ctx =>
        {
            var m1 = ctx.Constant(ChannelWeights(ctx, shape1, channel1, w => 1 - w, steps, rendered), [ctx.BatchSize, .. shape1]);
            var m2 = ctx.Constant(ChannelWeights(ctx, shape2, channel2, w => w, steps, rendered), [ctx.BatchSize, .. shape2]);
            return a => a[0].Mul(m1).Sum(Enumerable.Range(1, a[0].Rank - 1).ToArray())
                .Add(a[1].Mul(m2).Sum(Enumerable.Range(1, a[1].Rank - 1).ToArray()));
        });
    }

    /// <summary>
    /// Lucid's <c>class_logit</c>: maximises the logit of the class named <paramref name="label"/> in
    /// <paramref name="labels"/> (line i of the labels file is class i - 1). One variant per label.
    /// </summary>
    /// <param name="model">The model (a classifier).</param>
    /// <param name="label">The class label.</param>
    /// <param name="labels">The model's class labels (models rarely carry them; the bundled ResNet18 has none).</param>
    /// <param name="layer">The logits layer, [N, classes] (or [N, classes, 1, 1]); default the last layer.</param>
    /// <param name="multiplier">Weight of this term.</param>
    /// <param name="name">Default <c>"Logit#&lt;label&gt;"</c>.</param>
    public static Objective ClassLogit(VisualizationModel model, string label, ClassLabels labels, LayerRef? layer = null, double multiplier = 1, string? name = null) =>
        ClassLogit(model, [label], labels, layer, multiplier, name is null ? null : [name]);

    /// <summary>Maximises the logit of each of <paramref name="labelNames"/>, one image each (see the single-label overload).</summary>
    public static Objective ClassLogit(VisualizationModel model, IEnumerable<string> labelNames, ClassLabels labels, LayerRef? layer = null, double multiplier = 1, IReadOnlyList<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(labelNames);
        ArgumentNullException.ThrowIfNull(labels);
        var l = layer ?? new LayerRef(-1);
        var (info, shape) = Resolve(model, l, "ClassLogit");
        if (Numel(shape) != labels.Count || shape.Skip(1).Any(d => d != 1))
            throw new ArgumentException($"Objective.ClassLogit: layer '{info.OutputName}' has shape [{string.Join(", ", info.Shape)}], but '{labels.Source}' has {labels.Count} labels; a logits layer [N, {labels.Count}] is needed (pass the logits layer, or the labels file of this model).", nameof(labels));
        var wanted = labelNames.ToArray();
        if (wanted.Length == 0) throw new ArgumentException("Objective.ClassLogit: no labels given.", nameof(labelNames));
        var ids = wanted.Select(labels.IndexOf).ToArray();
        return Neuron(model, l, ids, multiplier, CheckNames(names, ids.Length, "ClassLogit") ?? ids.Select(i => $"Logit#{labels[i]}").ToArray());
    }

    /// <summary>Per image, <c>weight(w_variant) / spatial</c> on the channel's positions (a channel mean when summed).</summary>
    private static float[] ChannelWeights(TermBuildContext ctx, int[] shape, int channel, Func<double, double> weight, int steps, int[] stepOfVariant)
    {
        int size = Numel(shape), spatial = size / shape[0];
        var m = new float[ctx.BatchSize * size];
        for (int i = 0; i < ctx.BatchSize; i++)
        {
            double w = (double)stepOfVariant[ctx.VariantOfImage[i]] / (steps - 1);
            m.AsSpan(i * size + channel * spatial, spatial).Fill((float)(weight(w) / spatial));
        }
        return m;
    }

    /// <summary>Lucid's <c>_dot_cossim</c> per image: mean over positions of dot * max(cos, 0.1)^pow. a: [N, C, P].</summary>
    private static Tensor DotCossim(Tensor a, Tensor v, Tensor inverseVectorNorm, float pow)
    {
        var dot = a.Mul(v).Sum([1]);
        if (pow == 0f) return dot.Mean([1]);
        var magnitude = a.Mul(a).Sum([1]).Clip(min: 1e-24f).Sqrt();
        var cos = dot.Div(magnitude.Add(LucidCosineEpsilon)).Mul(inverseVectorNorm);
        return dot.Mul(cos.Clip(min: ObjectiveLosses.CosineFloor).Pow(pow)).Mean([1]);
    }

    /// <summary>Each image's vector as [N, C, 1] and <c>1 / (1e-4 + |v|)</c> as [N, 1].</summary>
    private static (Tensor Vectors, Tensor InverseNorms) VectorConstants(TermBuildContext ctx, float[][] vectors, int c)
    {
        int b = ctx.BatchSize;
        var v = new float[b * c];
        var inv = new float[b];
        for (int i = 0; i < b; i++)
        {
            var src = vectors[ctx.VariantOfImage[i]];
            src.CopyTo(v, i * c);
            double s = 0;
            foreach (var x in src) s += (double)x * x;
            inv[i] = (float)(1 / (LucidCosineEpsilon + Math.Sqrt(s)));
        }
        return (ctx.Constant(v, b, c, 1), ctx.Constant(inv, b, 1));
    }

    private static float[][] ChannelVectors(IEnumerable<float[]> vectors, int[] shape, Onnx.LayerInfo info, float cossimPow, string op)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        if (!float.IsFinite(cossimPow) || cossimPow < 0) throw new ArgumentOutOfRangeException(nameof(cossimPow), cossimPow, $"Objective.{op}: cossimPow must be finite and >= 0.");
        var list = vectors.ToArray();
        if (list.Length == 0) throw new ArgumentException($"Objective.{op}: no vectors given.", nameof(vectors));
        for (int i = 0; i < list.Length; i++)
        {
            var v = list[i] ?? throw new ArgumentNullException(nameof(vectors), $"Objective.{op}: vector {i} is null.");
            if (v.Length != shape[0])
                throw new ArgumentException($"Objective.{op}: vector {i} has {v.Length} values; layer '{info.OutputName}' of shape [{string.Join(", ", info.Shape)}] needs {shape[0]} (one per channel).", nameof(vectors));
            if (v.Any(x => !float.IsFinite(x))) throw new ArgumentException($"Objective.{op}: vector {i} contains a non-finite value.", nameof(vectors));
            list[i] = (float[])v.Clone();
        }
        return list;
    }

    private static void RequireSpatial(Onnx.LayerInfo info, int[] shape, string op)
    {
        if (shape.Length != 3)
            throw new ArgumentException($"Objective.{op}: layer '{info.OutputName}' has shape [{string.Join(", ", info.Shape)}]; a layer of shape [N, C, H, W] is needed for a position.", "layer");
    }
}
