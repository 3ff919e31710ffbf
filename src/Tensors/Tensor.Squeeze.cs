namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>Removes the given size-1 axes (all size-1 axes when empty).</summary>
    public Tensor Squeeze(params int[] axes)
    {
        axes ??= [];
        var remove = new bool[Rank];
        if (axes.Length == 0)
        {
            for (int i = 0; i < Rank; i++) remove[i] = Shape[i] == 1;
        }
        else
        {
            foreach (var a in NormalizeAxes(axes, Rank, "Squeeze", Shape))
            {
                if (Shape[a] != 1)
                    throw new ArgumentException($"Squeeze: axis {a} of input {Shape} has size {Shape[a]}, not 1.", nameof(axes));
                remove[a] = true;
            }
        }
        var dims = new List<int>(Rank);
        for (int i = 0; i < Rank; i++) if (!remove[i]) dims.Add(Shape[i]);
        return SameElements("Squeeze", new Shape(dims.ToArray()));
    }

    /// <summary>Inserts size-1 axes at the given positions of the output (ONNX Unsqueeze; negative positions count from the output's end).</summary>
    public Tensor Unsqueeze(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        int outRank = Rank + axes.Length;
        var insert = new bool[outRank];
        foreach (var a in NormalizeAxes(axes, outRank, "Unsqueeze", Shape)) insert[a] = true;
        var dims = new int[outRank];
        for (int i = 0, k = 0; i < outRank; i++) dims[i] = insert[i] ? 1 : Shape[k++];
        return SameElements("Unsqueeze", new Shape(dims));
    }

    /// <summary>ONNX Flatten: 2-D [prod(dims[..axis]), prod(dims[axis..])]; axis may be 0, the rank, or negative.</summary>
    public Tensor Flatten(int axis = 1)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if (a < 0 || a > Rank)
            throw new ArgumentException($"Flatten: axis {axis} is out of range [{-Rank}, {Rank}] for input {Shape}.", nameof(axis));
        int outer = 1;
        for (int i = 0; i < a; i++) outer *= Shape[i];
        int inner = outer == 0 ? 0 : Numel / outer;
        if (outer == 0)
        {
            inner = 1;
            for (int i = a; i < Rank; i++) inner *= Shape[i];
        }
        return SameElements("Flatten", new Shape(outer, inner));
    }

    /// <summary>The same elements in another shape, recorded under <paramref name="op"/>.</summary>
    private Tensor SameElements(string op, Shape shape)
    {
        var x = this;
        return Record(op, Backend.Copy(Storage), shape, [x], (g, _) => [g.Reshape(x.Shape.ToArray())]);
    }
}
