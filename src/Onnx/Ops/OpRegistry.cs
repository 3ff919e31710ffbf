using FeatureViz.Onnx.Graph;

namespace FeatureViz.Onnx.Ops;

/// <summary>Runs one node: maps input values to output values (one per declared output, null for absent optional ones).</summary>
internal delegate Value?[] Kernel(Args a);

/// <summary>Binds a node at load time: reads (and validates) its attributes, returns the kernel that runs it.</summary>
internal delegate Kernel OpFactory(NodeContext c);

/// <summary>
/// Op type to handler, selected by opset: the entry with the largest "since" version not above the model's opset
/// (tinygrad's _select_op). Handlers are registered by family in the Ops/*Handlers.cs files.
/// </summary>
internal sealed class OpRegistry
{
    private readonly Dictionary<string, List<(int Since, OpFactory Factory)>> _ops = new(StringComparer.Ordinal);

    public static OpRegistry Default { get; } = Create();

    /// <summary>The oldest and newest default-domain opsets the importer accepts.</summary>
    public const int MinOpset = 1, MaxOpset = 25;

    private static OpRegistry Create()
    {
        var r = new OpRegistry();
        ElementwiseHandlers.Register(r);
        ConvHandlers.Register(r);
        MatMulHandlers.Register(r);
        PoolHandlers.Register(r);
        NormHandlers.Register(r);
        MovementHandlers.Register(r);
        ShapeHandlers.Register(r);
        ConstantHandlers.Register(r);
        ReduceHandlers.Register(r);
        ResizeHandlers.Register(r);
        ExtraActivationHandlers.Register(r);
        DiscreteHandlers.Register(r);
        return r;
    }

    public void Add(string opType, int since, OpFactory factory)
    {
        if (!_ops.TryGetValue(opType, out var list)) _ops[opType] = list = new();
        list.Add((since, factory));
        list.Sort((a, b) => a.Since.CompareTo(b.Since));
    }

    /// <summary>Registers a handler whose kernel needs no attributes.</summary>
    public void Add(string opType, int since, Kernel kernel) => Add(opType, since, _ => kernel);

    public IEnumerable<string> OpTypes => _ops.Keys.Order(StringComparer.Ordinal);

    public bool Knows(string opType) => _ops.ContainsKey(opType);

    public OpFactory? Find(string opType, int opset)
    {
        if (!_ops.TryGetValue(opType, out var list)) return null;
        OpFactory? best = null;
        foreach (var (since, f) in list) if (since <= opset) best = f;
        return best;
    }

    public int[] Versions(string opType) => _ops.TryGetValue(opType, out var l) ? l.Select(e => e.Since).ToArray() : [];
}
