using Google.Protobuf;
using Onnx;

namespace FeatureViz.Benchmarks.Compare;

/// <summary>
/// Writes a MobileNetV3-style ONNX model with random weights (seeded) for the speed comparison: a strided 3x3 stem,
/// inverted residual blocks (1x1 expansion, 3x3 depthwise convolution with group = channels, 1x1 projection, a
/// residual Add where the shape allows) with HardSwish activations, global average pooling and a 1000-way Gemm.
/// Input "input" [N, 3, 224, 224] with a symbolic batch; output "logits" [N, 1000]. Opset 14 (HardSwish).
/// </summary>
public static class MobileNetStyleModel
{
    /// <summary>(expanded channels, output channels, stride) of each block.</summary>
    private static readonly (int Expand, int Out, int Stride)[] Blocks =
    [
        (16, 16, 1), (64, 24, 2), (72, 24, 1), (72, 40, 2), (120, 40, 1), (240, 80, 2), (200, 80, 1),
        (480, 112, 1), (672, 112, 1), (672, 160, 2), (960, 160, 1),
    ];

    public static void Write(string path, int seed = 0)
    {
        var rng = new Random(seed);
        var g = new GraphProto { Name = "mobilenet_style" };
        g.Input.Add(Value("input", "N", 3, 224, 224));
        g.Output.Add(Value("logits", "N", 1000));
        int id = 0;
        string Conv(string x, int cin, int cout, int k, int stride, int group)
        {
            string w = $"w{id}", b = $"b{id}", y = $"conv{id++}";
            g.Initializer.Add(Random(rng, w, MathF.Sqrt(2f / (cin / group * k * k)), cout, cin / group, k, k));
            g.Initializer.Add(Random(rng, b, 0.01f, cout));
            var n = new NodeProto { OpType = "Conv", Name = y };
            n.Input.Add(x); n.Input.Add(w); n.Input.Add(b); n.Output.Add(y);
            n.Attribute.Add(Ints("kernel_shape", k, k));
            n.Attribute.Add(Ints("strides", stride, stride));
            n.Attribute.Add(Ints("pads", k / 2, k / 2, k / 2, k / 2));
            n.Attribute.Add(new AttributeProto { Name = "group", Type = AttributeProto.Types.AttributeType.Int, I = group });
            g.Node.Add(n);
            return y;
        }
        string Node(string op, params string[] inputs)
        {
            string y = $"{op.ToLowerInvariant()}{id++}";
            var n = new NodeProto { OpType = op, Name = y };
            n.Input.AddRange(inputs); n.Output.Add(y);
            g.Node.Add(n);
            return y;
        }
        string h = Node("HardSwish", Conv("input", 3, 16, 3, 2, 1));
        int c = 16;
        foreach (var (e, o, s) in Blocks)
        {
            string x = h;
            if (e != c) x = Node("HardSwish", Conv(x, c, e, 1, 1, 1));
            x = Node("HardSwish", Conv(x, e, e, 3, s, e));
            x = Conv(x, e, o, 1, 1, 1);
            h = s == 1 && o == c ? Node("Add", h, x) : x;
            c = o;
        }
        h = Node("HardSwish", Conv(h, c, 960, 1, 1, 1));
        h = Node("GlobalAveragePool", h);
        var flatten = new NodeProto { OpType = "Flatten", Name = "flatten" };
        flatten.Input.Add(h); flatten.Output.Add("flat");
        flatten.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        g.Node.Add(flatten);
        g.Initializer.Add(Random(rng, "fc_w", MathF.Sqrt(1f / 960), 1000, 960));
        g.Initializer.Add(Random(rng, "fc_b", 0.01f, 1000));
        var gemm = new NodeProto { OpType = "Gemm", Name = "fc" };
        gemm.Input.Add("flat"); gemm.Input.Add("fc_w"); gemm.Input.Add("fc_b"); gemm.Output.Add("logits");
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        g.Node.Add(gemm);
        var model = new ModelProto { IrVersion = 8, ProducerName = "FeatureViz.Benchmarks", Graph = g };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 14 });
        File.WriteAllBytes(path, model.ToByteArray());
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static TensorProto Random(Random rng, string name, float scale, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        long n = dims.Aggregate(1L, (a, b) => a * b);
        var data = new float[n];
        for (long i = 0; i < n; i++) data[i] = scale * (float)(rng.NextDouble() * 2 - 1);
        t.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
        return t;
    }

    private static ValueInfoProto Value(string name, string batch, params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
