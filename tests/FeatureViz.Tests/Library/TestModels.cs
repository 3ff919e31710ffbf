using FeatureViz.Kernels.Cpu;
using FeatureViz.Models;
using FeatureViz.Onnx;
using FeatureViz.Tensors;

namespace FeatureViz.Tests.Library;

/// <summary>Delegate models for library tests (no ONNX needed).</summary>
internal static class TestModels
{
    public static CpuBackend Backend => CpuBackend.Default;

    /// <summary>A model whose layers are never run: input [1, 3, 8, 8]; layers conv [1,4,3,3], logits [1,10], features [1,5,2,2], mixed4_2 [1,6,4,4].</summary>
    public static VisualizationModel Shapes() => VisualizationModel.FromFunction(
        new ModelInput("input", [1, 3, 8, 8]),
        [
            new LayerInfo(0, "conv_node", "conv", "Conv", [1, 4, 3, 3]),
            new LayerInfo(1, "logits_node", "logits", "Gemm", [1, 10]),
            new LayerInfo(2, "features_node", "features", "Relu", [1, 5, 2, 2]),
            new LayerInfo(3, "mixed4_2_node", "mixed4_2", "Concat", [1, 6, 4, 4]),
        ],
        (_, _) => throw new InvalidOperationException("not runnable"),
        Backend);

    /// <summary>
    /// A one-conv "model": input [1, C, H, W]; layer "dot" [1, 1] is the dot product of the image with
    /// <paramref name="filter"/> (a constant [C*H*W]), computed as sum(x * filter).
    /// </summary>
    public static VisualizationModel DotProduct(float[] filter, int c, int h, int w) => VisualizationModel.FromFunction(
        new ModelInput("input", [1, c, h, w]),
        [new LayerInfo(0, "dot_node", "dot", "Conv", [1, 1])],
        (x, outputs) =>
        {
            var f = Tensor.FromArray(Backend, filter, 1, c, h, w);
            var y = x.Mul(f).Sum([1, 2, 3]).Reshape(x.Shape[0], 1);
            return new Dictionary<string, Tensor> { ["dot"] = y };
        },
        Backend);
}
