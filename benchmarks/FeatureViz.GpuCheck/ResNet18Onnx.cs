using Google.Protobuf;
using Onnx;

namespace FeatureViz.GpuCheck;

/// <summary>One convolution of ResNet18 at batch 1 (square input, square kernel, symmetric padding, no groups).</summary>
/// <param name="C">Input channels.</param>
/// <param name="O">Output channels.</param>
/// <param name="K">Kernel size.</param>
/// <param name="Stride">Stride.</param>
/// <param name="Pad">Padding on each side.</param>
/// <param name="H">Input height and width.</param>
public readonly record struct ConvSpec(int C, int O, int K, int Stride, int Pad, int H)
{
    /// <summary>Output height and width.</summary>
    public int OH => (H + 2 * Pad - K) / Stride + 1;

    /// <summary>The key part shared with torch_baseline.py: c64_o128_k3_s2_h56.</summary>
    public string Key => $"c{C}_o{O}_k{K}_s{Stride}_h{H}";

    /// <summary>Multiply-adds of one forward at batch 1, times 2.</summary>
    public double Flops => 2.0 * C * O * K * K * OH * OH;
}

/// <summary>
/// torchvision's ResNet18 topology (conv1 7x7/2, max pool 3x3/2, four stages of two basic blocks, global average
/// pool, fully connected), with batch norm folded into the convolutions' biases as torch.onnx.export does in eval
/// mode, built as ONNX with random weights. <paramref name="Width"/> 64 and <paramref name="Size"/> 224 is the real
/// network; the smoke run uses a narrow, small one with the same structure.
/// </summary>
/// <param name="Width">Channels of the first stage (64 in ResNet18).</param>
/// <param name="Size">Input height and width (224).</param>
/// <param name="Classes">Outputs of the final fully connected layer (1000).</param>
public sealed record ResNet18Onnx(int Width, int Size, int Classes)
{
    /// <summary>Every convolution in network order (with repeats).</summary>
    public IReadOnlyList<ConvSpec> Convolutions()
    {
        var list = new List<ConvSpec> { new(3, Width, 7, 2, 3, Size) };
        int h = (Size + 6 - 7) / 2 + 1;
        h = (h + 2 - 3) / 2 + 1;
        int c = Width;
        for (int stage = 0; stage < 4; stage++)
        {
            int o = Width << stage;
            for (int block = 0; block < 2; block++)
            {
                int s = stage > 0 && block == 0 ? 2 : 1;
                var first = new ConvSpec(c, o, 3, s, 1, h);
                list.Add(first);
                list.Add(new ConvSpec(o, o, 3, 1, 1, first.OH));
                if (s != 1 || c != o) list.Add(new ConvSpec(c, o, 1, s, 0, h));
                h = first.OH;
                c = o;
            }
        }
        return list;
    }

    /// <summary>The distinct convolutions, in first-use order.</summary>
    public IReadOnlyList<ConvSpec> DistinctConvolutions() => Convolutions().Distinct().ToList();

    /// <summary>The ONNX model: input "input" [N, 3, Size, Size] (N symbolic), output "logits" [N, Classes].</summary>
    public byte[] Build(int seed = 0)
    {
        var rng = new Random(seed);
        var g = new GraphProto { Name = $"resnet18_w{Width}_s{Size}" };
        g.Input.Add(Value("input", null, 3, Size, Size));
        g.Output.Add(Value("logits", null, Classes));
        int id = 0;
        string Conv(string x, ConvSpec spec, string name)
        {
            string w = $"{name}.weight", b = $"{name}.bias";
            g.Initializer.Add(Tensor(w, He(rng, spec.O * spec.C * spec.K * spec.K, spec.C * spec.K * spec.K), spec.O, spec.C, spec.K, spec.K));
            g.Initializer.Add(Tensor(b, Small(rng, spec.O), spec.O));
            var n = Node("Conv", name, [x, w, b], name);
            n.Attribute.Add(Ints("kernel_shape", spec.K, spec.K));
            n.Attribute.Add(Ints("strides", spec.Stride, spec.Stride));
            n.Attribute.Add(Ints("pads", spec.Pad, spec.Pad, spec.Pad, spec.Pad));
            g.Node.Add(n);
            return name;
        }
        string Relu(string x, string name)
        {
            g.Node.Add(Node("Relu", name, [x], name));
            return name;
        }

        var convs = Convolutions();
        string t = Relu(Conv("input", convs[id++], "conv1"), "relu");
        var pool = Node("MaxPool", "maxpool", [t], "maxpool");
        pool.Attribute.Add(Ints("kernel_shape", 3, 3));
        pool.Attribute.Add(Ints("strides", 2, 2));
        pool.Attribute.Add(Ints("pads", 1, 1, 1, 1));
        g.Node.Add(pool);
        t = "maxpool";
        for (int stage = 1; stage <= 4; stage++)
        {
            for (int block = 0; block < 2; block++)
            {
                string p = $"layer{stage}.{block}";
                var c1 = convs[id++];
                var c2 = convs[id++];
                string y = Relu(Conv(t, c1, $"{p}.conv1"), $"{p}.relu1");
                y = Conv(y, c2, $"{p}.conv2");
                string shortcut = t;
                if (id < convs.Count && convs[id].K == 1) shortcut = Conv(t, convs[id++], $"{p}.downsample");
                g.Node.Add(Node("Add", $"{p}.add", [y, shortcut], $"{p}.add"));
                t = Relu($"{p}.add", $"{p}.out");
            }
        }
        g.Node.Add(Node("GlobalAveragePool", "avgpool", [t], "avgpool"));
        var flatten = Node("Flatten", "flatten", ["avgpool"], "flatten");
        flatten.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        g.Node.Add(flatten);
        int features = Width * 8;
        g.Initializer.Add(Tensor("fc.weight", He(rng, Classes * features, features), Classes, features));
        g.Initializer.Add(Tensor("fc.bias", Small(rng, Classes), Classes));
        var fc = Node("Gemm", "fc", ["flatten", "fc.weight", "fc.bias"], "logits");
        fc.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        g.Node.Add(fc);

        var model = new ModelProto { IrVersion = 8, Graph = g, ProducerName = "FeatureViz.GpuCheck" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static float[] He(Random rng, int n, int fanIn)
    {
        var a = new float[n];
        double std = Math.Sqrt(2.0 / fanIn);
        for (int i = 0; i < n; i++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            a[i] = (float)(std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return a;
    }

    private static float[] Small(Random rng, int n)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(0.1 * (rng.NextDouble() - 0.5));
        return a;
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        return n;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static TensorProto Tensor(string name, float[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        var bytes = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }

    private static ValueInfoProto Value(string name, string? batch, params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch ?? "N" });
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
