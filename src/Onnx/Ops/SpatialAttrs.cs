using FeatureViz.Tensors;

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
    /// <summary>ConvTranspose's output_padding as given (for messages).</summary>
    public long[]? OutputPadding;

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
        foreach (var x in v)
            if (x is < int.MinValue or > int.MaxValue) throw a.Fail($"attribute {name}={Text(v)}: {x} is out of range");
        return sr == 1 ? [fill == 0 ? 0 : 1, (int)v[0]] : [(int)v[0], (int)v[1]];
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
                if (stride[i] < 1) throw a.Fail($"attribute strides={Text(Strides)}: stride {stride[i]} must be positive");
                long outSize = ((long)inSize[i] + stride[i] - 1) / stride[i];
                long total = Math.Max(0, (outSize - 1) * stride[i] + (long)(kernel[i] - 1) * dilation[i] + 1 - inSize[i]);
                if (total > int.MaxValue) throw a.Fail($"auto_pad={AutoPad} with kernel {kernel[i]}, strides={Text(Strides)} and dilations={Text(Dilations)} needs {total} pads");
                begin[i] = (int)(AutoPad == "SAME_UPPER" ? total / 2 : total - total / 2);
                end[i] = (int)total - begin[i];
            }
            return (begin[0], begin[1], end[0], end[1]);
        }
        if (AutoPad == "VALID" || Pads is null) return (0, 0, 0, 0);
        if (Pads.Length != 2 * sr) throw a.Fail($"pads has {Pads.Length} values for {sr} spatial dimensions");
        if (Pads.Any(p => p is < 0 or > int.MaxValue)) throw a.Fail($"attribute pads={Text(Pads)}: pads must be non-negative and at most {int.MaxValue}");
        return sr == 1 ? (0, (int)Pads[0], 0, (int)Pads[1]) : ((int)Pads[0], (int)Pads[1], (int)Pads[2], (int)Pads[3]);
    }

    /// <summary>
    /// Holds every spatial axis to the shared range rules (<see cref="SpatialGeometry.Problem"/>) before the op runs,
    /// failing with the attribute, its value, the reason and the input shape.
    /// </summary>
    public void CheckRanges(Args a, SpatialOpKind kind, Shape input, int sr, int[] inSize, int[] kernel, int[] stride, int[] dilation,
        (int Top, int Left, int Bottom, int Right) pads, int[]? outputPadding = null, bool ceil = false)
    {
        for (int i = 2 - sr; i < 2; i++)
        {
            var axis = new SpatialAxis(inSize[i], kernel[i], stride[i], dilation[i], i == 0 ? pads.Top : pads.Left, i == 0 ? pads.Bottom : pads.Right,
                outputPadding?[i] ?? 0, ceil);
            if (SpatialGeometry.Problem(kind, axis) is not { } p) continue;
            string value = p.Argument switch
            {
                SpatialArgument.Kernel => Kernel is null ? $"{kernel[i]} (from the weight)" : Text(Kernel),
                SpatialArgument.Strides => Text(Strides),
                SpatialArgument.Dilations => Text(Dilations),
                SpatialArgument.Pads => AutoPad is "SAME_UPPER" or "SAME_LOWER" ? $"{Text(Pads)} (auto_pad={AutoPad})" : Text(Pads),
                _ => Text(OutputPadding),
            };
            throw a.Fail($"attribute {p.Argument.AttributeName()}={value}: {p.Message} (spatial axis {i - (2 - sr)} of input {input})");
        }
    }

    private static string Text(long[]? v) => v is null ? "default" : $"[{string.Join(", ", v)}]";
}
