using FeatureViz.Tensors.Backends;

namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>Sum over <paramref name="axes"/> (all when null; negative axes count from the end).</summary>
    public Tensor Sum(int[]? axes = null, bool keepDims = false) => Reduce(ReduceKind.Sum, "Sum", axes, keepDims);

    /// <summary>Largest element over <paramref name="axes"/>; ties share the gradient evenly.</summary>
    public Tensor Max(int[]? axes = null, bool keepDims = false) => Reduce(ReduceKind.Max, "Max", axes, keepDims);

    /// <summary>Smallest element over <paramref name="axes"/>; ties share the gradient evenly.</summary>
    public Tensor Min(int[]? axes = null, bool keepDims = false) => Reduce(ReduceKind.Min, "Min", axes, keepDims);

    /// <summary>Mean over <paramref name="axes"/> (all when null).</summary>
    public Tensor Mean(int[]? axes = null, bool keepDims = false)
    {
        var ax = NormalizeAxes(axes, Rank, "Mean", Shape);
        long count = 1;
        foreach (var a in ax) count *= Shape[a];
        if (count == 0) throw new ArgumentException($"Mean: reducing over an empty axis of {Shape}.", nameof(axes));
        return Sum(ax, keepDims).Mul(1f / count);
    }

    /// <summary>Softmax along <paramref name="axis"/> (max-subtracted for stability).</summary>
    public Tensor Softmax(int axis = -1)
    {
        int a = Shape.NormalizeAxis(axis, Rank, "Softmax");
        var m = MaxNoGrad(a);
        var e = Sub(m).Exp();
        return e.Div(e.Sum([a], keepDims: true));
    }

    /// <summary>log(Softmax(x)) along <paramref name="axis"/>, computed stably.</summary>
    public Tensor LogSoftmax(int axis = -1)
    {
        int a = Shape.NormalizeAxis(axis, Rank, "LogSoftmax");
        var shifted = Sub(MaxNoGrad(a));
        return shifted.Sub(shifted.Exp().Sum([a], keepDims: true).Log());
    }

    private Tensor MaxNoGrad(int axis)
    {
        using (Autograd.GradMode.NoGrad()) return Max([axis], keepDims: true);
    }

    /// <summary>Sorted, distinct, non-negative axes; all axes when null.</summary>
    internal static int[] NormalizeAxes(int[]? axes, int rank, string op, Shape input)
    {
        if (axes is null) return Enumerable.Range(0, rank).ToArray();
        var r = new int[axes.Length];
        for (int i = 0; i < axes.Length; i++)
        {
            r[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (r[i] < 0 || r[i] >= rank)
                throw new ArgumentException($"{op}: axis {axes[i]} is out of range for rank {rank} (input {input}).", nameof(axes));
        }
        Array.Sort(r);
        for (int i = 1; i < r.Length; i++)
            if (r[i] == r[i - 1]) throw new ArgumentException($"{op}: axis {r[i]} appears twice in [{string.Join(", ", axes)}] (input {input}).", nameof(axes));
        return r;
    }

    private Tensor Reduce(ReduceKind kind, string op, int[]? axes, bool keepDims)
    {
        var ax = NormalizeAxes(axes, Rank, op, Shape);
        var keep = Shape.ToArray();
        foreach (var a in ax)
        {
            if (kind != ReduceKind.Sum && keep[a] == 0)
                throw new ArgumentException($"{op}: cannot reduce over empty axis {a} of {Shape}.", nameof(axes));
            keep[a] = 1;
        }
        var keepShape = new Shape(keep);
        var outShape = keepDims ? keepShape : new Shape(keep.Where((_, i) => Array.IndexOf(ax, i) < 0).ToArray());
        var x = this;
        var y = Backend.Reduce(kind, Storage, Shape, ax);
        Tensor? result = null;
        result = Record(op, y, outShape, [x], (g, _) =>
        {
            var gk = g.Reshape(keep);
            if (kind == ReduceKind.Sum) return [Result(x.Backend.BroadcastTo(gk.Storage, keepShape, x.Shape), x.Shape)];
            // Max/Min: the gradient goes to the extreme elements, shared evenly between ties.
            var mask = Result(x.Backend.Binary(new Ops.EqualOp(), x.Storage, x.Shape, result!.Storage, keepShape, x.Shape), x.Shape);
            var count = mask.Sum(ax, keepDims: true);
            return [mask.Mul(gk.Div(count))];
        });
        return result;
    }

    /// <summary>
    /// The same elements in a new shape. One dimension may be -1 (inferred). Copies the values (tensors never share
    /// storage, which keeps lifetimes simple).
    /// </summary>
    public Tensor Reshape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var d = (int[])dims.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < d.Length; i++)
        {
            if (d[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"Reshape: more than one -1 in [{string.Join(", ", dims)}] for input {Shape}.", nameof(dims));
                infer = i;
            }
            else if (d[i] < 0) throw new ArgumentException($"Reshape: negative dimension in [{string.Join(", ", dims)}] for input {Shape}.", nameof(dims));
            else known *= d[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Numel % known != 0)
                throw new ArgumentException($"Reshape: cannot infer -1 in [{string.Join(", ", dims)}] for input {Shape} ({Numel} elements).", nameof(dims));
            d[infer] = (int)(Numel / known);
        }
        var shape = new Shape(d);
        if (shape.Numel != Numel)
            throw new ArgumentException($"Reshape: input {Shape} has {Numel} elements but [{string.Join(", ", dims)}] has {shape.Numel}.", nameof(dims));
        var x = this;
        return Record("Reshape", Backend.Copy(Storage), shape, [x], (g, _) => [g.Reshape(x.Shape.ToArray())]);
    }
}
