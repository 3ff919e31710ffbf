using FeatureViz.Tensors.Backends;

namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// ONNX Pad: <paramref name="pads"/> is [begin_0, ..., begin_{r-1}, end_0, ..., end_{r-1}]; negative pads crop.
    /// Along each axis the negative sides are cropped first and the result is then padded, so Reflect, Edge and
    /// Wrap mirror, repeat or wrap the cropped tensor. Reflect mirrors periodically when a pad exceeds the dimension
    /// (NumPy "reflect").
    /// </summary>
    public Tensor Pad(int[] pads, PadMode mode = PadMode.Constant, float value = 0f)
    {
        ArgumentNullException.ThrowIfNull(pads);
        int r = Rank;
        if (pads.Length != 2 * r)
            throw new ArgumentException($"Pad: pads [{string.Join(", ", pads)}] has {pads.Length} entries; input {Shape} needs {2 * r}.", nameof(pads));
        if (r > PadGeometry.MaxRank)
            throw new ArgumentException($"Pad: input {Shape} has rank {r}; at most {PadGeometry.MaxRank} axes are supported.", "x");
        if (!Enum.IsDefined(mode))
            throw new ArgumentException($"Pad: unknown mode {mode}.", nameof(mode));
        var begin = new int[r];
        var lo = new int[r];
        var len = new int[r];
        var outDims = new long[r];
        for (int a = 0; a < r; a++)
        {
            int b = pads[a], e = pads[r + a], d = Shape[a];
            long kept = (long)d - Math.Max(0, -b) - Math.Max(0, -e);
            if (kept < 0)
                throw new ArgumentException($"Pad: pads [{string.Join(", ", pads)}] crop more than dimension {d} of axis {a} of input {Shape}.", nameof(pads));
            begin[a] = Math.Max(0, b);
            lo[a] = Math.Max(0, -b);
            len[a] = (int)kept;
            outDims[a] = kept + Math.Max(0, b) + Math.Max(0, e);
            if (mode != PadMode.Constant && kept == 0 && outDims[a] > 0)
                throw new ArgumentException($"Pad: {mode} padding of axis {a} needs at least one input element, but input {Shape} with pads [{string.Join(", ", pads)}] keeps none.", nameof(pads));
        }
        var outShape = TensorLimits.OutputShape("Pad", outDims, nameof(pads), $"input {Shape}, pads [{string.Join(", ", pads)}]");
        var geometry = new PadGeometry(inShape: Shape.Dims, outShape: outShape.Dims, begin: begin, lo: lo, len: len, mode: mode, value: value);
        var x = this;
        var y = Backend.Pad(Storage, geometry);
        return Record("Pad", y, outShape, [x], (g, _) =>
        {
            if (mode == PadMode.Constant)
            {
                // Constant padding is linear with a 0/1 selection; its adjoint crops, which is padding by -pads.
                var neg = new int[2 * r];
                for (int i = 0; i < neg.Length; i++) neg[i] = -pads[i];
                return [g.Pad(neg)];
            }
            return [Result(x.Backend.PadBackward(g.Storage, geometry), x.Shape)];
        });
    }
}
