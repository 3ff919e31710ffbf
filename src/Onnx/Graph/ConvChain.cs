using FeatureViz.Onnx.Ops;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Onnx.Graph;

/// <summary>
/// A Conv node followed by an inference BatchNormalization and/or a fusable activation (Relu, Clip, LeakyRelu,
/// HardSigmoid), each stage the only reader of the previous stage's output. Any prefix of two or more stages can run
/// as one fused convolution: BatchNormalization folded into the weights and bias, the activation in the convolution's
/// epilogue (<see cref="Tensor.Conv2dActivation"/>). Which prefix runs depends on the requested layers
/// (<see cref="FusedLength"/>): a stage's output that is requested must exist, so the chain is cut after it.
/// </summary>
internal sealed class ConvChain
{
    private readonly Dictionary<int, (GraphNode Node, Dictionary<string, Value> Constants)> _variants = new();

    /// <summary>Conv, then BatchNormalization if any, then the activation if any (at least two stages).</summary>
    public required GraphNode[] Stages { get; init; }

    /// <summary>The BatchNormalization stage's position in <see cref="Stages"/>, or -1.</summary>
    public required int BatchNormStage { get; init; }

    /// <summary>The activation of the last stage, or <see cref="ConvEpilogue.None"/> when the chain ends with BatchNormalization.</summary>
    public required ConvEpilogue Epilogue { get; init; }

    /// <summary>BatchNormalization's epsilon.</summary>
    public required float Epsilon { get; init; }

    /// <summary>
    /// How many stages run fused when <paramref name="wanted"/> are requested: the longest prefix (at least 2 stages)
    /// in which no stage but the last has a requested output; 0 or 1 means the chain runs unfused.
    /// </summary>
    public int FusedLength(IReadOnlySet<string> wanted)
    {
        int length = 1;
        while (length < Stages.Length && !Stages[length - 1].Outputs.Any(wanted.Contains)) length++;
        return length >= 2 ? length : 0;
    }

    /// <summary>
    /// The node that runs the first <paramref name="length"/> stages as one convolution, with the constants it reads
    /// (folded weights and bias, computed on first use and kept: both the model's and the folded weights stay, so a
    /// later request for an intermediate layer still runs unfused).
    /// </summary>
    public (GraphNode Node, Dictionary<string, Value> Constants) Variant(int length, Func<string, Value> constant, IBackend backend)
    {
        if (_variants.TryGetValue(length, out var v)) return v;
        var conv = Stages[0];
        bool folds = BatchNormStage >= 0 && BatchNormStage < length;
        var epilogue = length == Stages.Length ? Epilogue : ConvEpilogue.None;
        var inputs = conv.Inputs.Take(3).ToArray();
        var constants = new Dictionary<string, Value>(StringComparer.Ordinal);
        if (folds)
        {
            var started = PhaseTrace.Start();
            var (w, b) = Fold(constant, backend);
            PhaseTrace.End(started, $"fold BatchNormalization into {conv.Name}");
            inputs = [conv.Inputs[0], FoldedName(conv, "W"), FoldedName(conv, "B")];
            constants[inputs[1]] = w;
            constants[inputs[2]] = b;
        }
        var node = new GraphNode
        {
            Index = conv.Index, Name = conv.Name, OpType = conv.OpType, Context = conv.Context,
            Kernel = ConvHandlers.Conv(conv.Context, epilogue), Inputs = inputs, Outputs = [Stages[length - 1].Outputs[0]],
            Kind = NodeKind.Dynamic,
        };
        return _variants[length] = (node, constants);
    }

    /// <summary>Frees the folded constants.</summary>
    public void Dispose()
    {
        foreach (var (_, constants) in _variants.Values)
            foreach (var c in constants.Values) (c as TensorValue)?.Tensor.Dispose();
        _variants.Clear();
    }

    // A name no ONNX tensor can collide with in the fused node's private lookup.
    private static string FoldedName(GraphNode conv, string what) => $"\0folded {what} of {conv.Name}";

    /// <summary>
    /// W' = s W and b' = s (b - mean) + beta per output channel, with s = gamma / sqrt(var + eps), computed in double and
    /// rounded once (as ONNX Runtime's ConvBNFusion does, but in double).
    /// </summary>
    private (Value W, Value B) Fold(Func<string, Value> constant, IBackend backend)
    {
        var conv = Stages[0];
        var bn = Stages[BatchNormStage];
        var w = (TensorValue)constant(conv.Inputs[1]);
        float[]? bias = conv.Inputs.Length > 2 && conv.Inputs[2].Length > 0 ? ((TensorValue)constant(conv.Inputs[2])).Host : null;
        float[] gamma = Host(1), beta = Host(2), mean = Host(3), variance = Host(4);
        var wv = w.Host;
        int o = w.Dims[0], per = o == 0 ? 0 : wv.Length / o;
        var folded = new float[wv.Length];
        var shift = new float[o];
        for (int c = 0; c < o; c++)
        {
            double s = gamma[c] / Math.Sqrt((double)variance[c] + Epsilon);
            for (int i = 0; i < per; i++) folded[c * per + i] = (float)(s * wv[c * per + i]);
            shift[c] = (float)(s * ((bias?[c] ?? 0.0) - mean[c]) + beta[c]);
        }
        using var _ = GradMode.NoGrad();
        return Untracked.Run(() => ((Value)new TensorValue(Tensor.FromArray(backend, folded, w.Dims)), (Value)new TensorValue(Tensor.FromArray(backend, shift, o))));

        float[] Host(int input) => ((TensorValue)constant(bn.Inputs[input])).Host;
    }
}
