using FeatureViz.Onnx.Tests.Import;
using Onnx;

namespace FeatureViz.Onnx.Tests.Fuzz;

/// <summary>
/// Regression tests for what the mutation test found in model parsing (issue 9): each failed with a raw .NET
/// exception (or ran away) before the fix, and must now be a clean <see cref="OnnxImportException"/> naming the tensor.
/// </summary>
public sealed class ImportContractTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("featureviz-contract-");

    public void Dispose() => FuzzFolders.DeleteTree(_dir.FullName);

    private static ModelBuilder Relu() => new ModelBuilder().Input("x", 1, 1, 1, 3).Node("Relu", ["x"], ["y"]).Output("y", 1, 1, 1, 3);

    /// <summary>A model whose initializer "w" (4 floats) is external data described by <paramref name="entries"/>.</summary>
    private string ModelWithExternal(params (string Key, string Value)[] entries)
    {
        File.WriteAllBytes(Path.Combine(_dir.FullName, "w.bin"), new byte[16]);
        var t = new TensorProto { Name = "w", DataType = 1, DataLocation = TensorProto.Types.DataLocation.External };
        t.Dims.Add(4);
        foreach (var (k, v) in entries) t.ExternalData.Add(new StringStringEntryProto { Key = k, Value = v });
        var path = Path.Combine(_dir.FullName, "m.onnx");
        File.WriteAllBytes(path, Relu().Initializer(t).Bytes());
        return path;
    }

    [Theory]
    [InlineData(long.MaxValue - 9)] // issue 9: "Invalid argument" from the seek, the offset + length having wrapped negative
    [InlineData(long.MaxValue)]
    [InlineData(long.MaxValue - 15)]
    [InlineData(1L << 62)]
    [InlineData(1)] // one byte short: 16 bytes from offset 1 of a 16-byte file
    public void ExternalDataOffsetPastTheFileIsRefusedNamingTheTensor(long offset)
    {
        var path = ModelWithExternal(("location", "w.bin"), ("offset", offset.ToString()));
        var ex = Assert.Throws<OnnxImportException>(() => OnnxModel.Load(path));
        Assert.Contains("'w'", ex.Message);
        Assert.Contains(offset.ToString(), ex.Message);
    }

    [Fact]
    public void ExternalDataAtTheLastValidOffsetLoads()
    {
        File.WriteAllBytes(Path.Combine(_dir.FullName, "w2.bin"), [.. new byte[5], .. BitConverter.GetBytes(1f), .. BitConverter.GetBytes(2f), .. BitConverter.GetBytes(3f), .. BitConverter.GetBytes(4f)]);
        var path = ModelWithExternal(("location", "w2.bin"), ("offset", "5"));
        using var m = OnnxModel.Load(path);
        Assert.Equal([1f, 2f, 3f, 4f], m.Run(new Dictionary<string, FeatureViz.Tensors.Tensor>(), ["w"])["w"].ToArray());
    }

    [Theory]
    [InlineData("w.bin\0.txt")]
    [InlineData("\0")]
    public void ExternalDataLocationWithNulIsRefusedNamingTheTensor(string location)
    {
        var ex = Assert.Throws<OnnxImportException>(() => OnnxModel.Load(ModelWithExternal(("location", location))));
        Assert.Contains("'w'", ex.Message);
    }

    [Fact]
    public void ExternalDataLocationThatIsAFolderIsRefused()
    {
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "sub"));
        var ex = Assert.Throws<OnnxImportException>(() => OnnxModel.Load(ModelWithExternal(("location", "sub"))));
        Assert.Contains("'w'", ex.Message);
    }

    [Fact]
    public void StreamIsReadOnlyUpToTheModelSizeLimit()
    {
        var endless = new EndlessStream();
        var ex = Assert.Throws<OnnxImportException>(() => OnnxModel.Load(endless, new OnnxLoadOptions { MaxStreamBytes = 1 << 20 }));
        Assert.Contains("1048576", ex.Message);
        Assert.InRange(endless.Served, 1 << 20, (1 << 20) + (1 << 17));
    }

    /// <summary>A stream of zeros that never ends, and cannot seek (like a pipe).</summary>
    private sealed class EndlessStream : Stream
    {
        public long Served { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Served; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            Served += count;
            return count;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
