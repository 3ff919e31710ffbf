using FeatureViz.Tensors.Backends;

namespace FeatureViz.Onnx.Graph;

/// <summary>
/// The load-time fusion pass: finds Conv [+ BatchNormalization] [+ activation] chains (<see cref="ConvChain"/>) once;
/// <see cref="Execute"/> then runs each chain fused as far as the requested layers allow, so that every layer a user
/// targets still exists with the same values (within float32 rounding of the folded weights).
/// </summary>
internal sealed partial class OnnxGraph
{
    private readonly Dictionary<int, ConvChain> _chains = new();

    /// <summary>The fusable chains by the index of their Conv node (empty when fusion is off).</summary>
    internal IReadOnlyDictionary<int, ConvChain> Chains => _chains;

    /// <summary>
    /// Finds the fusable chains. A Conv qualifies when it runs per input (not folded at load), its weight is a float
    /// constant (and its bias, if any), and its output has exactly one reader and is no graph output; the next stage is
    /// a spatial inference BatchNormalization with constant [O] parameters and one output, or a Relu, Clip (constant
    /// bounds, min &lt;= max), LeakyRelu (slope &gt; 0) or HardSigmoid (alpha &gt; 0); a BatchNormalization may be followed by
    /// such an activation on the same terms.
    /// </summary>
    private void FindConvChains()
    {
        var readers = new Dictionary<string, List<GraphNode>>(StringComparer.Ordinal);
        foreach (var n in Nodes)
            foreach (var i in n.Inputs)
                if (i.Length > 0)
                {
                    if (!readers.TryGetValue(i, out var list)) readers[i] = list = new();
                    list.Add(n);
                }
        var outputs = Outputs.ToHashSet(StringComparer.Ordinal);

        GraphNode? OnlyReader(GraphNode n) =>
            n.Outputs.Length == 1 && n.Outputs[0].Length > 0 && !outputs.Contains(n.Outputs[0])
            && readers.TryGetValue(n.Outputs[0], out var r) && r.Count == 1 && r[0].Kind == NodeKind.Dynamic
            && r[0].Inputs.Length > 0 && r[0].Inputs[0] == n.Outputs[0]
            ? r[0] : null;

        foreach (var conv in Nodes)
        {
            if (conv.OpType != "Conv" || conv.Kind != NodeKind.Dynamic || conv.Inputs.Length < 2) continue;
            if (!(_constants.GetValueOrDefault(conv.Inputs[1]) is TensorValue { Type: ElemType.Float } w && w.Rank is 3 or 4 && w.Dims[0] > 0)) continue;
            int o = w.Dims[0];
            if (conv.Inputs.Length > 2 && conv.Inputs[2].Length > 0 && !IsFloatVector(conv.Inputs[2], o)) continue;
            var stages = new List<GraphNode> { conv };
            int bnStage = -1;
            float eps = 0f;
            var next = OnlyReader(conv);
            if (next is not null && BatchNormEpsilon(next, o) is { } e)
            {
                bnStage = stages.Count;
                eps = e;
                stages.Add(next);
                next = OnlyReader(next);
            }
            var epilogue = next is null ? ConvEpilogue.None : Activation(next);
            if (epilogue.Activation != ConvActivation.None) stages.Add(next!);
            if (stages.Count < 2) continue;
            _chains[conv.Index] = new ConvChain { Stages = stages.ToArray(), BatchNormStage = bnStage, Epilogue = epilogue, Epsilon = eps };
        }
    }

    private bool IsFloatVector(string name, int length) =>
        _constants.GetValueOrDefault(name) is TensorValue { Type: ElemType.Float } t && t.Rank == 1 && t.Dims[0] == length;

    /// <summary>The epsilon of a BatchNormalization that folds into a convolution with <paramref name="channels"/> outputs, or null.</summary>
    private float? BatchNormEpsilon(GraphNode bn, int channels)
    {
        if (bn.OpType != "BatchNormalization" || bn.Inputs.Length != 5 || bn.Outputs.Count(o => o.Length > 0) != 1) return null;
        var c = bn.Context;
        if (c.Opset < 9 && c.Int("spatial", 1) == 0) return null;
        if (c.Opset >= 14 && c.Int("training_mode", 0) != 0) return null;
        for (int i = 1; i < 5; i++)
            if (!IsFloatVector(bn.Inputs[i], channels)) return null;
        return c.Float("epsilon", 1e-5f);
    }

    /// <summary>The epilogue equivalent to an activation node, or <see cref="ConvEpilogue.None"/> when it is not fusable.</summary>
    private ConvEpilogue Activation(GraphNode n)
    {
        var c = n.Context;
        if (n.Outputs.Length != 1) return ConvEpilogue.None;
        var e = n.OpType switch
        {
            "Relu" => ConvEpilogue.Relu,
            "LeakyRelu" => ConvEpilogue.LeakyRelu(c.Float("alpha", 0.01f)),
            "HardSigmoid" => ConvEpilogue.HardSigmoid(c.Float("alpha", 0.2f), c.Float("beta", 0.5f)),
            "Clip" when c.Opset < 11 => ConvEpilogue.Clip(c.Float("min", float.NegativeInfinity), c.Float("max", float.PositiveInfinity)),
            "Clip" => ClipBound(n, 1, float.NegativeInfinity) is { } lo && ClipBound(n, 2, float.PositiveInfinity) is { } hi
                ? ConvEpilogue.Clip(lo, hi) : ConvEpilogue.None,
            _ => ConvEpilogue.None,
        };
        // NaN bounds or slopes, min > max (ONNX then outputs max everywhere) and non-positive slopes stay unfused.
        return e.Problem() is null && !float.IsNaN(e.Alpha) && !float.IsNaN(e.Beta) ? e : ConvEpilogue.None;
    }

    /// <summary>An opset-11+ Clip bound: absent (the default), or a constant float scalar; null when it varies.</summary>
    private float? ClipBound(GraphNode n, int input, float absent)
    {
        if (n.Inputs.Length <= input || n.Inputs[input].Length == 0) return absent;
        return _constants.GetValueOrDefault(n.Inputs[input]) is TensorValue { Type: ElemType.Float } t && t.Tensor.Numel == 1 ? t.Host[0] : null;
    }

    /// <summary>
    /// The chains that run fused for <paramref name="wanted"/>: head Conv index to the number of stages fused, and the
    /// indices of the stages folded into their head (skipped).
    /// </summary>
    private (Dictionary<int, int> Heads, HashSet<int> Folded)? PlanFusion(IReadOnlyList<string> wanted)
    {
        if (_chains.Count == 0) return null;
        var set = wanted.ToHashSet(StringComparer.Ordinal);
        var heads = new Dictionary<int, int>();
        var folded = new HashSet<int>();
        foreach (var (index, chain) in _chains)
        {
            int length = chain.FusedLength(set);
            if (length < 2) continue;
            heads[index] = length;
            for (int s = 1; s < length; s++) folded.Add(chain.Stages[s].Index);
        }
        return (heads, folded);
    }
}
