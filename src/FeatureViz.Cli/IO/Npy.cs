using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using FeatureViz.Tensors.IO;

namespace FeatureViz.Cli.IO;

/// <summary>Element types a <c>.npy</c> file may hold that <see cref="Npy"/> reads.</summary>
public enum NpyDType
{
    /// <summary>Little-endian 32-bit float (<c>&lt;f4</c>).</summary>
    Float32,

    /// <summary>Little-endian 64-bit float (<c>&lt;f8</c>).</summary>
    Float64,

    /// <summary>Little-endian 32-bit signed integer (<c>&lt;i4</c>).</summary>
    Int32,

    /// <summary>Little-endian 64-bit signed integer (<c>&lt;i8</c>).</summary>
    Int64,
}

/// <summary>A dense C-order array read from a <c>.npy</c> file, converted to float32.</summary>
/// <param name="DType">The element type stored in the file (before conversion).</param>
/// <param name="Shape">The array's dimensions (empty for a 0-d array).</param>
/// <param name="Data">The elements in C (row-major) order, converted to float32.</param>
public sealed record NpyArray(NpyDType DType, int[] Shape, float[] Data);

/// <summary>A <c>.npy</c> file that is malformed or uses a layout this reader does not support.</summary>
public sealed class NpyFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NpyFormatException(string message) : base(message) { }
}

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0): the magic string <c>\x93NUMPY</c>,
/// a major and minor version byte, a little-endian header length (2 bytes in 1.0, 4 bytes in 2.0/3.0), then an ASCII
/// (UTF-8 in 3.0) Python dict literal with the keys <c>descr</c>, <c>fortran_order</c> and <c>shape</c>, padded with
/// spaces and a final newline so that the data starts at a multiple of 64 bytes.
/// </summary>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The default limit on the size of a file (and of the data a header announces): 1 GiB.</summary>
    public const long DefaultMaxBytes = 1L << 30;

    /// <summary>The longest header accepted (NumPy itself refuses headers over 10,000 bytes by default).</summary>
    public const int MaxHeaderBytes = 1 << 16;

    /// <summary>
    /// Reads a file; float64, int32 and int64 elements are converted to float32. Only a regular file of at most
    /// <paramref name="maxBytes"/> bytes is read (never a device, FIFO or folder), and its size must be exactly the
    /// header plus the data its shape needs.
    /// </summary>
    /// <exception cref="NpyFormatException">The file is not a supported <c>.npy</c> file; the message says why.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException">The file is not a regular file, is empty, or is larger than <paramref name="maxBytes"/>.</exception>
    public static NpyArray Read(string path, long maxBytes = DefaultMaxBytes)
    {
        using var stream = UserFile.OpenRead(path, maxBytes, ".npy file");
        try
        {
            var array = Read(stream, maxBytes);
            if (stream.Position != stream.Length)
                throw new NpyFormatException($"{stream.Length - stream.Position} bytes follow the data of shape ({string.Join(", ", array.Shape)}): the file is not one array.");
            return array;
        }
        catch (NpyFormatException e)
        {
            throw new NpyFormatException($"{path}: {e.Message}");
        }
    }

    /// <summary>
    /// Reads an array from a stream positioned at the magic string. The data may hold at most
    /// <paramref name="maxBytes"/> bytes; on a seekable stream, a shape larger than what remains is refused before
    /// anything is allocated.
    /// </summary>
    /// <exception cref="NpyFormatException">The data is not a supported <c>.npy</c> array; the message says why.</exception>
    public static NpyArray Read(Stream stream, long maxBytes = DefaultMaxBytes)
    {
        var prefix = new byte[8];
        ReadExactly(stream, prefix, "the magic string and version");
        if (!prefix.AsSpan(0, 6).SequenceEqual(Magic))
            throw new NpyFormatException("not a .npy file (missing the \\x93NUMPY magic string).");
        int major = prefix[6], minor = prefix[7];
        int headerLength;
        if (major == 1)
        {
            var len = new byte[2];
            ReadExactly(stream, len, "the header length");
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(len);
        }
        else if (major is 2 or 3)
        {
            var len = new byte[4];
            ReadExactly(stream, len, "the header length");
            uint l = BinaryPrimitives.ReadUInt32LittleEndian(len);
            if (l > MaxHeaderBytes) throw new NpyFormatException($"header length {l} is too large (at most {MaxHeaderBytes} bytes).");
            headerLength = (int)l;
        }
        else
        {
            throw new NpyFormatException($"unsupported format version {major}.{minor} (supported: 1.0, 2.0, 3.0).");
        }

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, "the header");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (descr, fortran, shape) = ParseHeader(header);
        if (fortran)
            throw new NpyFormatException("fortran_order is True: only C-order arrays are supported (save with np.ascontiguousarray).");
        var dtype = ParseDescr(descr);

        int size = dtype switch { NpyDType.Float32 or NpyDType.Int32 => 4, _ => 8 };
        long count = 1;
        foreach (int d in shape)
        {
            // Bounded before multiplying: no overflow, and nothing is allocated for a shape the data cannot fill.
            if (d != 0 && count > Math.Min(Array.MaxLength, maxBytes / size) / d)
                throw new NpyFormatException($"shape ({string.Join(", ", shape)}) of {descr} needs more than {Math.Min((long)Array.MaxLength * size, maxBytes)} bytes, the limit.");
            count *= d;
        }
        if (stream.CanSeek && stream.Length - stream.Position < count * size)
            throw new NpyFormatException($"file ends inside the data: shape ({string.Join(", ", shape)}) of {descr} needs {count * size} bytes, but only {stream.Length - stream.Position} follow the header.");
        var raw = new byte[count * size];
        ReadExactly(stream, raw, $"the data ({count} elements of {descr})");
        var data = new float[count];
        var span = raw.AsSpan();
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = dtype switch
            {
                NpyDType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(span.Slice(i * 4)),
                NpyDType.Float64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(span.Slice(i * 8)),
                NpyDType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(span.Slice(i * 4)),
                _ => BinaryPrimitives.ReadInt64LittleEndian(span.Slice(i * 8)),
            };
        }
        return new NpyArray(dtype, shape, data);
    }

    /// <summary>Writes a float32 C-order array as a version 1.0 little-endian <c>.npy</c> file.</summary>
    /// <exception cref="ArgumentException">The data length differs from the product of <paramref name="shape"/>.</exception>
    public static void Write(string path, ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        using var stream = File.Create(path);
        Write(stream, data, shape);
    }

    /// <summary>Writes a float32 C-order array as a version 1.0 little-endian <c>.npy</c> file to a stream.</summary>
    /// <exception cref="ArgumentException">The data length differs from the product of <paramref name="shape"/>.</exception>
    public static void Write(Stream stream, ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Npy.Write: negative dimension in shape [{string.Join(", ", shape.ToArray())}].", nameof(shape));
            count *= d;
        }
        if (count != data.Length)
            throw new ArgumentException($"Npy.Write: {data.Length} elements do not fill shape [{string.Join(", ", shape.ToArray())}] ({count} elements).", nameof(data));
        stream.Write(Header(shape));
        var buffer = new byte[4 * Math.Min(data.Length, 16384)];
        for (int start = 0; start < data.Length; start += buffer.Length / 4)
        {
            int n = Math.Min(buffer.Length / 4, data.Length - start);
            for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4), data[start + i]);
            stream.Write(buffer, 0, n * 4);
        }
    }

    /// <summary>The version 1.0 header (magic, version, length, dict, padding) for a float32 C-order array.</summary>
    internal static byte[] Header(ReadOnlySpan<int> shape)
    {
        var dims = shape.ToArray();
        string shapeText = dims.Length == 1 ? $"({dims[0]},)" : "(" + string.Join(", ", dims) + ")";
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
        int unpadded = 10 + dict.Length + 1;
        int padded = (unpadded + 63) / 64 * 64;
        string text = dict + new string(' ', padded - unpadded) + "\n";
        var result = new byte[padded];
        Magic.CopyTo(result, 0);
        result[6] = 1;
        result[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), checked((ushort)text.Length));
        Encoding.ASCII.GetBytes(text, 0, text.Length, result, 10);
        return result;
    }

    private static NpyDType ParseDescr(string descr)
    {
        if (descr.Length >= 2 && descr[0] == '>' && descr != ">u1" && descr != ">i1")
            throw new NpyFormatException($"dtype '{descr}' is big-endian: only little-endian data is supported (convert with arr.astype('<f4')).");
        return descr switch
        {
            "<f4" => NpyDType.Float32,
            "<f8" => NpyDType.Float64,
            "<i4" => NpyDType.Int32,
            "<i8" => NpyDType.Int64,
            _ => throw new NpyFormatException($"dtype '{descr}' is not supported (supported: <f4, <f8, <i4, <i8)."),
        };
    }

    private static (string Descr, bool Fortran, int[] Shape) ParseHeader(string header)
    {
        var p = new DictParser(header);
        string? descr = null;
        bool? fortran = null;
        int[]? shape = null;
        p.Expect('{');
        while (true)
        {
            p.SkipSpace();
            if (p.TryConsume('}')) break;
            string key = p.ReadString();
            p.Expect(':');
            p.SkipSpace();
            switch (key)
            {
                case "descr": descr = p.ReadString(); break;
                case "fortran_order": fortran = p.ReadBool(); break;
                case "shape": shape = p.ReadShape(); break;
                default: throw new NpyFormatException($"unexpected header key '{key}'.");
            }
            p.SkipSpace();
            if (p.TryConsume(',')) continue;
            p.Expect('}');
            break;
        }
        if (descr is null || fortran is null || shape is null)
            throw new NpyFormatException($"header lacks {(descr is null ? "'descr'" : fortran is null ? "'fortran_order'" : "'shape'")}: {header.Trim()}");
        return (descr, fortran.Value, shape);
    }

    private static void ReadExactly(Stream stream, byte[] buffer, string what)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0) throw new NpyFormatException($"file ends inside {what} ({read} of {buffer.Length} bytes).");
            read += n;
        }
    }

    /// <summary>A tiny parser for the Python dict literal of the header.</summary>
    private ref struct DictParser(string text)
    {
        private readonly string _text = text;
        private int _pos;

        public void SkipSpace()
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
        }

        public bool TryConsume(char c)
        {
            SkipSpace();
            if (_pos < _text.Length && _text[_pos] == c)
            {
                _pos++;
                return true;
            }
            return false;
        }

        public void Expect(char c)
        {
            if (!TryConsume(c))
                throw new NpyFormatException($"malformed header at offset {_pos}: expected '{c}' in {_text.Trim()}");
        }

        public string ReadString()
        {
            SkipSpace();
            if (_pos >= _text.Length || (_text[_pos] != '\'' && _text[_pos] != '"'))
                throw new NpyFormatException($"malformed header at offset {_pos}: expected a quoted string in {_text.Trim()}");
            char quote = _text[_pos++];
            int end = _text.IndexOf(quote, _pos);
            if (end < 0) throw new NpyFormatException($"malformed header: unterminated string in {_text.Trim()}");
            string s = _text[_pos..end];
            _pos = end + 1;
            return s;
        }

        public bool ReadBool()
        {
            SkipSpace();
            if (string.CompareOrdinal(_text, _pos, "True", 0, 4) == 0) { _pos += 4; return true; }
            if (string.CompareOrdinal(_text, _pos, "False", 0, 5) == 0) { _pos += 5; return false; }
            throw new NpyFormatException($"malformed header at offset {_pos}: expected True or False in {_text.Trim()}");
        }

        public int[] ReadShape()
        {
            Expect('(');
            var dims = new List<int>();
            while (true)
            {
                SkipSpace();
                if (TryConsume(')')) break;
                int start = _pos;
                while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos])) _pos++;
                if (_pos < _text.Length && _text[_pos] == 'L') _pos++; // Python 2 long suffix
                string digits = _text[start.._pos].TrimEnd('L');
                if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int d))
                    throw new NpyFormatException($"malformed header at offset {start}: expected a dimension in {_text.Trim()}");
                dims.Add(d);
                if (TryConsume(',')) continue;
                Expect(')');
                break;
            }
            return [.. dims];
        }
    }
}
