namespace FeatureViz.Onnx.Ops;

/// <summary>
/// The spatial attributes shared by Conv, ConvTranspose and the pools (kernel_shape, strides, dilations, pads,
/// auto_pad), normalised to 2-D: 1-D ops become 2-D ones with a leading spatial axis of size 1.
/// </summary>
internal sealed class SpatialAttrs
{
    public long[]? Kernel;
    public long[]? Strides;
    public long[]? Dilations;
    public long[]? Pads;
    public string AutoPad = "NOTSET";

    public static SpatialAttrs Read(NodeContext c, bool dilations = true)
    {
        var s = new SpatialAttrs
        {
            Kernel = c.Ints("kernel_shape"),
            Strides = c.Ints("strides"),
            Pads = c.Ints("pads"),
            AutoPad = c.StringIn("auto_pad", "NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"),
        };
        if (dilations) s.Dilations = c.Ints("dilations");
        return s;
    }

    /// <summary>Spatial rank check: only 1-D and 2-D are supported by the tensor library.</summary>
    public static int SpatialRank(Args a, int inputRank)
    {
        int sr = inputRank - 2;
        if (sr is < 1 or > 2) throw a.Fail($"input rank {inputRank} gives {sr} spatial dimensions; only 1-D and 2-D are supported");
        return sr;
    }

    /// <summary>Expands a per-spatial-axis attribute to 2-D (1-D gets a leading 1 / 0).</summary>
    public static int[] To2d(long[]? v, int sr, int fill, Args a, string name)
    {
        if (v is null) return [fill, fill];
        if (v.Length != sr) throw a.Fail($"{name} has {v.Length} values for {sr} spatial dimensions");
        return sr == 1 ? [fill == 0 ? 0 : 1, checked((int)v[0])] : [checked((int)v[0]), checked((int)v[1])];
    }

    /// <summary>Pads as [top, left, bottom, right] after auto_pad.</summary>
    public (int Top, int Left, int Bottom, int Right) ResolvePads(Args a, int sr, int[] inSize, int[] kernel, int[] stride, int[] dilation)
    {
        if (AutoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            var begin = new int[2];
            var end = new int[2];
            for (int i = 0; i < 2; i++)
            {
                int outSize = (inSize[i] + stride[i] - 1) / stride[i];
                int total = Math.Max(0, (outSize - 1) * stride[i] + (kernel[i] - 1) * dilation[i] + 1 - inSize[i]);
                begin[i] = AutoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                end[i] = total - begin[i];
            }
            return (begin[0], begin[1], end[0], end[1]);
        }
        if (AutoPad == "VALID" || Pads is null) return (0, 0, 0, 0);
        if (Pads.Length != 2 * sr) throw a.Fail($"pads has {Pads.Length} values for {sr} spatial dimensions");
        if (Pads.Any(p => p < 0)) throw a.Fail($"pads [{string.Join(", ", Pads)}] are negative");
        return sr == 1 ? (0, (int)Pads[0], 0, (int)Pads[1]) : ((int)Pads[0], (int)Pads[1], (int)Pads[2], (int)Pads[3]);
    }
}
