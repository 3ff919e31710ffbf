using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Onnx.Ops;

/// <summary>The inputs of one node execution, with conversions between host integers and backend tensors.</summary>
internal sealed class Args(Value?[] inputs, IBackend backend, NodeContext node)
{
    public IBackend Backend => backend;
    public NodeContext Node => node;
    public int Count => inputs.Length;

    public bool Has(int i) => i < inputs.Length && inputs[i] is not null;

    public Value Value(int i) => Has(i) ? inputs[i]! : throw node.Fail($"input {i} is required");

    public int[] Dims(int i) => Value(i).Dims;

    public int Rank(int i) => Value(i).Rank;

    public bool IsHost(int i) => Value(i) is HostValue;

    /// <summary>The input as a float tensor (host integers are converted).</summary>
    public Tensor Tensor(int i) => Value(i) is TensorValue or HostValue ? Tensor(Value(i)!) : throw node.Fail($"input {i} has an unsupported type");

    /// <summary>A value as a tensor on the node's backend (host values are uploaded; persistent ones once).</summary>
    public Tensor Tensor(Value v) => v switch
    {
        TensorValue t => t.Tensor,
        HostValue h => h.DeviceTensor(backend),
        _ => throw node.Fail("a value has an unsupported type"),
    };

    public Tensor? TensorOrNull(int i) => Has(i) ? Tensor(i) : null;

    /// <summary>The input's values as host integers (floating data is truncated toward zero).</summary>
    public long[] Longs(int i) => Value(i) switch
    {
        HostValue h => h.Data,
        TensorValue t => t.Host.Select(v => float.IsNaN(v) ? 0L : (long)Math.Clamp((double)v, long.MinValue, long.MaxValue)).ToArray(),
        _ => throw node.Fail($"input {i} has an unsupported type"),
    };

    public long[]? LongsOrNull(int i) => Has(i) ? Longs(i) : null;

    public float[] Floats(int i) => Value(i) switch
    {
        TensorValue t => (float[])t.Host.Clone(),
        HostValue h => h.Data.Select(v => (float)v).ToArray(),
        _ => throw node.Fail($"input {i} has an unsupported type"),
    };

    public float? ScalarOrNull(int i)
    {
        if (!Has(i)) return null;
        var f = Floats(i);
        if (f.Length != 1) throw node.Fail($"input {i} must hold one value, not {f.Length}");
        return f[0];
    }

    public OnnxImportException Fail(string message) => node.Fail(message);
}
