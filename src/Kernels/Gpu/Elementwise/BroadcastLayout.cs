namespace FeatureViz.Kernels.Gpu.Elementwise;

/// <summary>
/// NumPy broadcasting of two operands to an output of rank at most <see cref="MaxRank"/>, as a kernel argument: the
/// output's dimensions (leading ones padded with 1) and each operand's element strides (0 along broadcast dimensions).
/// Plain fields rather than arrays so that it travels by value, with no host array behind it.
/// </summary>
public struct BroadcastLayout
{
    /// <summary>The largest output rank supported.</summary>
    public const int MaxRank = 6;

#pragma warning disable CS1591 // dimension k of the output and the strides of operands a and b along it
    public int D0, D1, D2, D3, D4, D5;
    public int A0, A1, A2, A3, A4, A5;
    public int B0, B1, B2, B3, B4, B5;
#pragma warning restore CS1591

    /// <summary>The layout of <paramref name="aShape"/> and <paramref name="bShape"/> broadcast to <paramref name="outShape"/>.</summary>
    /// <param name="op">The op's name, for the error message.</param>
    /// <param name="aShape">First operand's dimensions.</param>
    /// <param name="bShape">Second operand's dimensions.</param>
    /// <param name="outShape">The broadcast output's dimensions.</param>
    /// <exception cref="ArgumentException">Rank above <see cref="MaxRank"/> or shapes that do not broadcast.</exception>
    public static BroadcastLayout Create(string op, ReadOnlySpan<int> aShape, ReadOnlySpan<int> bShape, ReadOnlySpan<int> outShape)
    {
        if (outShape.Length > MaxRank || aShape.Length > outShape.Length || bShape.Length > outShape.Length)
            throw new ArgumentException(
                $"{op}: GPU broadcast supports rank <= {MaxRank} with operands no longer than the output; got a [{string.Join(", ", aShape.ToArray())}], b [{string.Join(", ", bShape.ToArray())}], out [{string.Join(", ", outShape.ToArray())}].",
                nameof(outShape));
        Span<int> d = stackalloc int[MaxRank], sa = stackalloc int[MaxRank], sb = stackalloc int[MaxRank];
        d.Fill(1);
        outShape.CopyTo(d[(MaxRank - outShape.Length)..]);
        Strides(op, aShape, d, sa, "a");
        Strides(op, bShape, d, sb, "b");
        return new BroadcastLayout
        {
            D0 = d[0], D1 = d[1], D2 = d[2], D3 = d[3], D4 = d[4], D5 = d[5],
            A0 = sa[0], A1 = sa[1], A2 = sa[2], A3 = sa[3], A4 = sa[4], A5 = sa[5],
            B0 = sb[0], B1 = sb[1], B2 = sb[2], B3 = sb[3], B4 = sb[4], B5 = sb[5],
        };
    }

    /// <summary>Element offsets into a and b of output element <paramref name="index"/> (row-major).</summary>
    public readonly void Offsets(int index, out int a, out int b)
    {
        // Unrolled by hand: ILGPU 1.5.3 does not unroll loops, and a loop over fields would need a local array.
        int i = index;
        int c = i % D5; i /= D5; a = c * A5; b = c * B5;
        c = i % D4; i /= D4; a += c * A4; b += c * B4;
        c = i % D3; i /= D3; a += c * A3; b += c * B3;
        c = i % D2; i /= D2; a += c * A2; b += c * B2;
        c = i % D1; i /= D1; a += c * A1; b += c * B1;
        a += i * A0; b += i * B0;
    }

    private static void Strides(string op, ReadOnlySpan<int> shape, ReadOnlySpan<int> outDims, Span<int> strides, string name)
    {
        int offset = MaxRank - shape.Length, stride = 1;
        strides.Clear();
        for (int k = shape.Length - 1; k >= 0; k--)
        {
            int dim = shape[k], outDim = outDims[offset + k];
            if (dim != outDim && dim != 1)
                throw new ArgumentException(
                    $"{op}: operand {name} dimension {k} is {dim}, which does not broadcast to {outDim}.", nameof(shape));
            strides[offset + k] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
    }
}
