namespace FeatureViz.Tensors.Backends;

/// <summary>
/// The source tables of a <see cref="ResizeGeometry"/>: for each output row (column) two source rows (columns) and
/// the weight of the second (nearest uses only the first, with weight 1). Backends compute them once per geometry
/// (<see cref="GeometryCache{TKey, TValue}"/>) and keep them in their own memory.
/// </summary>
/// <param name="Y0">First source row per output row.</param>
/// <param name="Y1">Second source row per output row.</param>
/// <param name="WY1">Weight of <paramref name="Y1"/> (that of <paramref name="Y0"/> is 1 - WY1).</param>
/// <param name="X0">First source column per output column.</param>
/// <param name="X1">Second source column per output column.</param>
/// <param name="WX1">Weight of <paramref name="X1"/> (that of <paramref name="X0"/> is 1 - WX1).</param>
public sealed record ResizeTables(int[] Y0, int[] Y1, float[] WY1, int[] X0, int[] X1, float[] WX1)
{
    /// <summary>The tables of <paramref name="geometry"/> (ONNX Resize coordinate transforms and nearest rounding).</summary>
    public static ResizeTables Compute(ResizeGeometry geometry)
    {
        var g = geometry;
        var (y0, y1, wy) = Axis(g.InH, g.OutH, g.Options.ScaleH, g.Options);
        var (x0, x1, wx) = Axis(g.InW, g.OutW, g.Options.ScaleW, g.Options);
        return new ResizeTables(y0, y1, wy, x0, x1, wx);
    }

    /// <summary>Source indices and weights of one resized axis (ONNX Resize coordinate transforms).</summary>
    private static (int[] I0, int[] I1, float[] W1) Axis(int inLen, int outLen, float? givenScale, ResizeOptions o)
    {
        double scale = givenScale ?? (double)outLen / inLen;
        // With given scales the ONNX reference uses the unrounded resized length in * scale (align_corners,
        // pytorch_half_pixel).
        double resized = givenScale is null ? outLen : inLen * scale;
        var i0 = new int[outLen];
        var i1 = new int[outLen];
        var w1 = new float[outLen];
        for (int i = 0; i < outLen; i++)
        {
            double xo = o.Transform switch
            {
                CoordinateTransform.HalfPixel => (i + 0.5) / scale - 0.5,
                CoordinateTransform.PytorchHalfPixel => resized > 1 ? (i + 0.5) / scale - 0.5 : 0,
                CoordinateTransform.AlignCorners => resized > 1 ? i * (double)(inLen - 1) / (resized - 1) : 0,
                CoordinateTransform.Asymmetric => i / scale,
                CoordinateTransform.HalfPixelSymmetric => HalfPixelSymmetric(i, inLen, outLen, scale),
                _ => throw new ArgumentException($"Resize: unknown coordinate transform {o.Transform}.", "options"),
            };
            if (o.Mode == ResizeMode.Nearest)
            {
                double f = Math.Floor(xo), frac = xo - f;
                double r = o.Rounding switch
                {
                    NearestRounding.RoundPreferFloor => frac <= 0.5 ? f : f + 1,
                    NearestRounding.RoundPreferCeil => frac < 0.5 ? f : f + 1,
                    NearestRounding.Floor => f,
                    NearestRounding.Ceil => Math.Ceiling(xo),
                    _ => throw new ArgumentException($"Resize: unknown nearest rounding {o.Rounding}.", "options"),
                };
                i0[i] = i1[i] = (int)Math.Clamp(r, 0, inLen - 1);
            }
            else
            {
                double c = Math.Clamp(xo, 0, inLen - 1);
                int f = (int)Math.Floor(c);
                i0[i] = f;
                i1[i] = Math.Min(f + 1, inLen - 1);
                w1[i] = (float)(c - f);
            }
        }
        return (i0, i1, w1);
    }

    private static double HalfPixelSymmetric(int i, int inLen, int outLen, double scale)
    {
        double adjustment = outLen / (scale * inLen);
        double offset = inLen / 2.0 * (1 - adjustment);
        return offset + (i + 0.5) / scale - 0.5;
    }
}
