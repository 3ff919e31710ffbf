using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>True when an op over these inputs must record a graph node.</summary>
    internal static bool NeedsGraph(Tensor a) => GradMode.IsEnabled && a.RequiresGrad;

    internal static bool NeedsGraph(Tensor a, Tensor b) => GradMode.IsEnabled && (a.RequiresGrad || b.RequiresGrad);

    internal static bool NeedsGraph(ReadOnlySpan<Tensor> inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>
    /// Wraps <paramref name="storage"/> as the op's result and, when an input requires a gradient, records the node
    /// with its vector-Jacobian product. Op implementations (also outside this assembly) finish with this call.
    /// </summary>
    public static Tensor Record(string opName, TensorStorage storage, Shape shape, Tensor[] inputs, VjpFunction vjp)
    {
        var result = new Tensor(storage, shape);
        if (NeedsGraph(inputs)) result.SetGraph(new Node(opName, inputs, vjp));
        return result;
    }

    /// <summary>Checks that all tensors live on the same backend.</summary>
    internal static IBackend SameBackend(string op, Tensor a, Tensor b)
    {
        if (!ReferenceEquals(a.Backend, b.Backend))
            throw new ArgumentException($"{op}: tensors {a.Shape} on '{a.Backend.Name}' and {b.Shape} on '{b.Backend.Name}' are on different backends.");
        return a.Backend;
    }

    /// <summary>Sums a broadcast gradient back to <paramref name="shape"/> (the one place broadcasting is undone).</summary>
    public static Tensor SumToShape(Tensor g, Shape shape, string op)
    {
        if (g.Shape == shape) return g;
        if (g.Numel == shape.Numel) return g.Reshape(shape.ToArray());
        int extra = g.Rank - shape.Rank;
        if (extra < 0)
            throw new InvalidOperationException($"{op}: gradient {g.Shape} has lower rank than input {shape}.");
        var axes = new List<int>();
        for (int i = 0; i < g.Rank; i++)
        {
            if (i < extra) { axes.Add(i); continue; }
            int sd = shape[i - extra];
            if (sd == 1 && g.Shape[i] != 1) axes.Add(i);
            else if (sd != g.Shape[i])
                throw new InvalidOperationException($"{op}: gradient {g.Shape} cannot be summed to input shape {shape}.");
        }
        return g.Sum(axes.ToArray(), keepDims: true).Reshape(shape.ToArray());
    }
}
