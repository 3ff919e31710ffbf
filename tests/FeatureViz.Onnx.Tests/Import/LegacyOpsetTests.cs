using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors;
using FeatureViz.TestSupport;
using static FeatureViz.Onnx.Tests.Import.ModelBuilder;

namespace FeatureViz.Onnx.Tests.Import;

/// <summary>
/// Older-opset forms that the node-test data (regenerated at recent opsets) does not cover, against naive
/// references written here: attribute forms later turned into inputs, pre-13 Softmax, pre-7 broadcasting,
/// BatchNormalization spatial=0, Upsample and opset-10 Resize.
/// </summary>
public sealed class LegacyOpsetTests
{
    private static readonly CpuBackend Cpu = CpuBackend.Default;

    private static float[] Run(ModelBuilder b, params (string Name, float[] Data, int[] Dims)[] inputs)
    {
        using var m = b.Load();
        var feeds = inputs.ToDictionary(i => i.Name, i => Tensor.FromArray(Cpu, i.Data, i.Dims));
        return m.Run(feeds)[m.Outputs[0]].ToArray();
    }

    [Fact]
    public void SoftmaxBefore13FlattensAtAxis()
    {
        var x = Rand.Uniform(1, 24);
        var y = Run(new ModelBuilder(11).Input("x", 1, 2, 3, 4).Node("Softmax", ["x"], ["y"], "s", Int("axis", 1)).Output("y"), ("x", x, [2, 3, 4]));
        var expected = new float[24];
        for (int n = 0; n < 2; n++)
        {
            double sum = 0;
            for (int i = 0; i < 12; i++) sum += Math.Exp(x[n * 12 + i]);
            for (int i = 0; i < 12; i++) expected[n * 12 + i] = (float)(Math.Exp(x[n * 12 + i]) / sum);
        }
        Approx.Equal(expected, y);
        // Opset 13: the same node normalises over axis 1 only.
        var y13 = Run(new ModelBuilder(13).Input("x", 1, 2, 3, 4).Node("Softmax", ["x"], ["y"], "s", Int("axis", 1)).Output("y"), ("x", x, [2, 3, 4]));
        for (int n = 0; n < 2; n++)
            for (int k = 0; k < 4; k++)
            {
                double sum = 0;
                for (int c = 0; c < 3; c++) sum += Math.Exp(x[n * 12 + c * 4 + k]);
                for (int c = 0; c < 3; c++) Assert.Equal(Math.Exp(x[n * 12 + c * 4 + k]) / sum, y13[n * 12 + c * 4 + k], 5);
            }
    }

    [Fact]
    public void ClipAttributesBefore11()
    {
        var y = Run(new ModelBuilder(6).Input("x", 1, 4).Node("Clip", ["x"], ["y"], "c", Float("min", -0.5f), Float("max", 0.25f)).Output("y"),
            ("x", [-1f, -0.2f, 0.2f, 3f], [4]));
        Assert.Equal([-0.5f, -0.2f, 0.2f, 0.25f], y);
    }

    [Fact]
    public void SliceSplitSqueezeUnsqueezePadAttributeForms()
    {
        var x = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        var slice = Run(new ModelBuilder(9).Input("x", 1, 3, 4)
            .Node("Slice", ["x"], ["y"], "s", Ints("starts", 1, -3), Ints("ends", 3, 100), Ints("axes", 0, 1)).Output("y"), ("x", x, [3, 4]));
        Assert.Equal([5f, 6f, 7f, 9f, 10f, 11f], slice);

        using (var m = new ModelBuilder(11).Input("x", 1, 3, 4)
            .Node("Split", ["x"], ["a", "b"], "sp", Int("axis", 1), Ints("split", 1, 3)).Output("a").Output("b").Load())
        {
            var r = m.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.FromArray(Cpu, x, 3, 4) }, ["a", "b"]);
            Assert.Equal([0f, 4f, 8f], r["a"].ToArray());
            Assert.Equal([3, 3], r["b"].Shape.ToArray());
        }

        using (var m = new ModelBuilder(11).Input("x", 1, 3, 4)
            .Node("Unsqueeze", ["x"], ["u"], "u", Ints("axes", 0, -1))
            .Node("Squeeze", ["u"], ["y"], "q", Ints("axes", 0)).Output("y").Load())
        {
            var r = m.Run(new Dictionary<string, Tensor> { ["x"] = Tensor.FromArray(Cpu, x, 3, 4) }, ["u", "y"]);
            Assert.Equal([1, 3, 4, 1], r["u"].Shape.ToArray());
            Assert.Equal([3, 4, 1], r["y"].Shape.ToArray());
        }

        var pad = Run(new ModelBuilder(2).Input("x", 1, 2).Node("Pad", ["x"], ["y"], "p", Ints("pads", 1, 2), Float("value", 9f)).Output("y"),
            ("x", [1f, 2f], [2]));
        Assert.Equal([9f, 1f, 2f, 9f, 9f], pad);
    }

    [Fact]
    public void ReduceAxesAttributeForms()
    {
        var x = Enumerable.Range(0, 6).Select(i => (float)i).ToArray();
        var mean = Run(new ModelBuilder(13).Input("x", 1, 2, 3).Node("ReduceMean", ["x"], ["y"], "r", Ints("axes", -1), Int("keepdims", 0)).Output("y"), ("x", x, [2, 3]));
        Assert.Equal([1f, 4f], mean);
        var sum = Run(new ModelBuilder(11).Input("x", 1, 2, 3).Node("ReduceSum", ["x"], ["y"], "r", Ints("axes", 0)).Output("y"), ("x", x, [2, 3]));
        Assert.Equal([3f, 5f, 7f], sum);
    }

    [Fact]
    public void BinaryBroadcastBefore7AlignsAtAxis()
    {
        var a = Enumerable.Range(0, 24).Select(i => (float)i).ToArray();
        var y = Run(new ModelBuilder(6).Input("a", 1, 2, 3, 4).Input("b", 1, 3)
            .Node("Add", ["a", "b"], ["y"], "add", Int("broadcast", 1), Int("axis", 1)).Output("y"),
            ("a", a, [2, 3, 4]), ("b", [100f, 200f, 300f], [3]));
        for (int i = 0; i < 24; i++) Assert.Equal(a[i] + 100f * (i / 4 % 3 + 1), y[i]);
        Assert.Throws<OnnxImportException>(() => Run(new ModelBuilder(6).Input("a", 1, 2, 3).Input("b", 1, 3)
            .Node("Add", ["a", "b"], ["y"], "add").Output("y"), ("a", new float[6], [2, 3]), ("b", new float[3], [3])));
    }

    [Fact]
    public void BatchNormalizationSpatial0UsesPerActivationStatistics()
    {
        var x = Rand.Uniform(2, 2 * 2 * 3);
        var p = (Data: Rand.Uniform(3, 6), Dims: new long[] { 2, 3 });
        var mean = Rand.Uniform(4, 6);
        var variance = Rand.Positive(5, 6);
        var b = new ModelBuilder(7).Input("x", 1, 2, 2, 3)
            .Initializer("s", p.Data, p.Dims).Initializer("bias", mean, 2, 3).Initializer("m", mean, 2, 3).Initializer("v", variance, 2, 3)
            .Node("BatchNormalization", ["x", "s", "bias", "m", "v"], ["y"], "bn", Int("spatial", 0), Float("epsilon", 1e-3f)).Output("y");
        var y = Run(b, ("x", x, [2, 2, 3]));
        for (int i = 0; i < 12; i++)
        {
            int j = i % 6;
            double e = (x[i] - mean[j]) / Math.Sqrt(variance[j] + 1e-3) * p.Data[j] + mean[j];
            Assert.Equal(e, y[i], 5);
        }
    }

    [Fact]
    public void UpsampleAndResize10UseAsymmetricNearest()
    {
        var x = new[] { 1f, 2f, 3f, 4f };
        var up = Run(new ModelBuilder(7).Input("x", 1, 1, 1, 2, 2)
            .Node("Upsample", ["x"], ["y"], "u", new global::Onnx.AttributeProto { Name = "scales", Type = global::Onnx.AttributeProto.Types.AttributeType.Floats, Floats = { 1f, 1f, 2f, 3f } })
            .Output("y"), ("x", x, [1, 1, 2, 2]));
        Assert.Equal([1f, 1f, 1f, 2f, 2f, 2f, 1f, 1f, 1f, 2f, 2f, 2f, 3f, 3f, 3f, 4f, 4f, 4f, 3f, 3f, 3f, 4f, 4f, 4f], up);

        var scales = new global::Onnx.TensorProto { Name = "sc", DataType = 1, Dims = { 4 }, FloatData = { 1f, 1f, 1f, 2f } };
        var rz = Run(new ModelBuilder(10).Input("x", 1, 1, 1, 2, 2).Initializer(scales)
            .Node("Resize", ["x", "sc"], ["y"], "r", new global::Onnx.AttributeProto { Name = "mode", Type = global::Onnx.AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8("linear") })
            .Output("y"), ("x", x, [1, 1, 2, 2]));
        // Asymmetric linear: source x = i / 2 -> [0, 0.5, 1, 1(clamped)].
        Assert.Equal([1f, 1.5f, 2f, 2f, 3f, 3.5f, 4f, 4f], rz);
    }
}
