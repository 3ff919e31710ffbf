using Google.Protobuf;
using Onnx;

namespace FeatureViz.Onnx.Graph;

/// <summary>
/// Chains ML.NET's ResNetPreprocess.onnx (RGB planes 0..255 -> BGR minus a mean image) in front of the CNTK ResNet18
/// trunk and flattens the pooled output, as one graph with input "input" [N, 3, 224, 224] and output "features" [N, 512].
/// </summary>
internal static class ResNet18Bundle
{
    public const string InputName = "input";
    public const string OutputName = "features";

    public static ModelProto Merge(ModelProto prep, ModelProto net)
    {
        var pg = prep.Graph;
        var ng = net.Graph;
        if (pg.Input.Count != 1 || pg.Output.Count != 1 || ng.Output.Count != 1)
            throw new OnnxImportException("LoadResNet18: the bundled models do not have the expected single input/output.");
        var netInputs = ng.Input.Where(i => ng.Initializer.All(t => t.Name != i.Name)).ToList();
        if (netInputs.Count != 1) throw new OnnxImportException("LoadResNet18: the bundled ResNet18 does not have exactly one input.");
        string prepIn = pg.Input[0].Name, prepOut = pg.Output[0].Name, netIn = netInputs[0].Name, netOut = ng.Output[0].Name;

        var g = new GraphProto { Name = "ResNet18WithPreprocess" };
        var input = pg.Input[0].Clone();
        input.Name = InputName;
        var batch = input.Type.TensorType.Shape.Dim[0];
        batch.ClearValue();
        batch.DimParam = "N";
        g.Input.Add(input);
        foreach (var n in pg.Node)
        {
            var c = n.Clone();
            c.Name = "Preprocess/" + n.OpType;
            for (int i = 0; i < c.Input.Count; i++) if (c.Input[i] == prepIn) c.Input[i] = InputName;
            g.Node.Add(c);
        }
        foreach (var n in ng.Node)
        {
            var c = n.Clone();
            for (int i = 0; i < c.Input.Count; i++) if (c.Input[i] == netIn) c.Input[i] = prepOut;
            g.Node.Add(c);
        }
        var flatten = new NodeProto { Name = OutputName, OpType = "Flatten" };
        flatten.Input.Add(netOut);
        flatten.Output.Add(OutputName);
        flatten.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        g.Node.Add(flatten);
        g.Initializer.AddRange(pg.Initializer);
        g.Initializer.AddRange(ng.Initializer);
        var output = new ValueInfoProto { Name = OutputName, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto() } } };
        output.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        output.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 512 });
        g.Output.Add(output);
        g.ValueInfo.AddRange(ng.ValueInfo);

        var m = new ModelProto { IrVersion = Math.Max(prep.IrVersion, net.IrVersion), ProducerName = "FeatureViz.Onnx", Graph = g };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Math.Max(OpsetOf(prep), OpsetOf(net)) });
        return m;
    }

    private static long OpsetOf(ModelProto m) => m.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();
}
