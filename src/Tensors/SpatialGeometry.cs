namespace FeatureViz.Tensors;

/// <summary>
/// The range rules of convolution and pooling attributes against the input, one spatial axis at a time, shared by
/// the tensor ops and the model importers so that both reject the same geometries with the same reasons. All
/// arithmetic is in <see cref="long"/>: no attribute value can overflow it.
/// </summary>
public static class SpatialGeometry
{
    /// <summary>
    /// The first rule <paramref name="axis"/> breaks for an op of <paramref name="kind"/>, or null when it is valid:
    /// kernel, stride and dilation positive; pads and output padding non-negative; for convolutions and pools, the
    /// dilated kernel within the padded input, no pad beyond both the input and the kernel extent (pools: every pad
    /// smaller than the kernel extent, so no window lies entirely in the padding), and no stride larger than the
    /// padded input unless the kernel covers all of it (one window, so the stride is never applied); for transposed
    /// convolutions, output padding smaller than the stride or the dilation and pads that leave a non-empty output.
    /// </summary>
    public static SpatialProblem? Problem(SpatialOpKind kind, SpatialAxis axis)
    {
        var (size, k, s, d, p0, p1) = (axis.Size, axis.Kernel, axis.Stride, axis.Dilation, axis.PadBegin, axis.PadEnd);
        if (k < 1) return new(SpatialArgument.Kernel, $"kernel size {k} must be positive");
        if (s < 1) return new(SpatialArgument.Strides, $"stride {s} must be positive");
        if (d < 1) return new(SpatialArgument.Dilations, $"dilation {d} must be positive");
        if (p0 < 0 || p1 < 0) return new(SpatialArgument.Pads, $"pads ({p0}, {p1}) must not be negative");
        long extent = KernelExtent(k, d);
        string kernelText = d == 1 ? $"kernel {k}" : $"kernel {k} with dilation {d}";
        if (kind == SpatialOpKind.TransposedConvolution)
        {
            int op = axis.OutputPadding;
            if (op < 0 || op >= Math.Max(s, d))
                return new(SpatialArgument.OutputPadding, $"output padding {op} must be non-negative and smaller than the stride {s} or the dilation {d}");
            long full = FullTransposedSize(axis);
            if (full > int.MaxValue)
                return new(d > 1 && (long)(k - 1) * d >= (long)s * Math.Max(size - 1, 0) ? SpatialArgument.Dilations : SpatialArgument.Strides,
                    $"stride {s} and {kernelText} make the output extent {full} before cropping, more than {int.MaxValue} (input extent {size})");
            if (size > 0 && (long)p0 + p1 >= full)
                return new(SpatialArgument.Pads, $"pads ({p0}, {p1}) remove all {full} positions of the output (input extent {size}, stride {s}, {kernelText})");
            return null;
        }
        if (kind == SpatialOpKind.Pooling && Math.Max(p0, p1) >= extent)
            return new(SpatialArgument.Pads, $"pad {Math.Max(p0, p1)} is not smaller than the window extent {extent} ({kernelText}): a window would lie entirely in the padding");
        if (kind == SpatialOpKind.Convolution && Math.Max(p0, p1) > Math.Max(size, extent - 1))
            return new(SpatialArgument.Pads, $"pad {Math.Max(p0, p1)} is larger than both the input extent {size} and the {kernelText} extent less one ({extent - 1})");
        long padded = (long)size + p0 + p1;
        if (padded > int.MaxValue)
            return new(SpatialArgument.Pads, $"pads ({p0}, {p1}) make the padded input extent {padded}, more than {int.MaxValue} (input extent {size})");
        if (extent > padded)
            return new(d > 1 ? SpatialArgument.Dilations : SpatialArgument.Kernel, $"the {kernelText} spans {extent}, larger than the padded input extent {padded}");
        if (s > padded && extent != padded)
            return new(SpatialArgument.Strides, $"stride {s} is larger than the padded input extent {padded}");
        return null;
    }

    /// <summary>
    /// The output extent of a valid <paramref name="axis"/> (see <see cref="Problem"/>): ONNX's rules for
    /// convolutions, pools (with <see cref="SpatialAxis.CeilMode"/>: the last window must start inside the input or
    /// the leading padding) and transposed convolutions (explicit pads).
    /// </summary>
    public static long OutputSize(SpatialOpKind kind, SpatialAxis axis)
    {
        if (kind == SpatialOpKind.TransposedConvolution) return FullTransposedSize(axis) - axis.PadBegin - axis.PadEnd;
        long span = (long)axis.Size + axis.PadBegin + axis.PadEnd - KernelExtent(axis.Kernel, axis.Dilation);
        if (span < 0) return 0;
        int s = axis.Stride;
        bool ceil = kind == SpatialOpKind.Pooling && axis.CeilMode;
        long n = (ceil ? (span + s - 1) / s : span / s) + 1;
        if (ceil && (n - 1) * s >= (long)axis.Size + axis.PadBegin) n--;
        return n;
    }

    /// <summary>The ONNX attribute name of <paramref name="argument"/> (kernel_shape, strides, dilations, pads, output_padding).</summary>
    public static string AttributeName(this SpatialArgument argument) => argument switch
    {
        SpatialArgument.Kernel => "kernel_shape",
        SpatialArgument.Strides => "strides",
        SpatialArgument.Dilations => "dilations",
        SpatialArgument.Pads => "pads",
        SpatialArgument.OutputPadding => "output_padding",
        _ => argument.ToString(),
    };

    /// <summary>
    /// Checks both axes of a 2-D op and returns the output extents, or throws an <see cref="ArgumentException"/>
    /// naming <paramref name="op"/>, the axis, the attribute, its value and <paramref name="operands"/>; the
    /// argument at fault is <paramref name="kernelParam"/> for the kernel extent (size or dilation) and "options"
    /// otherwise.
    /// </summary>
    internal static (long H, long W) Resolve(string op, SpatialOpKind kind, string operands, SpatialAxis height, SpatialAxis width, string kernelParam)
    {
        foreach (var (axis, name) in new[] { (height, "height"), (width, "width") })
            if (Problem(kind, axis) is { } p)
                throw new ArgumentException($"{op}: {p.Argument.AttributeName()} of the {name} axis: {p.Message} ({operands}).",
                    p.Argument is SpatialArgument.Kernel or SpatialArgument.Dilations ? kernelParam : "options");
        return (OutputSize(kind, height), OutputSize(kind, width));
    }

    private static long KernelExtent(int kernel, int dilation) => (long)(kernel - 1) * dilation + 1;

    private static long FullTransposedSize(SpatialAxis a) =>
        (long)a.Stride * (a.Size - 1) + a.OutputPadding + KernelExtent(a.Kernel, a.Dilation);
}

/// <summary>What kind of op a <see cref="SpatialAxis"/> belongs to: it decides the output-size rule and the ranges.</summary>
public enum SpatialOpKind
{
    /// <summary>Conv: windows of the padded input.</summary>
    Convolution,
    /// <summary>MaxPool, AveragePool, LpPool: like a convolution, but no window may lie entirely in the padding.</summary>
    Pooling,
    /// <summary>ConvTranspose: the output grows by the stride per input position; pads crop it.</summary>
    TransposedConvolution,
}

/// <summary>The spatial attribute a <see cref="SpatialProblem"/> blames.</summary>
public enum SpatialArgument
{
    /// <summary>The kernel (window) size.</summary>
    Kernel,
    /// <summary>The stride.</summary>
    Strides,
    /// <summary>The dilation.</summary>
    Dilations,
    /// <summary>The padding.</summary>
    Pads,
    /// <summary>ConvTranspose's output padding.</summary>
    OutputPadding,
}

/// <summary>One spatial axis of a convolution or pool.</summary>
/// <param name="Size">The input extent.</param>
/// <param name="Kernel">The kernel (window) size.</param>
/// <param name="Stride">The stride.</param>
/// <param name="Dilation">The dilation.</param>
/// <param name="PadBegin">Padding before the input.</param>
/// <param name="PadEnd">Padding after the input.</param>
/// <param name="OutputPadding">ConvTranspose's output padding (0 otherwise).</param>
/// <param name="CeilMode">Pools: round the output size up.</param>
public readonly record struct SpatialAxis(int Size, int Kernel, int Stride, int Dilation, int PadBegin, int PadEnd, int OutputPadding = 0, bool CeilMode = false);

/// <summary>Why a <see cref="SpatialAxis"/> is rejected: the attribute at fault and the reason (with the values).</summary>
/// <param name="Argument">The attribute at fault.</param>
/// <param name="Message">The reason, naming the values.</param>
public readonly record struct SpatialProblem(SpatialArgument Argument, string Message);
