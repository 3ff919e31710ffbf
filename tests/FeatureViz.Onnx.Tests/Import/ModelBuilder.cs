using Google.Protobuf;
using Onnx;

namespace FeatureViz.Onnx.Tests.Import;

/// <summary>Builds small ONNX models in memory for import tests.</summary>
public sealed class ModelBuilder(int opset = 17)
{
    public GraphProto Graph { get; } = new() { Name = "test" };

    public ModelBuilder Input(string name, int elemType, params object[] dims)
    {
        Graph.Input.Add(Info(name, elemType, dims));
        return this;
    }

    public ModelBuilder Output(string name, int elemType = 1, params object[] dims)
    {
        Graph.Output.Add(Info(name, elemType, dims));
        return this;
    }

    public static ValueInfoProto Info(string name, int elemType, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType, Shape = shape } } };
    }

    public ModelBuilder Node(string op, string[] inputs, string[] outputs, string? name = null, params AttributeProto[] attrs)
    {
        var n = new NodeProto { OpType = op, Name = name ?? outputs.FirstOrDefault() ?? op };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        n.Attribute.AddRange(attrs);
        Graph.Node.Add(n);
        return this;
    }

    public ModelBuilder Initializer(string name, float[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = 1 };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(data);
        Graph.Initializer.Add(t);
        return this;
    }

    public ModelBuilder Initializer(TensorProto t)
    {
        Graph.Initializer.Add(t);
        return this;
    }

    public static TensorProto Longs(string name, params long[] data)
    {
        var t = new TensorProto { Name = name, DataType = 7 };
        t.Dims.Add(data.Length);
        t.Int64Data.AddRange(data);
        return t;
    }

    public static AttributeProto Int(string name, long v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v };

    public static AttributeProto Ints(string name, params long[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(v);
        return a;
    }

    public static AttributeProto Float(string name, float v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = v };

    public ModelProto Build()
    {
        var m = new ModelProto { IrVersion = 8, Graph = Graph };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return m;
    }

    public byte[] Bytes() => Build().ToByteArray();

    public OnnxModel Load(OnnxLoadOptions? options = null) => OnnxModel.Load(new MemoryStream(Bytes()), options);
}
