using FeatureViz.Tensors.Backends;

namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>Permutes dimensions (ONNX Transpose; null reverses them). Negative entries count from the end.</summary>
    public Tensor Transpose(params int[]? perm)
    {
        int r = Rank;
        var p = new int[r];
        if (perm is null || perm.Length == 0 && r > 0)
        {
            for (int i = 0; i < r; i++) p[i] = r - 1 - i;
        }
        else
        {
            if (perm.Length != r)
                throw new ArgumentException($"Transpose: perm [{string.Join(", ", perm)}] has {perm.Length} entries for input {Shape} of rank {r}.", nameof(perm));
            var seen = new bool[r];
            for (int i = 0; i < r; i++)
            {
                int a = perm[i] < 0 ? perm[i] + r : perm[i];
                if (a < 0 || a >= r || seen[a])
                    throw new ArgumentException($"Transpose: perm [{string.Join(", ", perm)}] is not a permutation of the axes of input {Shape}.", nameof(perm));
                seen[a] = true;
                p[i] = a;
            }
        }
        var inStrides = Shape.Strides();
        var outDims = new int[r];
        var strides = new int[r];
        var inverse = new int[r];
        for (int i = 0; i < r; i++)
        {
            outDims[i] = Shape[p[i]];
            strides[i] = inStrides[p[i]];
            inverse[p[i]] = i;
        }
        var outShape = new Shape(outDims);
        var y = Backend.StridedCopy(Storage, View("Transpose", outShape, strides, 0));
        return Record("Transpose", y, outShape, [this], (g, _) => [g.Transpose(inverse)]);
    }

    /// <summary>The strided view of an op, whose error (more axes than a view holds) names the op and the input shape.</summary>
    private StridedView View(string op, Shape outShape, int[] strides, int offset)
    {
        try { return new StridedView(outShape, strides, offset); }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{op}: input {Shape} to {outShape} cannot be read as one strided view ({e.Message})", "x", e);
        }
    }

    /// <summary>ONNX Slice: per-axis starts/ends (clamped, negative counts from the end), optional axes and steps (negative steps walk backwards).</summary>
    public Tensor Slice(long[] starts, long[] ends, int[]? axes = null, long[]? steps = null)
    {
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(ends);
        int r = Rank;
        if (starts.Length != ends.Length)
            throw new ArgumentException($"Slice: starts has {starts.Length} entries but ends has {ends.Length} (input {Shape}).", nameof(ends));
        if (axes is null && starts.Length > r)
            throw new ArgumentException($"Slice: {starts.Length} starts for input {Shape} of rank {r}.", nameof(starts));
        if (axes is not null && axes.Length != starts.Length)
            throw new ArgumentException($"Slice: axes [{string.Join(", ", axes)}] has {axes.Length} entries but starts has {starts.Length} (input {Shape}).", nameof(axes));
        if (steps is not null && steps.Length != starts.Length)
            throw new ArgumentException($"Slice: steps has {steps.Length} entries but starts has {starts.Length} (input {Shape}).", nameof(steps));

        var inStrides = Shape.Strides();
        var outDims = Shape.ToArray();
        var strides = (int[])inStrides.Clone();
        long offset = 0;
        var seen = new bool[r];
        for (int k = 0; k < starts.Length; k++)
        {
            int a = axes is null ? k : axes[k] < 0 ? axes[k] + r : axes[k];
            if (a < 0 || a >= r)
                throw new ArgumentException($"Slice: axis {axes![k]} is out of range for input {Shape}.", nameof(axes));
            if (seen[a])
                throw new ArgumentException($"Slice: axis {a} appears twice in axes [{string.Join(", ", axes!)}] (input {Shape}).", nameof(axes));
            seen[a] = true;
            long step = steps is null ? 1 : steps[k];
            if (step == 0)
                throw new ArgumentException($"Slice: step 0 on axis {a} (input {Shape}).", nameof(steps));
            long d = Shape[a];
            long s = starts[k], e = ends[k];
            if (s < 0) s += d;
            if (e < 0) e += d;
            long count;
            if (d == 0) count = 0;
            else if (step > 0)
            {
                s = Math.Clamp(s, 0, d);
                e = Math.Clamp(e, 0, d);
                count = e > s ? (e - s + step - 1) / step : 0;
            }
            else
            {
                s = Math.Clamp(s, 0, d - 1);
                e = Math.Clamp(e, -1, d - 1);
                count = s > e ? (s - e + (-step) - 1) / -step : 0;
            }
            outDims[a] = (int)count;
            if (count > 0)
            {
                offset += s * inStrides[a];
                // A step beyond the dimension only ever takes one element.
                strides[a] = count == 1 ? inStrides[a] : checked((int)(step * inStrides[a]));
            }
        }
        var outShape = new Shape(outDims);
        var view = View("Slice", outShape, strides, outShape.Numel == 0 ? 0 : (int)offset);
        var x = this;
        var y = Backend.StridedCopy(Storage, view);
        return Record("Slice", y, outShape, [x], (g, _) => [Result(x.Backend.StridedScatter(g.Storage, view, x.Numel), x.Shape)]);
    }

    /// <summary>Joins tensors along <paramref name="axis"/>; all other dimensions must match.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Concat: no tensors to join.", nameof(tensors));
        var first = tensors[0];
        int r = first.Rank;
        if (r == 0) throw new ArgumentException("Concat: cannot join rank-0 tensors.", nameof(tensors));
        int a = Shape.NormalizeAxis(axis, r, "Concat");
        var dims = first.Shape.ToArray();
        long total = 0;
        foreach (var t in tensors)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(tensors));
            SameBackend("Concat", first, t);
            bool ok = t.Rank == r;
            for (int i = 0; ok && i < r; i++) ok = i == a || t.Shape[i] == dims[i];
            if (!ok)
                throw new ArgumentException($"Concat: shapes {string.Join(", ", tensors.Select(x => x.Shape))} differ outside axis {axis}.", nameof(tensors));
            total += t.Shape[a];
        }
        var outDims = dims.Select(d => (long)d).ToArray();
        outDims[a] = total;
        var outShape = TensorLimits.OutputShape("Concat", outDims, nameof(tensors), $"{tensors.Count} tensors joined along axis {axis}");
        dims = outShape.ToArray();
        int outer = 1, innerUnit = 1;
        for (int i = 0; i < a; i++) outer *= dims[i];
        for (int i = a + 1; i < r; i++) innerUnit *= dims[i];
        var partInner = tensors.Select(t => t.Shape[a] * innerUnit).ToArray();
        var inputs = tensors.ToArray();
        var y = first.Backend.Concat(inputs.Select(t => t.Storage).ToArray(), outer, partInner);
        return Record("Concat", y, outShape, inputs, (g, needs) =>
        {
            var pieces = g.Backend.Split(g.Storage, outer, partInner);
            var grads = new Tensor?[inputs.Length];
            for (int k = 0; k < inputs.Length; k++)
            {
                if (needs[k]) grads[k] = Result(pieces[k], inputs[k].Shape);
                else pieces[k].Dispose();
            }
            return grads;
        });
    }

    /// <summary>Splits along <paramref name="axis"/> into pieces of the given sizes (which must add up to the dimension).</summary>
    public Tensor[] Split(int axis, int[] sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (Rank == 0) throw new ArgumentException("Split: cannot split a rank-0 tensor.", nameof(axis));
        int a = Shape.NormalizeAxis(axis, Rank, "Split");
        if (sizes.Length == 0)
            throw new ArgumentException($"Split: no sizes given for axis {axis} of input {Shape}.", nameof(sizes));
        long sum = 0;
        foreach (var s in sizes)
        {
            if (s < 0) throw new ArgumentException($"Split: negative size in [{string.Join(", ", sizes)}] for input {Shape}.", nameof(sizes));
            sum += s;
        }
        if (sum != Shape[a])
            throw new ArgumentException($"Split: sizes [{string.Join(", ", sizes)}] add up to {sum}, not to dimension {Shape[a]} of axis {axis} of input {Shape}.", nameof(sizes));
        int outer = 1, innerUnit = 1;
        for (int i = 0; i < a; i++) outer *= Shape[i];
        for (int i = a + 1; i < Rank; i++) innerUnit *= Shape[i];
        var partInner = sizes.Select(s => s * innerUnit).ToArray();
        var pieces = Backend.Split(Storage, outer, partInner);
        var result = new Tensor[sizes.Length];
        var x = this;
        int before = 0;
        for (int k = 0; k < sizes.Length; k++)
        {
            var dims = Shape.ToArray();
            dims[a] = sizes[k];
            // The gradient of a piece is the piece's gradient zero-padded back to the input along the axis.
            var pads = new int[2 * Rank];
            pads[a] = before;
            pads[Rank + a] = Shape[a] - before - sizes[k];
            result[k] = Record("Split", pieces[k], new Shape(dims), [x], (g, _) => [g.Pad(pads)]);
            before += sizes[k];
        }
        return result;
    }

    /// <summary>
    /// Splits along <paramref name="axis"/> into <paramref name="parts"/> pieces of size ceil(dim / parts), the last
    /// one smaller when the dimension does not divide evenly (ONNX Split with num_outputs).
    /// </summary>
    public Tensor[] Split(int axis, int parts)
    {
        if (Rank == 0) throw new ArgumentException("Split: cannot split a rank-0 tensor.", nameof(axis));
        int a = Shape.NormalizeAxis(axis, Rank, "Split");
        int d = Shape[a];
        if (parts < 1 || parts > Math.Max(d, 1))
            throw new ArgumentException($"Split: cannot split dimension {d} of axis {axis} of input {Shape} into {parts} parts.", nameof(parts));
        int size = (d + parts - 1) / parts;
        var sizes = new int[parts];
        for (int k = 0; k < parts; k++) sizes[k] = Math.Max(0, Math.Min(size, d - k * size));
        return Split(axis, sizes);
    }

    /// <summary>The largest axis <see cref="Gather(Tensor, int)"/> addresses: float indices are exact integers up to 2^24.</summary>
    public const int MaxGatherAxis = 1 << 24;

    /// <summary>
    /// ONNX Gather along <paramref name="axis"/> with host indices of shape <paramref name="indicesShape"/> (negative
    /// indices count from the end). The indices are checked here; their float index table is uploaded once per
    /// backend and content (a cached constant table), so repeating a gather transfers nothing.
    /// </summary>
    public Tensor Gather(int[] indices, int[] indicesShape, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(indicesShape);
        if (Rank == 0) throw new ArgumentException("Gather: cannot gather from a rank-0 tensor.", nameof(axis));
        int a = Shape.NormalizeAxis(axis, Rank, "Gather");
        var iShape = new Shape(indicesShape);
        if (iShape.Numel != indices.Length)
            throw new ArgumentException($"Gather: {indices.Length} indices do not fill indices shape {iShape} (input {Shape}).", nameof(indicesShape));
        int d = Shape[a];
        var table = new float[indices.Length];
        for (int i = 0; i < table.Length; i++)
        {
            int v = indices[i] < 0 ? indices[i] + d : indices[i];
            if (v < 0 || v >= d)
                throw new ArgumentException($"Gather: index {indices[i]} is out of range for axis {axis} of size {d} (input {Shape}).", nameof(indices));
            table[i] = v;
        }
        var (outer, _, inner, outShape) = GatherOutput(a, axis, iShape, nameof(indicesShape));
        var device = FusedDefaults.Table(Backend, new GatherTableKey(table), () => table);
        return GatherCore(device, outer, d, inner, outShape, []);
    }

    /// <summary>
    /// ONNX Gather along <paramref name="axis"/> with device indices: <paramref name="indices"/> holds exact integers
    /// as floats (as the ONNX importer holds Int64 tensors), negative ones counting from the end. Index values are
    /// device data and are not read back to be checked: an index that is not an integer in [-d, d) for the axis size
    /// d gives a zero row and no gradient. No gradient flows to the indices.
    /// </summary>
    public Tensor Gather(Tensor indices, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (Rank == 0) throw new ArgumentException("Gather: cannot gather from a rank-0 tensor.", nameof(axis));
        int a = Shape.NormalizeAxis(axis, Rank, "Gather");
        var backend = SameBackend("Gather", this, indices);
        var (outer, d, inner, outShape) = GatherOutput(a, axis, indices.Shape, nameof(indices));
        return GatherCore(indices.Storage, outer, d, inner, outShape, [indices]);
    }

    private Tensor GatherCore(TensorStorage indices, int outer, int d, int inner, Shape outShape, Tensor[] indexInputs)
    {
        var x = this;
        var y = Backend.Gather(Storage, outer, d, inner, indices);
        return Record("Gather", y, outShape, [x, .. indexInputs],
            (g, _) => [Result(x.Backend.GatherBackward(g.Storage, outer, d, inner, indices), x.Shape), .. indexInputs.Select(_ => (Tensor?)null)]);
    }

    /// <summary>Cache key of a host index table: equal when the contents are.</summary>
    private sealed class GatherTableKey(float[] table) : IEquatable<GatherTableKey>
    {
        private readonly float[] _table = table;
        private readonly int _hash = Hash(table);

        private static int Hash(float[] t)
        {
            var h = new HashCode();
            h.Add(t.Length);
            foreach (var v in t) h.Add(v);
            return h.ToHashCode();
        }

        public bool Equals(GatherTableKey? other) => other is not null && _hash == other._hash && _table.AsSpan().SequenceEqual(other._table);

        public override bool Equals(object? obj) => Equals(obj as GatherTableKey);

        public override int GetHashCode() => _hash;
    }

    private (int Outer, int AxisDim, int Inner, Shape OutShape) GatherOutput(int a, int axis, Shape indicesShape, string argument)
    {
        int d = Shape[a];
        if (d > MaxGatherAxis)
            throw new ArgumentException($"Gather: axis {axis} of input {Shape} has {d} entries, more than the {MaxGatherAxis} that float indices address exactly.", nameof(axis));
        int outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= Shape[i];
        for (int i = a + 1; i < Rank; i++) inner *= Shape[i];
        var dims = new List<int>();
        for (int i = 0; i < a; i++) dims.Add(Shape[i]);
        dims.AddRange(indicesShape.ToArray());
        for (int i = a + 1; i < Rank; i++) dims.Add(Shape[i]);
        var outShape = TensorLimits.OutputShape("Gather", [.. dims], argument, $"input {Shape}, axis {axis}, indices {indicesShape}");
        return (outer, d, inner, outShape);
    }

    /// <summary>ONNX Expand: bidirectional broadcast to <paramref name="dims"/>.</summary>
    public Tensor Expand(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        foreach (var v in dims)
            if (v < 0) throw new ArgumentException($"Expand: negative dimension in [{string.Join(", ", dims)}] for input {Shape}.", nameof(dims));
        var outShape = Shape.Broadcast(Shape, TensorLimits.OutputShape("Expand", [.. dims], nameof(dims), $"input {Shape}"), "Expand", nameof(dims));
        // The broadcast gradient is summed back to the input shape by autograd.
        return Record("Expand", Backend.BroadcastTo(Storage, Shape, outShape), outShape, [this], (g, _) => [g]);
    }

    /// <summary>ONNX Tile: repeats each dimension.</summary>
    public Tensor Tile(params int[] repeats)
    {
        ArgumentNullException.ThrowIfNull(repeats);
        if (repeats.Length != Rank)
            throw new ArgumentException($"Tile: repeats [{string.Join(", ", repeats)}] has {repeats.Length} entries for input {Shape} of rank {Rank}.", nameof(repeats));
        // Tiling is broadcasting [1, d0, 1, d1, ...] to [r0, d0, r1, d1, ...]; the flat layouts coincide.
        var single = new int[2 * Rank];
        var tiled = new int[2 * Rank];
        var outDims = new long[Rank];
        var repeatAxes = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            if (repeats[i] < 0)
                throw new ArgumentException($"Tile: negative repeat in [{string.Join(", ", repeats)}] for input {Shape}.", nameof(repeats));
            single[2 * i] = 1;
            single[2 * i + 1] = Shape[i];
            tiled[2 * i] = repeats[i];
            tiled[2 * i + 1] = Shape[i];
            outDims[i] = (long)repeats[i] * Shape[i];
            repeatAxes[i] = 2 * i;
        }
        var outShape = TensorLimits.OutputShape("Tile", outDims, nameof(repeats), $"input {Shape}, repeats [{string.Join(", ", repeats)}]");
        var x = this;
        var y = Backend.BroadcastTo(Storage, new Shape(single), new Shape(tiled));
        return Record("Tile", y, outShape, [x], (g, _) =>
            [g.Reshape(tiled).Sum(repeatAxes, keepDims: false).Reshape(x.Shape.ToArray())]);
    }
}

/// <summary>How <see cref="Tensor.Pad"/> fills new elements.</summary>
public enum PadMode
{
    /// <summary>A constant value.</summary>
    Constant,
    /// <summary>Mirror without repeating the edge (numpy "reflect").</summary>
    Reflect,
    /// <summary>Repeat the edge value.</summary>
    Edge,
    /// <summary>Wrap around periodically (ONNX "wrap", NumPy "wrap").</summary>
    Wrap,
}
