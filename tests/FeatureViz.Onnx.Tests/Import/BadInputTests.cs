using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors;
using Google.Protobuf;
using Onnx;

namespace FeatureViz.Onnx.Tests.Import;

/// <summary>Malformed or unsupported models fail with OnnxImportException (caller mistakes with ArgumentException), never a crash.</summary>
public sealed class BadInputTests
{
    private static OnnxModel LoadBytes(byte[] b) => OnnxModel.Load(new MemoryStream(b));

    private static ModelBuilder Relu() => new ModelBuilder()
        .Input("x", 1, 1, 3).Node("Relu", ["x"], ["y"]).Output("y", 1, 1, 3);

    [Fact]
    public void NotOnnx()
    {
        Assert.Throws<OnnxImportException>(() => LoadBytes([]));
        Assert.Throws<OnnxImportException>(() => LoadBytes("hello, this is not a model\n"u8.ToArray()));
        Assert.Throws<OnnxImportException>(() => LoadBytes(Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 >> 3)).ToArray()));
        Assert.Throws<OnnxImportException>(() => LoadBytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]));
    }

    [Fact]
    public void TruncatedOrCorruptProtobuf()
    {
        var b = Relu().Initializer("w", new float[300], 300).Bytes();
        for (int cut = 1; cut < b.Length; cut += Math.Max(1, b.Length / 37))
        {
            var piece = b.AsSpan(0, cut).ToArray();
            var ex = Record.Exception(() => LoadBytes(piece)?.Dispose());
            Assert.True(ex is null or OnnxImportException, $"cut at {cut}: {ex}");
        }
        var flipped = (byte[])b.Clone();
        for (int i = 0; i < flipped.Length; i += 5) flipped[i] ^= 0x5A;
        var e2 = Record.Exception(() => LoadBytes(flipped)?.Dispose());
        Assert.True(e2 is null or OnnxImportException, e2?.ToString());
    }

    [Fact]
    public void UnsupportedOpNamesOpNodeOpsetAndSupportedOps()
    {
        var ex = Assert.Throws<OnnxImportException>(() => new ModelBuilder()
            .Input("x", 1, 2).Node("FancyOp", ["x"], ["y"], name: "fancy1").Output("y").Load());
        Assert.Contains("FancyOp", ex.Message);
        Assert.Contains("fancy1", ex.Message);
        Assert.Contains("opset 17", ex.Message);
        Assert.Contains("Conv", ex.Message);
    }

    [Fact]
    public void UnknownAttribute()
    {
        var ex = Assert.Throws<OnnxImportException>(() => new ModelBuilder()
            .Input("x", 1, 2).Node("Relu", ["x"], ["y"], "r", ModelBuilder.Int("bogus", 3)).Output("y").Load());
        Assert.Contains("bogus", ex.Message);
        Assert.Contains("Relu", ex.Message);
        Assert.Contains("'r'", ex.Message);
    }

    [Fact]
    public void UnsupportedAttributeValue()
    {
        var ex = Assert.Throws<OnnxImportException>(() => new ModelBuilder()
            .Input("x", 1, 1, 1, 4, 4)
            .Node("MaxPool", ["x"], ["y"], "p", ModelBuilder.Ints("kernel_shape", 2, 2), ModelBuilder.Int("storage_order", 1))
            .Output("y").Load());
        Assert.Contains("storage_order", ex.Message);
    }

    [Fact]
    public void WrongInputRankDtypeOrMissingInput()
    {
        using var m = Relu().Load();
        var cpu = CpuBackend.Default;
        Assert.Throws<ArgumentException>(() => m.Run(Tensor.Zeros(cpu, 3)));
        Assert.Throws<ArgumentException>(() => m.Run(new Dictionary<string, Tensor>()));
        Assert.Throws<ArgumentException>(() => m.Run(new Dictionary<string, Tensor> { ["nope"] = Tensor.Zeros(cpu, 1, 3) }));
        Assert.Throws<ArgumentException>(() => m.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros(cpu, 1, 3) }, ["nothing"]));

        using var r = new ModelBuilder().Input("x", 1, 6).Input("s", 7, 2).Node("Reshape", ["x", "s"], ["y"]).Output("y").Load();
        var ex = Assert.Throws<ArgumentException>(() => r.Run(new Dictionary<string, Tensor>
        {
            ["x"] = Tensor.Zeros(cpu, 6),
            ["s"] = Tensor.FromArray(cpu, [2.5f, 2f], 2),
        }));
        Assert.Contains("int64", ex.Message);
    }

    [Fact]
    public void InitializerDataNotMatchingDims()
    {
        var t = new TensorProto { Name = "w", DataType = 1 };
        t.Dims.Add(5);
        t.FloatData.AddRange([1f, 2f]);
        var ex = Assert.Throws<OnnxImportException>(() => Relu().Initializer(t).Load());
        Assert.Contains("'w'", ex.Message);

        var raw = new TensorProto { Name = "r", DataType = 1, RawData = ByteString.CopyFrom(new byte[7]) };
        raw.Dims.Add(2);
        Assert.Throws<OnnxImportException>(() => Relu().Initializer(raw).Load());
    }

    [Fact]
    public void DimsWhoseProductOverflowsAreRejectedBeforeAllocating()
    {
        var t = new TensorProto { Name = "huge", DataType = 1 };
        t.Dims.AddRange([1L << 40, 1L << 40, 16]);
        Assert.Throws<OnnxImportException>(() => Relu().Initializer(t).Load());
        var t2 = new TensorProto { Name = "big", DataType = 1 };
        t2.Dims.AddRange([1L << 20, 1L << 20]);
        Assert.Throws<OnnxImportException>(() => Relu().Initializer(t2).Load());
        var neg = new TensorProto { Name = "neg", DataType = 1 };
        neg.Dims.Add(-3);
        Assert.Throws<OnnxImportException>(() => Relu().Initializer(neg).Load());

        // A ConstantOfShape asking for 2^50 elements fails instead of allocating.
        var ex = Assert.Throws<OnnxImportException>(() => new ModelBuilder()
            .Initializer(ModelBuilder.Longs("shape", 1L << 25, 1L << 25))
            .Node("ConstantOfShape", ["shape"], ["y"]).Output("y").Load());
        Assert.Contains("limit", ex.Message);
    }

    [Fact]
    public void CycleAndDanglingInput()
    {
        var cyc = Assert.Throws<OnnxImportException>(() => new ModelBuilder()
            .Input("x", 1, 2)
            .Node("Add", ["x", "b"], ["a"], "n1")
            .Node("Relu", ["a"], ["b"], "n2")
            .Output("b").Load());
        Assert.Contains("cycle", cyc.Message);

        var dangling = Assert.Throws<OnnxImportException>(() => new ModelBuilder()
            .Input("x", 1, 2).Node("Add", ["x", "ghost"], ["y"]).Output("y").Load());
        Assert.Contains("ghost", dangling.Message);
    }

    [Fact]
    public void UnsupportedOpsetOrDomain()
    {
        Assert.Throws<OnnxImportException>(() => OnnxModel.Load(new MemoryStream(new ModelBuilder(99).Input("x", 1, 2).Node("Relu", ["x"], ["y"]).Output("y").Bytes())));
        var b = Relu();
        b.Graph.Node[0].Domain = "com.microsoft";
        Assert.Throws<OnnxImportException>(() => b.Load());
    }

    [Fact]
    public void ExternalDataOnlyFromInsideTheModelDirectory()
    {
        var dir = Directory.CreateTempSubdirectory("featureviz-ext");
        try
        {
            File.WriteAllBytes(Path.Combine(dir.FullName, "w.bin"), new byte[16]);
            File.WriteAllBytes(Path.Combine(dir.Parent!.FullName, $"outside-{dir.Name}.bin"), new byte[16]);
            TensorProto Ext(string location)
            {
                var t = new TensorProto { Name = "w", DataType = 1, DataLocation = TensorProto.Types.DataLocation.External };
                t.Dims.Add(4);
                t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
                return t;
            }
            string Write(string location)
            {
                var p = Path.Combine(dir.FullName, "m.onnx");
                File.WriteAllBytes(p, Relu().Initializer(Ext(location)).Bytes());
                return p;
            }
            using (var ok = OnnxModel.Load(Write("w.bin"))) Assert.Single(ok.Inputs);
            Assert.Throws<OnnxImportException>(() => OnnxModel.Load(Write($"../outside-{dir.Name}.bin")));
            Assert.Throws<OnnxImportException>(() => OnnxModel.Load(Write(Path.Combine(dir.Parent!.FullName, $"outside-{dir.Name}.bin"))));
            Assert.Throws<OnnxImportException>(() => OnnxModel.Load(Write("missing.bin")));
            // From a stream there is no directory, so external data is refused.
            Assert.Throws<OnnxImportException>(() => OnnxModel.Load(new MemoryStream(Relu().Initializer(Ext("w.bin")).Bytes())));
        }
        finally
        {
            File.Delete(Path.Combine(dir.Parent!.FullName, $"outside-{dir.Name}.bin"));
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void NodeFailureNamesNodeAndOp()
    {
        using var m = new ModelBuilder().Input("x", 1, "N", 4).Initializer(ModelBuilder.Longs("s", 3, -1))
            .Node("Reshape", ["x", "s"], ["y"], "reshape_node").Output("y").Load();
        var ex = Assert.Throws<OnnxImportException>(() => m.Run(Tensor.Zeros(CpuBackend.Default, 2, 4)));
        Assert.Contains("reshape_node", ex.Message);
        Assert.Contains("Reshape", ex.Message);
    }
}
