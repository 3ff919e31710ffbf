using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;

namespace FeatureViz.Onnx;

/// <summary>The arithmetic a forward pass of a model does in its convolutions and matrix products.</summary>
/// <param name="Flops">Floating-point operations (a multiply-add counts 2) of the Conv, ConvTranspose, Gemm and MatMul nodes.</param>
/// <param name="Nodes">How many such nodes the pass runs.</param>
public sealed record ForwardCost(double Flops, int Nodes);

/// <summary>Counts the FLOPs of a forward pass from the graph and the actual shapes (bias additions and elementwise ops are not counted).</summary>
public static class ModelCost
{
    /// <summary>
    /// The convolution and matrix-product FLOPs of running <paramref name="model"/> on <paramref name="inputs"/> up to
    /// <paramref name="outputs"/> (the graph outputs when null): only the nodes those outputs need count. Runs the
    /// needed part of the graph once (without recording gradients) to learn every shape.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown input or output name, or an input of the wrong shape (as <see cref="OnnxModel.Run(IReadOnlyDictionary{string, Tensor}, IEnumerable{string})"/>).</exception>
    public static ForwardCost Forward(OnnxModel model, IReadOnlyDictionary<string, Tensor> inputs, IEnumerable<string>? outputs = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        var graph = model.Graph;
        var wanted = (outputs ?? model.Outputs).Select(n => model.Layers.FirstOrDefault(l => l.NodeName == n && l.OutputName != n)?.OutputName ?? n).ToList();
        var counted = new List<GraphNode>();
        var seen = new HashSet<int>();
        var stack = new Stack<string>(wanted);
        while (stack.Count > 0)
        {
            var p = graph.Producer(stack.Pop());
            if (p is null || !seen.Add(p.Index) || p.Kind == NodeKind.Constant) continue;
            if (p.OpType is "Conv" or "ConvTranspose" or "Gemm" or "MatMul") counted.Add(p);
            foreach (var i in p.Inputs) if (i.Length > 0) stack.Push(i);
        }
        var names = wanted.Concat(counted.SelectMany(n => n.Inputs.Take(2).Append(n.Outputs[0]))).Distinct(StringComparer.Ordinal).ToList();
        double flops = 0;
        using (TensorScope.Begin())
        using (GradMode.NoGrad())
        {
            var feeds = inputs.ToDictionary(kv => kv.Key, kv => (Value)new TensorValue(kv.Value), StringComparer.Ordinal);
            var values = graph.Execute(feeds, names);
            foreach (var n in counted)
                flops += NodeFlops(n, values[n.Inputs[0]].Dims, values[n.Inputs[1]].Dims, values[n.Outputs[0]].Dims);
        }
        return new ForwardCost(flops, counted.Count);
    }

    private static double NodeFlops(GraphNode n, int[] a, int[] b, int[] y)
    {
        double outputs = 1;
        foreach (var d in y) outputs *= d;
        switch (n.OpType)
        {
            case "Conv":
                // Each output element: (C_in / group) x kernel multiply-adds; the weight is [C_out, C_in / group, k...].
                double perOutput = 1;
                for (int d = 1; d < b.Length; d++) perOutput *= b[d];
                return 2 * outputs * perOutput;
            case "ConvTranspose":
                // Each input element scatters into (C_out / group) x kernel outputs; the weight is [C_in, C_out / group, k...].
                double inputs = 1;
                foreach (var d in a) inputs *= d;
                double perInput = 1;
                for (int d = 1; d < b.Length; d++) perInput *= b[d];
                return 2 * inputs * perInput;
            case "Gemm":
                return 2 * outputs * (n.Context.Int("transA", 0) != 0 ? a[0] : a[^1]);
            default: // MatMul: the contraction is A's last axis (a 1-D A is its only axis).
                return 2 * outputs * a[^1];
        }
    }
}
