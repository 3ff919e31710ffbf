using FeatureViz.Tensors;

namespace FeatureViz.Kernels.Cpu;

/// <summary>
/// Walks an output shape row by row while tracking the matching offsets into up to three broadcast inputs. Adjacent
/// dimensions that broadcast the same way are merged first, so [N,C,H,W] + [1,C,1,1] becomes rows of H*W.
/// </summary>
internal sealed class BroadcastIndexer
{
    public readonly int[] Dims;       // coalesced output dims
    public readonly int[][] Strides;  // per input, per dim; 0 where broadcast
    public readonly int RowLength;
    public readonly int Rows;

    public BroadcastIndexer(Shape outShape, params Shape[] inputs)
    {
        int r = outShape.Rank;
        var dims = outShape.ToArray();
        var strides = new int[inputs.Length][];
        for (int k = 0; k < inputs.Length; k++)
        {
            var s = inputs[k];
            var full = new int[r];
            int acc = 1;
            for (int i = r - 1; i >= 0; i--)
            {
                int j = i - (r - s.Rank);
                int d = j >= 0 ? s[j] : 1;
                full[i] = d == 1 && dims[i] != 1 ? 0 : acc;
                acc *= d;
            }
            strides[k] = full;
        }
        // Drop size-1 dims, then merge neighbours whose strides are contiguous for every input.
        var cd = new List<int>();
        var cs = new List<int[]>();
        for (int i = 0; i < r; i++)
        {
            if (dims[i] == 1) continue;
            var st = new int[inputs.Length];
            for (int k = 0; k < inputs.Length; k++) st[k] = strides[k][i];
            if (cd.Count > 0)
            {
                int last = cd.Count - 1;
                bool merge = true;
                for (int k = 0; k < inputs.Length; k++)
                    if (cs[last][k] != st[k] * dims[i]) { merge = false; break; }
                if (merge)
                {
                    cd[last] *= dims[i];
                    for (int k = 0; k < inputs.Length; k++) cs[last][k] = st[k];
                    continue;
                }
            }
            cd.Add(dims[i]);
            cs.Add(st);
        }
        if (cd.Count == 0) { cd.Add(1); cs.Add(new int[inputs.Length]); }
        Dims = cd.ToArray();
        Strides = new int[inputs.Length][];
        for (int k = 0; k < inputs.Length; k++)
        {
            Strides[k] = new int[Dims.Length];
            for (int i = 0; i < Dims.Length; i++) Strides[k][i] = cs[i][k];
        }
        RowLength = Dims[^1];
        Rows = outShape.Numel == 0 ? 0 : outShape.Numel / RowLength;
    }

    /// <summary>Offset of input <paramref name="k"/> at the start of output row <paramref name="row"/>.</summary>
    public int RowOffset(int k, int row)
    {
        int off = 0;
        var st = Strides[k];
        for (int i = Dims.Length - 2; i >= 0; i--)
        {
            int d = Dims[i];
            off += (row % d) * st[i];
            row /= d;
        }
        return off;
    }

    /// <summary>Stride of input <paramref name="k"/> along a row (0 or 1).</summary>
    public int InnerStride(int k) => Strides[k][^1];
}
