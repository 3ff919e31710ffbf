using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors;
using Onnx;

namespace FeatureViz.Onnx.Tests.Import;

/// <summary>
/// Issue 9, defect 1: tiny models whose attributes ask for huge or overflowing outputs (which crashed the process
/// with AccessViolationException, or allocated gigabytes) now fail with an <see cref="OnnxImportException"/> naming
/// the node, op, attribute and value, before anything of that size is allocated.
/// </summary>
public sealed class HostileGeometryTests
{
    private static readonly AttributeProto Kernel3 = ModelBuilder.Ints("kernel_shape", 3, 3);

    private static ModelBuilder Spatial(string op, params AttributeProto[] attrs)
    {
        var b = new ModelBuilder().Input("x", 1, 1, 1, 28, 28);
        if (op is "Conv" or "ConvTranspose")
        {
            b.Initializer("w", Enumerable.Repeat(0.1f, 9).ToArray(), 1, 1, 3, 3);
            b.Node(op, ["x", "w"], ["y"], "hostile", attrs);
        }
        else b.Node(op, ["x"], ["y"], "hostile", [Kernel3, .. attrs]);
        return b.Output("y");
    }

    public static TheoryData<string, string, long, bool> Cases() => new()
    {
        // op, attribute, value, whether the attribute is repeated for pads (4 values) or not (2 values)
        { "ConvTranspose", "strides", 20_000, false },
        { "ConvTranspose", "strides", 100_000, false },
        { "ConvTranspose", "dilations", 20_000, false },
        { "ConvTranspose", "dilations", 100_000, false },
        { "ConvTranspose", "pads", 100_000, true },
        { "MaxPool", "pads", 100_000, true },
        { "MaxPool", "pads", 10_000, true },
        { "MaxPool", "strides", 100_000, false },
        { "MaxPool", "dilations", 100_000, false },
        { "AveragePool", "pads", 100_000, true },
        { "AveragePool", "pads", 1_000, true },
        { "Conv", "pads", 100_000, true },
        { "Conv", "pads", 10_000, true },
        { "Conv", "strides", 100_000, false },
        { "Conv", "dilations", 100_000, false },
        { "Conv", "pads", 3_000_000_000, true },
        { "ConvTranspose", "strides", 3_000_000_000, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void HugeSpatialAttributesFailNamingNodeOpAttributeAndValue(string op, string attribute, long value, bool pads)
    {
        var attr = ModelBuilder.Ints(attribute, pads ? [value, value, value, value] : [value, value]);
        using var x = Tensor.Zeros(CpuBackend.Default, 1, 1, 28, 28);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var started = DateTime.UtcNow;
        var ex = Assert.Throws<OnnxImportException>(() =>
        {
            using var m = Spatial(op, attr).Load();
            m.Run(x).Dispose();
        });
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("'hostile'", ex.Message);
        Assert.Contains(op, ex.Message);
        Assert.Contains(attribute, ex.Message);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
        Assert.DoesNotContain("(Parameter '", ex.Message); // .NET's argument suffix means nothing to a model's user
        Assert.True(allocated < 64 << 20, $"{allocated} bytes allocated before failing: {ex.Message}");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), $"took {DateTime.UtcNow - started}");
    }

    [Theory]
    [InlineData("DepthToSpace", 65_536)]
    [InlineData("DepthToSpace", 4_000_000_000)]
    [InlineData("SpaceToDepth", 65_536)]
    [InlineData("DepthToSpace", 0)]
    public void HugeBlockSizesFailNamingTheAttribute(string op, long blocksize)
    {
        // 65536^2 wrapped to 0 in int arithmetic: a DivideByZeroException escaped the executor.
        using var m = new ModelBuilder().Input("x", 1, 1, 4, 2, 2)
            .Node(op, ["x"], ["y"], "hostile", ModelBuilder.Int("blocksize", blocksize)).Output("y").Load();
        using var x = Tensor.Zeros(CpuBackend.Default, 1, 4, 2, 2);
        var ex = Assert.Throws<OnnxImportException>(() => m.Run(x).Dispose());
        Assert.Contains("'hostile'", ex.Message);
        Assert.Contains($"blocksize={blocksize}", ex.Message);
    }

    [Fact]
    public void SmallFeatureMapsKeepWorking()
    {
        // ResNet's stride-2 1x1 downsample and a stride-2 3x3 conv on a 1x1 map (renders at small sizes): the window
        // covers the whole padded input, so the stride is never applied. ONNX gives one output position.
        using var m = new ModelBuilder().Input("x", 1, 1, 1, 1, 1)
            .Initializer("w1", [2f], 1, 1, 1, 1)
            .Initializer("w3", Enumerable.Repeat(1f, 9).ToArray(), 1, 1, 3, 3)
            .Node("Conv", ["x", "w1"], ["a"], "down", ModelBuilder.Ints("strides", 2, 2))
            .Node("Conv", ["a", "w3"], ["y"], "c3", ModelBuilder.Ints("strides", 2, 2), ModelBuilder.Ints("pads", 1, 1, 1, 1))
            .Output("y").Load();
        using var x = Tensor.Full(CpuBackend.Default, 3f, 1, 1, 1, 1);
        using var y = m.Run(x);
        Assert.Equal(new[] { 1, 1, 1, 1 }, y.Shape.ToArray());
        Assert.Equal(6f, y.Item());
    }

    private static readonly OnnxLoadOptions Small = new() { MaxTensorElements = 1000 };

    public static TheoryData<string, string> LimitCases() => new()
    {
        { "Conv", "20 output channels of a 10x10 map: 2000 elements" },
        { "ConvTranspose", "stride 4 on 10x10: 40x40" },
        { "Concat", "two [1, 600] joined: 1200" },
        { "MatMul", "[40, 1] @ [1, 40]: 1600" },
        { "Gather", "200 rows of 10: 2000" },
        { "Resize", "10x10 scaled by 4: 1600" },
        { "Upsample", "10x10 scaled by 4 (opset 9): 1600" },
        { "Tile", "[1, 10, 10] tiled 4x4: 1600" },
        { "Expand", "[1, 100] to [20, 100]: 2000" },
        { "ConstantOfShape", "[2000]" },
        { "Pad", "[1, 10, 10] padded by 30: 1600" },
        { "Range", "int64 0..5000 (shape arithmetic on the host)" },
        { "Add", "[40, 1] + [1, 40]: 1600" },
    };

    [Theory]
    [MemberData(nameof(LimitCases))]
    public void EveryOpIsHeldToTheElementLimit(string op, string what)
    {
        var (builder, feeds) = LimitModel(op);
        var ex = Assert.Throws<OnnxImportException>(() =>
        {
            using var m = builder.Load(Small);
            foreach (var t in m.Run(feeds).Values) t.Dispose();
        });
        Assert.Contains("'big'", ex.Message);
        Assert.Contains($"({op}, opset", ex.Message);
        Assert.Contains("limit of 1000", ex.Message);
        Assert.False(string.IsNullOrEmpty(what));
        foreach (var t in feeds.Values) t.Dispose();
    }

    [Fact]
    public void TheByteLimitHoldsToo()
    {
        var (builder, feeds) = LimitModel("Concat");
        // 1200 float32 elements (4800 bytes) are within the element limit but not within 4000 bytes.
        var ex = Assert.Throws<OnnxImportException>(() =>
        {
            using var m = builder.Load(new OnnxLoadOptions { MaxTensorBytes = 4000 });
            foreach (var t in m.Run(feeds).Values) t.Dispose();
        });
        Assert.Contains("'big'", ex.Message);
        Assert.Contains("4000 bytes", ex.Message);
        var e2 = Assert.Throws<ArgumentException>(() => new ModelBuilder().Input("x", 1, 1).Node("Relu", ["x"], ["y"]).Output("y").Load(new OnnxLoadOptions { MaxTensorBytes = 0 }));
        Assert.Contains("MaxTensorBytes", e2.Message);
        // Under the limits the same model runs.
        using (var ok = builder.Load(new OnnxLoadOptions { MaxTensorElements = 1200, MaxTensorBytes = 4800 }))
            foreach (var t in ok.Run(feeds).Values) { Assert.Equal(1200, t.Numel); t.Dispose(); }
        foreach (var t in feeds.Values) t.Dispose();
    }

    /// <summary>A model whose node 'big' (of <paramref name="op"/>) makes a tensor of more than 1000 elements from small inputs.</summary>
    private static (ModelBuilder, Dictionary<string, Tensor>) LimitModel(string op)
    {
        var cpu = CpuBackend.Default;
        var feeds = new Dictionary<string, Tensor>();
        ModelBuilder b;
        switch (op)
        {
            case "Conv":
                b = new ModelBuilder().Input("x", 1, 1, 1, 10, 10).Initializer("w", new float[20], 20, 1, 1, 1)
                    .Node("Conv", ["x", "w"], ["y"], "big");
                feeds["x"] = Tensor.Zeros(cpu, 1, 1, 10, 10);
                break;
            case "ConvTranspose":
                b = new ModelBuilder().Input("x", 1, 1, 1, 10, 10).Initializer("w", new float[16], 1, 1, 4, 4)
                    .Node("ConvTranspose", ["x", "w"], ["y"], "big", ModelBuilder.Ints("strides", 4, 4));
                feeds["x"] = Tensor.Zeros(cpu, 1, 1, 10, 10);
                break;
            case "Concat":
                b = new ModelBuilder().Input("x", 1, 1, 600).Input("z", 1, 1, 600)
                    .Node("Concat", ["x", "z"], ["y"], "big", ModelBuilder.Int("axis", 1));
                feeds["x"] = Tensor.Zeros(cpu, 1, 600);
                feeds["z"] = Tensor.Zeros(cpu, 1, 600);
                break;
            case "MatMul":
            case "Add":
                b = new ModelBuilder().Input("x", 1, 40, 1).Input("z", 1, 1, 40).Node(op, ["x", "z"], ["y"], "big");
                feeds["x"] = Tensor.Zeros(cpu, 40, 1);
                feeds["z"] = Tensor.Zeros(cpu, 1, 40);
                break;
            case "Gather":
                b = new ModelBuilder().Input("x", 1, 10, 10).Initializer(ModelBuilder.Longs("i", new long[200]))
                    .Node("Gather", ["x", "i"], ["y"], "big");
                feeds["x"] = Tensor.Zeros(cpu, 10, 10);
                break;
            case "Resize":
                b = new ModelBuilder().Input("x", 1, 1, 1, 10, 10).Initializer("roi", [], 0).Initializer("s", [1, 1, 4, 4], 4)
                    .Node("Resize", ["x", "roi", "s"], ["y"], "big");
                feeds["x"] = Tensor.Zeros(cpu, 1, 1, 10, 10);
                break;
            case "Upsample":
                b = new ModelBuilder(opset: 9).Input("x", 1, 1, 1, 10, 10).Initializer("s", [1, 1, 4, 4], 4)
                    .Node("Upsample", ["x", "s"], ["y"], "big");
                feeds["x"] = Tensor.Zeros(cpu, 1, 1, 10, 10);
                break;
            case "Tile":
                b = new ModelBuilder().Input("x", 1, 1, 10, 10).Initializer(ModelBuilder.Longs("r", 1, 4, 4))
                    .Node("Tile", ["x", "r"], ["y"], "big");
                feeds["x"] = Tensor.Zeros(cpu, 1, 10, 10);
                break;
            case "Expand":
                b = new ModelBuilder().Input("x", 1, 1, 100).Initializer(ModelBuilder.Longs("s", 20, 100))
                    .Node("Expand", ["x", "s"], ["y"], "big");
                feeds["x"] = Tensor.Zeros(cpu, 1, 100);
                break;
            case "ConstantOfShape":
                b = new ModelBuilder().Input("x", 1, 1).Initializer(ModelBuilder.Longs("s", 2000))
                    .Node("ConstantOfShape", ["s"], ["c"], "big").Node("Add", ["x", "c"], ["y"]);
                feeds["x"] = Tensor.Zeros(cpu, 1);
                break;
            case "Pad":
                b = new ModelBuilder().Input("x", 1, 1, 10, 10).Initializer(ModelBuilder.Longs("p", 0, 0, 0, 0, 30, 30))
                    .Node("Pad", ["x", "p"], ["y"], "big");
                feeds["x"] = Tensor.Zeros(cpu, 1, 10, 10);
                break;
            case "Range":
                var start = ModelBuilder.Longs("a", 0);
                start.Dims.Clear();
                var limit = ModelBuilder.Longs("l", 5000);
                limit.Dims.Clear();
                var delta = ModelBuilder.Longs("d", 1);
                delta.Dims.Clear();
                b = new ModelBuilder().Input("x", 1, 1).Initializer(start).Initializer(limit).Initializer(delta)
                    .Node("Range", ["a", "l", "d"], ["r"], "big").Node("Cast", ["r"], ["rf"], "cast", ModelBuilder.Int("to", 1))
                    .Node("Add", ["x", "rf"], ["y"]);
                feeds["x"] = Tensor.Zeros(cpu, 1);
                break;
            default:
                throw new ArgumentException(op);
        }
        return (b.Output("y"), feeds);
    }
}
