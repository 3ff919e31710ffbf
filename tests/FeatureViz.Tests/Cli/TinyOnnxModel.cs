using Google.Protobuf;
using Onnx;

namespace FeatureViz.Tests.Cli;

/// <summary>
/// A hand-built ONNX model of elementwise ops: z = x * W + b ("layer/z", W and b broadcast over rows),
/// out = relu(z) * relu(z) ("out:0"), with x [2, 4] and known constants, so eval/grad results can be checked against
/// float64 loops written here.
/// </summary>
internal static class TinyOnnxModel
{
    public static readonly float[] W = [0.5f, -1f, 1.5f, 2f]; // [4]
    public static readonly float[] B = [0.1f, 0.2f, -0.3f, 0.4f];

    public static string Write(string dir)
    {
        var graph = new GraphProto { Name = "tiny" };
        graph.Input.Add(Value("x", 2, 4));
        graph.Output.Add(Value("out:0", 2, 4));
        graph.Initializer.Add(Constant("W", W, 4));
        graph.Initializer.Add(Constant("b", B, 4));
        graph.Node.Add(Node("Mul", "scale", ["x", "W"], "xw"));
        graph.Node.Add(Node("Add", "add", ["xw", "b"], "layer/z"));
        graph.Node.Add(Node("Relu", "relu", ["layer/z"], "r"));
        graph.Node.Add(Node("Mul", "square", ["r", "r"], "out:0"));
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "featureviz-tests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        string path = Path.Combine(dir, "tiny.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    /// <summary>
    /// A tiny image model: input "image" [1, 3, 16, 16] -> Conv 3x3 (4 channels, pads 1, deterministic weights) ->
    /// Relu ("conv/relu", [1, 4, 16, 16]) -> GlobalAveragePool ("pool", [1, 4, 1, 1]).
    /// </summary>
    public static string WriteConv(string dir)
    {
        var graph = new GraphProto { Name = "tinyconv" };
        graph.Input.Add(Value("image", 1, 3, 16, 16));
        graph.Output.Add(Value("pool", 1, 4, 1, 1));
        var w = new float[4 * 3 * 3 * 3];
        for (int i = 0; i < w.Length; i++) w[i] = MathF.Sin(i * 0.7f) * 0.5f;
        graph.Initializer.Add(Constant("w", w, 4, 3, 3, 3));
        graph.Initializer.Add(Constant("bias", [0.1f, -0.1f, 0.05f, 0f], 4));
        var conv = Node("Conv", "conv", ["image", "w", "bias"], "conv/out");
        conv.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } });
        conv.Attribute.Add(new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 3, 3 } });
        graph.Node.Add(conv);
        graph.Node.Add(Node("Relu", "relu", ["conv/out"], "conv/relu"));
        graph.Node.Add(Node("GlobalAveragePool", "gap", ["conv/relu"], "pool"));
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "featureviz-tests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        string path = Path.Combine(dir, "tinyconv.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    /// <summary>
    /// Four outputs of x [2, 4] whose names map to the same file-safe name: "a/b" = relu(x), "a:b" = -x, "a_b" = |x|,
    /// "A/B" = x (the last differs only in case).
    /// </summary>
    public static string WriteCollidingNames(string dir)
    {
        var graph = new GraphProto { Name = "collide" };
        graph.Input.Add(Value("x", 2, 4));
        foreach (var (op, name) in new[] { ("Relu", "a/b"), ("Neg", "a:b"), ("Abs", "a_b"), ("Identity", "A/B") })
        {
            graph.Node.Add(Node(op, op, ["x"], name));
            graph.Output.Add(Value(name, 2, 4));
        }
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "featureviz-tests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        string path = Path.Combine(dir, "collide.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    /// <summary>z and out in float64 for x [2, 4].</summary>
    public static (double[] Z, double[] Out) Forward(float[] x)
    {
        var z = new double[8];
        var o = new double[8];
        for (int i = 0; i < 8; i++)
        {
            z[i] = (double)x[i] * W[i % 4] + B[i % 4];
            double r = Math.Max(0, z[i]);
            o[i] = r * r;
        }
        return (z, o);
    }

    /// <summary>d(sum(c * out))/dx = c * 2 relu(z) * W, in float64.</summary>
    public static double[] Vjp(float[] x, float[] c)
    {
        var (z, _) = Forward(x);
        var g = new double[8];
        for (int i = 0; i < 8; i++) g[i] = c[i] * 2 * Math.Max(0, z[i]) * W[i % 4];
        return g;
    }

    private static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static TensorProto Constant(string name, float[] values, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        return t;
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        return n;
    }
}
