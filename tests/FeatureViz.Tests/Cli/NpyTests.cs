using System.Buffers.Binary;
using System.Text;
using FeatureViz.Cli.IO;

namespace FeatureViz.Tests.Cli;

/// <summary>The .npy reader/writer against byte arrays built by hand from the NumPy format specification.</summary>
public class NpyTests
{
    /// <summary>magic, version, little-endian header length (2 bytes in v1, 4 in v2/v3), header padded with spaces and '\n' to 64 bytes.</summary>
    internal static byte[] Build(string dict, byte[] data, int major = 1)
    {
        int lenBytes = major == 1 ? 2 : 4;
        int prefix = 6 + 2 + lenBytes;
        int total = prefix + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.Add((byte)major);
        bytes.Add(0);
        if (major == 1) bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        else bytes.AddRange(BitConverter.GetBytes((uint)header.Length));
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(data);
        return [.. bytes];
    }

    internal static byte[] F32(params float[] v)
    {
        var b = new byte[v.Length * 4];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(i * 4), v[i]);
        return b;
    }

    private static NpyArray Read(byte[] bytes) => Npy.Read(new MemoryStream(bytes));

    [Fact]
    public void ReadsFloat32Version1()
    {
        var a = Read(Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", F32(1, 2, 3, 4, 5, -6.5f)));
        Assert.Equal(NpyDType.Float32, a.DType);
        Assert.Equal([2, 3], a.Shape);
        Assert.Equal([1f, 2, 3, 4, 5, -6.5f], a.Data);
    }

    [Fact]
    public void ReadsVersion2WithFourByteHeaderLength()
    {
        var a = Read(Build("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", F32(7, 8, 9), major: 2));
        Assert.Equal([3], a.Shape);
        Assert.Equal([7f, 8, 9], a.Data);
    }

    [Fact]
    public void ReadsFloat64Int64AndInt32AsFloat32()
    {
        var d = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(d, 0.25);
        BinaryPrimitives.WriteDoubleLittleEndian(d.AsSpan(8), -3e10);
        var f64 = Read(Build("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", d));
        Assert.Equal(NpyDType.Float64, f64.DType);
        Assert.Equal([0.25f, -3e10f], f64.Data);

        var l = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(l, -7);
        BinaryPrimitives.WriteInt64LittleEndian(l.AsSpan(8), 123456);
        var i64 = Read(Build("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }", l));
        Assert.Equal(NpyDType.Int64, i64.DType);
        Assert.Equal([-7f, 123456f], i64.Data);

        var i = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(i, 42);
        BinaryPrimitives.WriteInt32LittleEndian(i.AsSpan(4), -1);
        var i32 = Read(Build("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", i));
        Assert.Equal([42f, -1f], i32.Data);
    }

    [Fact]
    public void ReadsScalarAndKeysInAnyOrderWithDoubleQuotes()
    {
        var a = Read(Build("{\"shape\": (), \"fortran_order\": False, \"descr\": \"<f4\"}", F32(3.5f)));
        Assert.Empty(a.Shape);
        Assert.Equal([3.5f], a.Data);
    }

    [Fact]
    public void RejectsFortranOrder()
    {
        var e = Assert.Throws<NpyFormatException>(() => Read(Build("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", F32(1, 2, 3, 4))));
        Assert.Contains("fortran_order", e.Message);
    }

    [Fact]
    public void RejectsBigEndian()
    {
        var e = Assert.Throws<NpyFormatException>(() => Read(Build("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new byte[4])));
        Assert.Contains("big-endian", e.Message);
    }

    [Fact]
    public void RejectsUnsupportedDtypeBadMagicAndTruncatedData()
    {
        Assert.Contains("'<c8'", Assert.Throws<NpyFormatException>(() => Read(Build("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new byte[8]))).Message);
        Assert.Contains("magic", Assert.Throws<NpyFormatException>(() => Read("PK\x03\x04 not npy"u8.ToArray())).Message);
        Assert.Contains("ends inside the data", Assert.Throws<NpyFormatException>(() => Read(Build("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", F32(1, 2)))).Message);
        Assert.Contains("version 9", Assert.Throws<NpyFormatException>(() => Read([0x93, .. "NUMPY"u8.ToArray(), 9, 0, 0, 0])).Message);
    }

    [Fact]
    public void WritesVersion1LittleEndianFloat32HeaderExactly()
    {
        var ms = new MemoryStream();
        Npy.Write(ms, [1f, -2f, 0.5f, 4f, 5f, 6f], [2, 3]);
        var expected = Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", F32(1f, -2f, 0.5f, 4f, 5f, 6f));
        Assert.Equal(expected, ms.ToArray());
        Assert.Equal(0, (ms.Length - 24) % 64);
    }

    [Fact]
    public void WritesOneDimensionalShapeWithTrailingComma()
    {
        var ms = new MemoryStream();
        Npy.Write(ms, [1f, 2f, 3f], [3]);
        var text = Encoding.ASCII.GetString(ms.ToArray(), 10, 128 - 10);
        Assert.Contains("'shape': (3,)", text);
        Assert.EndsWith("\n", text);
    }

    [Fact]
    public void RoundTripsThroughAFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"npy-{Guid.NewGuid():N}.npy");
        try
        {
            var data = Enumerable.Range(0, 2 * 3 * 4 * 5).Select(i => i * 0.5f - 7).ToArray();
            Npy.Write(path, data, [2, 3, 4, 5]);
            var a = Npy.Read(path);
            Assert.Equal([2, 3, 4, 5], a.Shape);
            Assert.Equal(data, a.Data);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WriteRejectsDataThatDoesNotFillTheShape()
    {
        var e = Assert.Throws<ArgumentException>(() => Npy.Write(new MemoryStream(), [1f, 2f], [3]));
        Assert.Contains("[3]", e.Message);
    }
}
