using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Onnx.Graph;

/// <summary>ONNX TensorProto.DataType codes that the importer understands.</summary>
internal enum ElemType
{
    Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8, Bool = 9,
    Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, Complex64 = 14, Complex128 = 15, BFloat16 = 16,
}

internal static class ElemTypes
{
    /// <summary>Floating types live in float32 tensors on the backend; the rest are host integers.</summary>
    public static bool IsFloating(ElemType t) => t is ElemType.Float or ElemType.Double or ElemType.Float16 or ElemType.BFloat16;

    public static bool IsInteger(ElemType t) => t is ElemType.UInt8 or ElemType.Int8 or ElemType.UInt16 or ElemType.Int16
        or ElemType.Int32 or ElemType.Int64 or ElemType.Bool or ElemType.UInt32 or ElemType.UInt64;

    public static bool IsSupported(ElemType t) => IsFloating(t) || IsInteger(t);

    public static string Name(ElemType t) => t.ToString().ToLowerInvariant();
}

/// <summary>
/// A value flowing through the interpreter: floating data is a <see cref="Tensor"/> on the backend (so it can carry
/// gradients); integer and boolean data (shapes, indices, masks built from shapes) stays on the host as long[] and is
/// folded at plan time.
/// </summary>
internal abstract class Value
{
    protected Value(ElemType type) => Type = type;

    public ElemType Type { get; }

    public abstract int[] Dims { get; }

    public int Rank => Dims.Length;

    public static implicit operator Value(Tensor t) => new TensorValue(t);
}

/// <summary>Floating data on the backend (float32 storage whatever the declared floating type).</summary>
internal sealed class TensorValue : Value
{
    public TensorValue(Tensor tensor, ElemType type = ElemType.Float) : base(type) => Tensor = tensor;

    private float[]? _host;

    public Tensor Tensor { get; }

    /// <summary>
    /// The values on the host, downloaded once per value (storage never changes): an initializer read as an
    /// attribute-like input (Clip bounds, Pad value, Resize scales) costs no device round trip after the first run.
    /// Callers must not modify the array.
    /// </summary>
    public float[] Host => _host ??= Tensor.ToArray();

    public override int[] Dims => Tensor.Shape.ToArray();

    public override string ToString() => $"{ElemTypes.Name(Type)}{Tensor.Shape}";
}

/// <summary>Integer or boolean data on the host.</summary>
internal sealed class HostValue : Value
{
    private readonly int[] _dims;

    public HostValue(ElemType type, int[] dims, long[] data) : base(type)
    {
        long n = 1;
        foreach (var d in dims) n *= d;
        if (n != data.Length) throw new InvalidOperationException($"HostValue: {data.Length} values for dims [{string.Join(", ", dims)}].");
        _dims = dims;
        Data = data;
    }

    public long[] Data { get; }

    public override int[] Dims => _dims;

    public static HostValue Int64(long[] data, params int[] dims) => new(ElemType.Int64, dims, data);

    public static HostValue Vector(params long[] data) => new(ElemType.Int64, [data.Length], data);

    public static HostValue Scalar(long v, ElemType type = ElemType.Int64) => new(type, [], [v]);

    public Tensor ToTensor(IBackend backend)
    {
        var f = new float[Data.Length];
        for (int i = 0; i < f.Length; i++) f[i] = Data[i];
        return Tensor.FromArray(backend, f, _dims);
    }

    private Tensor? _device;

    /// <summary>
    /// True for values the graph keeps across runs (initializers, folded constants and shape arithmetic): their
    /// device copy is made once (<see cref="DeviceTensor"/>) and freed with the graph.
    /// </summary>
    public bool IsPersistent { get; private set; }

    public void MarkPersistent() => IsPersistent = true;

    /// <summary>
    /// The value as a tensor for an op's input. A persistent value is uploaded once and the same untracked tensor is
    /// returned on every run (callers must not dispose it); any other value is uploaded into the caller's scope.
    /// </summary>
    public Tensor DeviceTensor(IBackend backend)
    {
        if (!IsPersistent) return ToTensor(backend);
        if (_device is { IsDisposed: false } d && d.Backend == backend) return d;
        return _device = Untracked.Run(() => ToTensor(backend));
    }

    /// <summary>Frees the device copy, if any.</summary>
    public void DisposeDevice()
    {
        _device?.Dispose();
        _device = null;
    }

    public override string ToString() => $"{ElemTypes.Name(Type)}[{string.Join(", ", _dims)}]";
}
