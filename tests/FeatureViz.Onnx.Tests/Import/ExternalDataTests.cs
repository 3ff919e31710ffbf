using System.Buffers.Binary;
using FeatureViz.TestSupport;
using Onnx;

namespace FeatureViz.Onnx.Tests.Import;

/// <summary>
/// External data is read only from regular files whose real path lies in the model's real directory (issue 9,
/// defect 2): links to files or folders outside are refused, whatever their target.
/// </summary>
public sealed class ExternalDataTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("featureviz-extdata");
    private string ModelDir => Path.Combine(_root.FullName, "model");
    private string OutsideDir => Path.Combine(_root.FullName, "outside");

    public ExternalDataTests()
    {
        Directory.CreateDirectory(ModelDir);
        Directory.CreateDirectory(OutsideDir);
    }

    public void Dispose() => _root.Delete(recursive: true);

    private static TensorProto Ext(string location, long count, long offset = 0)
    {
        var t = new TensorProto { Name = "w", DataType = 1, DataLocation = TensorProto.Types.DataLocation.External };
        t.Dims.Add(count);
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        if (offset != 0) t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return t;
    }

    /// <summary>A model whose output "y" is the external tensor "w", written as m.onnx in <paramref name="dir"/>.</summary>
    private static string WriteModel(string dir, TensorProto w)
    {
        var p = Path.Combine(dir, "m.onnx");
        File.WriteAllBytes(p, new ModelBuilder().Initializer(w).Node("Identity", ["w"], ["y"]).Output("y", 1, w.Dims[0]).Bytes());
        return p;
    }

    private static byte[] Floats(params float[] v)
    {
        var b = new byte[v.Length * 4];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(i * 4), v[i]);
        return b;
    }

    private static float[] RunY(string modelPath)
    {
        using var m = OnnxModel.Load(modelPath);
        return m.Run(new Dictionary<string, FeatureViz.Tensors.Tensor>())["y"].ToArray();
    }

    [Fact]
    public void ARegularFileInsideLoadsAndSoDoesALinkThatStaysInside()
    {
        File.WriteAllBytes(Path.Combine(ModelDir, "w.bin"), Floats(1, 2, 3, 4));
        Assert.Equal([1f, 2f, 3f, 4f], RunY(WriteModel(ModelDir, Ext("w.bin", 4))));
        Directory.CreateDirectory(Path.Combine(ModelDir, "data"));
        File.WriteAllBytes(Path.Combine(ModelDir, "data", "inner.bin"), Floats(5, 6));
        File.CreateSymbolicLink(Path.Combine(ModelDir, "alias.bin"), Path.Combine("data", "inner.bin"));
        Assert.Equal([5f, 6f], RunY(WriteModel(ModelDir, Ext("alias.bin", 2))));
    }

    [Fact]
    public void AModelInAFolderReachedThroughALinkReadsItsOwnData()
    {
        File.WriteAllBytes(Path.Combine(ModelDir, "w.bin"), Floats(7, 8));
        WriteModel(ModelDir, Ext("w.bin", 2));
        var linkDir = Path.Combine(_root.FullName, "linked-model");
        Directory.CreateSymbolicLink(linkDir, ModelDir);
        Assert.Equal([7f, 8f], RunY(Path.Combine(linkDir, "m.onnx")));
    }

    [Fact]
    public void ALinkedFileLeadingOutsideIsRefused()
    {
        File.WriteAllBytes(Path.Combine(OutsideDir, "secret.bin"), Floats(9, 9, 9, 9));
        File.CreateSymbolicLink(Path.Combine(ModelDir, "w.bin"), Path.Combine(OutsideDir, "secret.bin"));
        var ex = Assert.Throws<OnnxImportException>(() => RunY(WriteModel(ModelDir, Ext("w.bin", 4))));
        Assert.Contains("w.bin", ex.Message);
        // A relative link with .. is no different.
        File.CreateSymbolicLink(Path.Combine(ModelDir, "rel.bin"), Path.Combine("..", "outside", "secret.bin"));
        Assert.Throws<OnnxImportException>(() => RunY(WriteModel(ModelDir, Ext("rel.bin", 4))));
    }

    [Fact]
    public void ALinkedFolderOnThePathLeadingOutsideIsRefused()
    {
        File.WriteAllBytes(Path.Combine(OutsideDir, "secret.bin"), Floats(9, 9, 9, 9));
        Directory.CreateSymbolicLink(Path.Combine(ModelDir, "weights"), OutsideDir);
        var ex = Assert.Throws<OnnxImportException>(() => RunY(WriteModel(ModelDir, Ext("weights/secret.bin", 4))));
        Assert.Contains("weights/secret.bin", ex.Message);
        // Two links: an inside folder link to a folder holding a link out.
        Directory.CreateDirectory(Path.Combine(ModelDir, "real"));
        File.CreateSymbolicLink(Path.Combine(ModelDir, "real", "w.bin"), Path.Combine(OutsideDir, "secret.bin"));
        Directory.CreateSymbolicLink(Path.Combine(ModelDir, "via"), Path.Combine(ModelDir, "real"));
        Assert.Throws<OnnxImportException>(() => RunY(WriteModel(ModelDir, Ext("via/w.bin", 4))));
    }

    [Fact]
    public void ALinkCycleIsAnImportError()
    {
        File.CreateSymbolicLink(Path.Combine(ModelDir, "a.bin"), "b.bin");
        File.CreateSymbolicLink(Path.Combine(ModelDir, "b.bin"), "a.bin");
        var ex = Assert.Throws<OnnxImportException>(() => RunY(WriteModel(ModelDir, Ext("a.bin", 4))));
        Assert.Contains("symbolic links", ex.Message);
    }

    [Fact]
    public void EtcPasswdNeverLoads()
    {
        if (!File.Exists("/etc/passwd")) return;
        long floats = Math.Min(new FileInfo("/etc/passwd").Length / 4, 16);
        Assert.True(floats > 0);
        File.CreateSymbolicLink(Path.Combine(ModelDir, "passwd.bin"), "/etc/passwd");
        Assert.Throws<OnnxImportException>(() => RunY(WriteModel(ModelDir, Ext("passwd.bin", floats))));
        Directory.CreateSymbolicLink(Path.Combine(ModelDir, "etc"), "/etc");
        Assert.Throws<OnnxImportException>(() => RunY(WriteModel(ModelDir, Ext("etc/passwd", floats))));
    }

    [Fact]
    public void AnOffsetNearLongMaxValueIsACleanError()
    {
        File.WriteAllBytes(Path.Combine(ModelDir, "w.bin"), Floats(1, 2, 3, 4));
        var ex = Assert.Throws<OnnxImportException>(() => RunY(WriteModel(ModelDir, Ext("w.bin", 4, long.MaxValue - 9))));
        Assert.Contains("offset", ex.Message);
        Assert.Contains("16 bytes", ex.Message);
        ex = Assert.Throws<OnnxImportException>(() => RunY(WriteModel(ModelDir, Ext("w.bin", 4, 4))));
        Assert.Contains("offset 4", ex.Message);
    }

    [Fact]
    public async Task AFolderOrAFifoIsNotReadAsData()
    {
        Directory.CreateDirectory(Path.Combine(ModelDir, "dir.bin"));
        Assert.Throws<OnnxImportException>(() => RunY(WriteModel(ModelDir, Ext("dir.bin", 4))));
        var fifo = Path.Combine(ModelDir, "fifo.bin");
        if (!SpecialFiles.MakeFifo(fifo)) return;
        // Opening a FIFO waits for a writer: the load must refuse it before opening, not hang.
        var load = Task.Run(() => Assert.Throws<OnnxImportException>(() => RunY(WriteModel(ModelDir, Ext("fifo.bin", 4)))));
        Assert.True(await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(10))) == load, "loading a model whose external data is a FIFO hangs");
        Assert.Contains("not a regular file", (await load).Message);
    }
}
