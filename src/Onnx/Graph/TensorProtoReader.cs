using System.Buffers.Binary;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;
using Onnx;

namespace FeatureViz.Onnx.Graph;

/// <summary>
/// Decodes TensorProto (initializers, Constant attributes, test data) into <see cref="Value"/>s. Dims are checked
/// before anything is allocated, data must match them exactly, and external data is read only from files inside the
/// model's directory.
/// </summary>
internal static class TensorProtoReader
{
    public static int[] CheckedDims(IList<long> dims, string what, long maxElements)
    {
        var d = new int[dims.Count];
        long n = 1;
        for (int i = 0; i < d.Length; i++)
        {
            long v = dims[i];
            if (v < 0) throw new OnnxImportException($"{what}: dimension {i} is negative ({v}) in [{string.Join(", ", dims)}].");
            if (v > int.MaxValue) throw new OnnxImportException($"{what}: dimension {i} ({v}) is too large in [{string.Join(", ", dims)}].");
            d[i] = (int)v;
            if (v != 0 && n > long.MaxValue / v) n = long.MaxValue;
            else n *= v;
        }
        if (n > maxElements)
            throw new OnnxImportException($"{what}: dims [{string.Join(", ", dims)}] hold {(n == long.MaxValue ? "more than 2^63" : n.ToString())} elements, more than the limit of {maxElements}.");
        return d;
    }

    public static Value Read(TensorProto t, IBackend backend, string? modelDirectory, long maxElements, string what)
    {
        var type = (ElemType)t.DataType;
        what = $"{what} '{t.Name}'";
        if (!ElemTypes.IsSupported(type))
            throw new OnnxImportException($"{what}: data type {type} ({t.DataType}) is not supported (float, double, float16, bfloat16, integers and bool are).");
        var dims = CheckedDims(t.Dims, what, maxElements);
        int n = 1;
        foreach (var d in dims) n *= d;

        ReadOnlySpan<byte> raw = default;
        bool hasRaw = false;
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            raw = ReadExternal(t, modelDirectory, what, (long)n * ByteSize(type));
            hasRaw = true;
        }
        else if (!t.RawData.IsEmpty)
        {
            raw = t.RawData.Span;
            hasRaw = true;
        }

        if (ElemTypes.IsFloating(type))
        {
            var f = hasRaw ? FloatsFromRaw(raw, type, n, what) : FloatsFromFields(t, type, n, what);
            return new TensorValue(Tensor.FromArray(backend, f, dims), type);
        }
        var l = hasRaw ? LongsFromRaw(raw, type, n, what) : LongsFromFields(t, type, n, what);
        return new HostValue(type, dims, l);
    }

    public static int ByteSize(ElemType t) => t switch
    {
        ElemType.Float or ElemType.Int32 or ElemType.UInt32 => 4,
        ElemType.Double or ElemType.Int64 or ElemType.UInt64 => 8,
        ElemType.Float16 or ElemType.BFloat16 or ElemType.Int16 or ElemType.UInt16 => 2,
        _ => 1,
    };

    private static void CheckCount(long have, int n, string what, string field)
    {
        if (have != n) throw new OnnxImportException($"{what}: {field} holds {have} values but the dims need {n}.");
    }

    private static float[] FloatsFromRaw(ReadOnlySpan<byte> raw, ElemType type, int n, string what)
    {
        int size = ByteSize(type);
        CheckCount(raw.Length / size, n, what, "raw_data");
        if (raw.Length % size != 0) throw new OnnxImportException($"{what}: raw_data has {raw.Length} bytes, not a multiple of {size}.");
        var f = new float[n];
        for (int i = 0; i < n; i++)
        {
            var b = raw.Slice(i * size, size);
            f[i] = type switch
            {
                ElemType.Float => BinaryPrimitives.ReadSingleLittleEndian(b),
                ElemType.Double => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
                ElemType.Float16 => (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(b)),
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16),
            };
        }
        return f;
    }

    private static float[] FloatsFromFields(TensorProto t, ElemType type, int n, string what)
    {
        var f = new float[n];
        switch (type)
        {
            case ElemType.Float:
                CheckCount(t.FloatData.Count, n, what, "float_data");
                t.FloatData.CopyTo(f, 0);
                break;
            case ElemType.Double:
                CheckCount(t.DoubleData.Count, n, what, "double_data");
                for (int i = 0; i < n; i++) f[i] = (float)t.DoubleData[i];
                break;
            case ElemType.Float16:
                CheckCount(t.Int32Data.Count, n, what, "int32_data");
                for (int i = 0; i < n; i++) f[i] = (float)BitConverter.UInt16BitsToHalf((ushort)t.Int32Data[i]);
                break;
            default:
                CheckCount(t.Int32Data.Count, n, what, "int32_data");
                for (int i = 0; i < n; i++) f[i] = BitConverter.Int32BitsToSingle((t.Int32Data[i] & 0xFFFF) << 16);
                break;
        }
        return f;
    }

    private static long[] LongsFromRaw(ReadOnlySpan<byte> raw, ElemType type, int n, string what)
    {
        int size = ByteSize(type);
        if (raw.Length % size != 0) throw new OnnxImportException($"{what}: raw_data has {raw.Length} bytes, not a multiple of {size}.");
        CheckCount(raw.Length / size, n, what, "raw_data");
        var l = new long[n];
        for (int i = 0; i < n; i++)
        {
            var b = raw.Slice(i * size, size);
            l[i] = type switch
            {
                ElemType.Int64 or ElemType.UInt64 => BinaryPrimitives.ReadInt64LittleEndian(b),
                ElemType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b),
                ElemType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
                ElemType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(b),
                ElemType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
                ElemType.Int8 => (sbyte)b[0],
                ElemType.Bool => b[0] != 0 ? 1 : 0,
                _ => b[0],
            };
        }
        return l;
    }

    private static long[] LongsFromFields(TensorProto t, ElemType type, int n, string what)
    {
        var l = new long[n];
        switch (type)
        {
            case ElemType.Int64:
                CheckCount(t.Int64Data.Count, n, what, "int64_data");
                t.Int64Data.CopyTo(l, 0);
                break;
            case ElemType.UInt32 or ElemType.UInt64:
                CheckCount(t.Uint64Data.Count, n, what, "uint64_data");
                for (int i = 0; i < n; i++) l[i] = (long)t.Uint64Data[i];
                break;
            default:
                CheckCount(t.Int32Data.Count, n, what, "int32_data");
                for (int i = 0; i < n; i++) l[i] = type == ElemType.Bool ? (t.Int32Data[i] != 0 ? 1 : 0) : t.Int32Data[i];
                break;
        }
        return l;
    }

    private static byte[] ReadExternal(TensorProto t, string? modelDirectory, string what, long expectedBytes)
    {
        if (modelDirectory is null)
            throw new OnnxImportException($"{what}: uses external data, which needs a model loaded from a file (there is no directory to read it from).");
        string? location = null;
        long offset = 0, length = -1;
        foreach (var kv in t.ExternalData)
        {
            switch (kv.Key)
            {
                case "location": location = kv.Value; break;
                case "offset": if (!long.TryParse(kv.Value, out offset) || offset < 0) throw new OnnxImportException($"{what}: bad external data offset '{kv.Value}'."); break;
                case "length": if (!long.TryParse(kv.Value, out length) || length < 0) throw new OnnxImportException($"{what}: bad external data length '{kv.Value}'."); break;
                case "checksum": break;
                default: throw new OnnxImportException($"{what}: unknown external data key '{kv.Key}'.");
            }
        }
        if (string.IsNullOrEmpty(location)) throw new OnnxImportException($"{what}: external data without a location.");
        if (location.Any(char.IsControl))
            throw new OnnxImportException($"{what}: external data location '{location.Replace("\0", "\\0")}' contains a control character.");
        if (Path.IsPathRooted(location) || location.Split('/', '\\').Contains(".."))
            throw new OnnxImportException($"{what}: external data location '{location}' must be a relative path inside the model's directory.");
        if (length >= 0 && length != expectedBytes)
            throw new OnnxImportException($"{what}: external data length {length} does not match the {expectedBytes} bytes the dims need.");
        if (expectedBytes > Array.MaxLength)
            throw new OnnxImportException($"{what}: external data of {expectedBytes} bytes is more than one tensor can hold.");
        try
        {
            var dir = Path.GetFullPath(modelDirectory);
            var full = Path.GetFullPath(Path.Combine(dir, location));
            if (!full.StartsWith(dir.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new OnnxImportException($"{what}: external data location '{location}' leaves the model's directory.");
            if (!File.Exists(full)) throw new OnnxImportException($"{what}: external data file '{location}' does not exist.");
            using var fs = File.OpenRead(full);
            // Written as a subtraction: offset + expectedBytes overflows for offsets near 2^63.
            if (expectedBytes > fs.Length || offset > fs.Length - expectedBytes)
                throw new OnnxImportException($"{what}: external data file '{location}' has {fs.Length} bytes; offset {offset} + {expectedBytes} bytes needed.");
            var buf = new byte[expectedBytes];
            fs.Seek(offset, SeekOrigin.Begin);
            fs.ReadExactly(buf);
            return buf;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new OnnxImportException($"{what}: external data file '{location}' cannot be read: {e.Message}", e);
        }
    }
}
