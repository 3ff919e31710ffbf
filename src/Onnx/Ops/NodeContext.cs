using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors.Backends;
using Onnx;

namespace FeatureViz.Onnx.Ops;

/// <summary>
/// What an op handler sees at load time: the node, the opset, and typed attribute getters that take the spec
/// default. Every attribute must be read by the handler; <see cref="CheckAllRead"/> rejects the rest, so an
/// attribute we do not implement is never silently ignored.
/// </summary>
internal sealed class NodeContext
{
    private readonly NodeProto _node;
    private readonly Dictionary<string, AttributeProto> _attrs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public NodeContext(NodeProto node, string displayName, int opset, IBackend backend, long maxElements)
    {
        _node = node;
        NodeName = displayName;
        Opset = opset;
        Backend = backend;
        MaxElements = maxElements;
        foreach (var a in node.Attribute)
        {
            if (!_attrs.TryAdd(a.Name, a)) throw Fail($"attribute '{a.Name}' appears twice");
        }
        // consumed_inputs, a memory hint of the ops revised at opsets 5 and 6, changes no result.
        if (opset < 6) _read.Add("consumed_inputs");
    }

    public string NodeName { get; }
    public string OpType => _node.OpType;
    public int Opset { get; }
    public IBackend Backend { get; }
    public long MaxElements { get; }

    public int OutputCount => _node.Output.Count;

    public bool HasOutput(int i) => i < _node.Output.Count && _node.Output[i].Length > 0;

    public OnnxImportException Fail(string message) => new($"Node '{NodeName}' ({OpType}, opset {Opset}): {message}.");

    public bool Has(string name) => _attrs.ContainsKey(name);

    private AttributeProto? Get(string name, AttributeProto.Types.AttributeType type)
    {
        _read.Add(name);
        if (!_attrs.TryGetValue(name, out var a)) return null;
        // Old exporters sometimes omit the type field; accept it when the payload matches.
        if (a.Type != type && a.Type != AttributeProto.Types.AttributeType.Undefined)
            throw Fail($"attribute '{name}' is {a.Type}, expected {type}");
        return a;
    }

    public long Int(string name, long @default) => Get(name, AttributeProto.Types.AttributeType.Int)?.I ?? @default;

    public long? IntOrNull(string name) => Get(name, AttributeProto.Types.AttributeType.Int)?.I;

    public float Float(string name, float @default) => Get(name, AttributeProto.Types.AttributeType.Float)?.F ?? @default;

    public float? FloatOrNull(string name) => Get(name, AttributeProto.Types.AttributeType.Float)?.F;

    public string String(string name, string @default) => Get(name, AttributeProto.Types.AttributeType.String)?.S.ToStringUtf8() ?? @default;

    public long[]? Ints(string name) => Get(name, AttributeProto.Types.AttributeType.Ints)?.Ints.ToArray();

    public long[] Ints(string name, long[] @default) => Ints(name) ?? @default;

    public float[]? Floats(string name) => Get(name, AttributeProto.Types.AttributeType.Floats)?.Floats.ToArray();

    public TensorProto? TensorAttr(string name) => Get(name, AttributeProto.Types.AttributeType.Tensor)?.T;

    /// <summary>Marks an attribute as consumed without using it (e.g. momentum in inference-only BatchNorm).</summary>
    public void Ignore(params string[] names)
    {
        foreach (var n in names) _read.Add(n);
    }

    /// <summary>Reads an int attribute and requires it to be one of <paramref name="allowed"/>.</summary>
    public long IntIn(string name, long @default, params long[] allowed)
    {
        var v = Int(name, @default);
        if (Array.IndexOf(allowed, v) < 0) throw Fail($"attribute {name}={v} is not supported (supported: {string.Join(", ", allowed)})");
        return v;
    }

    /// <summary>Reads a string attribute and requires it to be one of <paramref name="allowed"/>.</summary>
    public string StringIn(string name, string @default, params string[] allowed)
    {
        var v = String(name, @default);
        if (Array.IndexOf(allowed, v) < 0) throw Fail($"attribute {name}=\"{v}\" is not supported (supported: {string.Join(", ", allowed)})");
        return v;
    }

    public void CheckAllRead()
    {
        foreach (var name in _attrs.Keys)
            if (!_read.Contains(name)) throw Fail($"attribute '{name}' is not supported by this importer");
    }
}
