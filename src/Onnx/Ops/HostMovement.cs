using FeatureViz.Onnx.Graph;

namespace FeatureViz.Onnx.Ops;

/// <summary>Movement ops on host integer values (small shape tensors), by explicit index mapping.</summary>
internal static class HostMovement
{
    /// <summary>Builds an output of <paramref name="outDims"/> whose element at index tuple i is src[srcIndex(i)].</summary>
    /// <remarks>The handlers check growing results (Expand, Tile) against the model's element limit first.</remarks>
    public static HostValue Map(HostValue src, int[] outDims, Func<int[], int[]> srcIndex)
    {
        long n = HostMath.CheckedCount("Map", outDims);
        var data = new long[n];
        var ss = new FeatureViz.Tensors.Shape(src.Dims).Strides();
        var idx = new int[outDims.Length];
        for (long k = 0; k < n; k++)
        {
            var si = srcIndex(idx);
            int flat = 0;
            for (int i = 0; i < si.Length; i++) flat += si[i] * ss[i];
            data[k] = src.Data[flat];
            for (int i = outDims.Length - 1; i >= 0; i--)
            {
                if (++idx[i] < outDims[i]) break;
                idx[i] = 0;
            }
        }
        return new HostValue(src.Type, outDims, data);
    }

    public static HostValue Reshape(HostValue v, int[] dims) => new(v.Type, dims, v.Data);

    public static HostValue Transpose(HostValue v, int[] perm)
    {
        var outDims = perm.Select(p => v.Dims[p]).ToArray();
        var si = new int[perm.Length];
        return Map(v, outDims, o => { for (int i = 0; i < perm.Length; i++) si[perm[i]] = o[i]; return si; });
    }

    public static HostValue Concat(IReadOnlyList<HostValue> parts, int axis)
    {
        var dims = (int[])parts[0].Dims.Clone();
        var wide = dims.Select(d => (long)d).ToArray();
        wide[axis] = parts.Sum(p => (long)p.Dims[axis]);
        HostMath.CheckedCount("Concat", wide);
        dims[axis] = (int)wide[axis];
        int outer = dims.Take(axis).Aggregate(1, (a, b) => a * b);
        var data = new List<long>();
        for (int o = 0; o < outer; o++)
            foreach (var p in parts)
            {
                int chunk = p.Dims.Skip(axis).Aggregate(1, (a, b) => a * b);
                data.AddRange(p.Data.AsSpan(o * chunk, chunk).ToArray());
            }
        return new HostValue(parts[0].Type, dims, data.ToArray());
    }

    /// <summary>Elements start, start+step, ... along each axis (counts already resolved).</summary>
    public static HostValue Slice(HostValue v, int[] start, int[] step, int[] count)
    {
        var si = new int[v.Rank];
        return Map(v, count, o => { for (int i = 0; i < si.Length; i++) si[i] = start[i] + o[i] * step[i]; return si; });
    }

    public static HostValue Gather(HostValue v, long[] indices, int[] indicesShape, int axis)
    {
        var outDims = v.Dims.Take(axis).Concat(indicesShape).Concat(v.Dims.Skip(axis + 1)).ToArray();
        var istr = new FeatureViz.Tensors.Shape(indicesShape).Strides();
        var si = new int[v.Rank];
        return Map(v, outDims, o =>
        {
            for (int i = 0; i < axis; i++) si[i] = o[i];
            int flat = 0;
            for (int i = 0; i < indicesShape.Length; i++) flat += o[axis + i] * istr[i];
            long ix = indices[flat];
            if (ix < 0) ix += v.Dims[axis];
            if (ix < 0 || ix >= v.Dims[axis]) throw new ArgumentException($"Gather: index {indices[flat]} is out of range for axis {axis} of size {v.Dims[axis]}.");
            si[axis] = (int)ix;
            for (int i = axis + 1; i < v.Rank; i++) si[i] = o[i - 1 + indicesShape.Length];
            return si;
        });
    }

    public static HostValue Expand(HostValue v, int[] dims)
    {
        var outDims = HostMath.BroadcastDims(v.Dims, dims, "Expand");
        var map = HostMath.BroadcastIndex(v.Dims, outDims);
        return new HostValue(v.Type, outDims, map.Select(i => v.Data[i]).ToArray());
    }

    public static HostValue Tile(HostValue v, int[] repeats)
    {
        var wide = v.Dims.Select((d, i) => (long)d * repeats[i]).ToArray();
        HostMath.CheckedCount("Tile", wide);
        var outDims = wide.Select(d => (int)d).ToArray();
        var si = new int[v.Rank];
        return Map(v, outDims, o => { for (int i = 0; i < si.Length; i++) si[i] = o[i] % v.Dims[i]; return si; });
    }
}
