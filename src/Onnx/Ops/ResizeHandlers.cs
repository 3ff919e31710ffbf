// Resize (opset 10: scales; 11+: roi/scales/sizes, coordinate_transformation_mode, nearest_mode, cubic_coeff_a,
// exclude_outside, extrapolation_value; 18+: axes, keep_aspect_ratio_policy; 19: half_pixel_symmetric) and Upsample.
// https://onnx.ai/onnx/operators/onnx__Resize.html. Nearest and linear resizing of the last two axes runs as the
// fused Tensor.Resize. The rest (cubic, tf_crop_and_resize, tf_half_pixel_for_nn, other axes) runs separably, one
// axis at a time (last axis first, as the ONNX reference recurses), as Gathers of precomputed neighbour indices times
// constant weights, so the result is differentiable with respect to the input and matches the reference's edge
// handling. antialias is not supported.
using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Ops;

internal static class ResizeHandlers
{
    private sealed record Config(string Mode, string Transform, string Nearest, float CubicA, bool ExcludeOutside, float Extrapolation, long[]? Axes, string AspectPolicy);

    public static void Register(OpRegistry r)
    {
        r.Add("Upsample", 7, c =>
        {
            var mode = c.StringIn("mode", "nearest", "nearest", "linear", "bilinear");
            var scales = c.Opset < 9 ? c.Floats("scales") ?? throw c.Fail("attribute scales is required") : null;
            var cfg = new Config(mode == "bilinear" ? "linear" : mode, "asymmetric", "floor", -0.75f, false, 0, null, "stretch");
            return a => [Run(a, cfg, scales ?? a.Floats(1), null, null)];
        });
        r.Add("Resize", 10, c =>
        {
            var mode = c.StringIn("mode", "nearest", "nearest", "linear", "cubic");
            if (c.Opset < 11)
            {
                var cfg10 = new Config(mode, "asymmetric", "floor", -0.75f, false, 0, null, "stretch");
                return a => [Run(a, cfg10, a.Floats(1), null, null)];
            }
            var cfg = new Config(
                mode,
                c.StringIn("coordinate_transformation_mode", "half_pixel", "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"),
                c.StringIn("nearest_mode", "round_prefer_floor", "round_prefer_floor", "round_prefer_ceil", "floor", "ceil"),
                c.Float("cubic_coeff_a", -0.75f),
                c.Int("exclude_outside", 0) != 0,
                c.Float("extrapolation_value", 0f),
                c.Opset >= 18 ? c.Ints("axes") : null,
                c.Opset >= 18 ? c.StringIn("keep_aspect_ratio_policy", "stretch", "stretch", "not_larger", "not_smaller") : "stretch");
            if (c.Opset >= 18) c.IntIn("antialias", 0, 0);
            return a =>
            {
                var scales = a.Has(2) ? a.Floats(2) : null;
                if (scales is { Length: 0 }) scales = null;
                var sizes = a.Has(3) ? a.Longs(3) : null;
                var roi = a.Has(1) ? a.Floats(1) : null;
                if (roi is { Length: 0 }) roi = null;
                return [Run(a, cfg, scales, sizes, roi)];
            };
        });
    }

    private static Value Run(Args a, Config cfg, float[]? scalesIn, long[]? sizesIn, float[]? roiIn)
    {
        var x = a.Tensor(0);
        int rank = x.Rank;
        var axes = cfg.Axes?.Select(v => Shape.NormalizeAxis(checked((int)v), rank, "Resize")).ToArray() ?? Enumerable.Range(0, rank).ToArray();
        if ((scalesIn is null) == (sizesIn is null)) throw a.Fail("exactly one of scales and sizes must be given");
        var inDims = x.Shape.ToArray();
        var scale = Enumerable.Repeat(1.0, rank).ToArray();
        var outDims = (int[])inDims.Clone();
        if (scalesIn is not null)
        {
            if (scalesIn.Length != axes.Length) throw a.Fail($"scales has {scalesIn.Length} values for {axes.Length} axes");
            for (int i = 0; i < axes.Length; i++)
            {
                if (!(scalesIn[i] > 0)) throw a.Fail($"scale {scalesIn[i]} must be positive");
                scale[axes[i]] = scalesIn[i];
            }
        }
        else
        {
            if (sizesIn!.Length != axes.Length) throw a.Fail($"sizes has {sizesIn.Length} values for {axes.Length} axes");
            if (cfg.AspectPolicy == "stretch")
                for (int i = 0; i < axes.Length; i++) scale[axes[i]] = (double)sizesIn[i] / inDims[axes[i]];
            else
            {
                var ratios = axes.Select((ax, i) => (double)sizesIn[i] / inDims[ax]);
                double s = cfg.AspectPolicy == "not_larger" ? ratios.Min() : ratios.Max();
                foreach (var ax in axes) scale[ax] = s;
            }
        }
        var roiStart = new double[rank];
        var roiEnd = Enumerable.Repeat(1.0, rank).ToArray();
        if (cfg.Transform == "tf_crop_and_resize" && roiIn is not null)
        {
            if (roiIn.Length != 2 * axes.Length) throw a.Fail($"roi has {roiIn.Length} values for {axes.Length} axes");
            for (int i = 0; i < axes.Length; i++) { roiStart[axes[i]] = roiIn[i]; roiEnd[axes[i]] = roiIn[axes.Length + i]; }
        }
        for (int i = 0; i < axes.Length; i++)
        {
            int ax = axes[i];
            double o = sizesIn is not null && cfg.AspectPolicy == "stretch" ? sizesIn[i]
                : sizesIn is not null ? Math.Round(scale[ax] * inDims[ax], MidpointRounding.ToEven)
                : Math.Floor(inDims[ax] * (cfg.Transform == "tf_crop_and_resize" ? roiEnd[ax] - roiStart[ax] : 1) * scale[ax] + 1e-9);
            if (o < 0 || o > int.MaxValue) throw a.Fail($"output size {o} is invalid");
            outDims[ax] = (int)o;
        }
        TensorLimits.OutputShape(a.Node.OpType, [.. outDims.Select(d => (long)d)], "scales", $"input [{string.Join(", ", inDims)}]");
        if (Fused(x, cfg, inDims, outDims, scale, scalesIn is not null || cfg.AspectPolicy != "stretch") is { } fused)
            return ElementwiseHandlers.Float(a, 0, fused);

        var y = x;
        for (int ax = rank - 1; ax >= 0; ax--)
        {
            bool identity = outDims[ax] == inDims[ax] && scale[ax] == 1 && roiStart[ax] == 0 && roiEnd[ax] == 1;
            if (identity) continue;
            y = ResizeAxis(a, y, ax, outDims[ax], scale[ax], roiStart[ax], roiEnd[ax], cfg);
        }
        return ElementwiseHandlers.Float(a, 0, ReferenceEquals(y, x) ? x.Mul(1f) : y);
    }

    /// <summary>
    /// Nearest or linear resizing of the last two axes with a transform <see cref="Tensor.Resize"/> supports runs as
    /// that one fused op (its kernel and gradient); null for the rest (cubic, crop-and-resize, other axes).
    /// </summary>
    private static Tensor? Fused(Tensor x, Config cfg, int[] inDims, int[] outDims, double[] scale, bool explicitScale)
    {
        int rank = inDims.Length;
        if (rank < 2 || cfg.Mode == "cubic") return null;
        for (int ax = 0; ax < rank - 2; ax++)
            if (outDims[ax] != inDims[ax] || scale[ax] != 1) return null;
        CoordinateTransform? transform = cfg.Transform switch
        {
            "half_pixel" => CoordinateTransform.HalfPixel,
            "pytorch_half_pixel" => CoordinateTransform.PytorchHalfPixel,
            "align_corners" => CoordinateTransform.AlignCorners,
            "asymmetric" => CoordinateTransform.Asymmetric,
            "half_pixel_symmetric" => CoordinateTransform.HalfPixelSymmetric,
            _ => null,
        };
        if (transform is null || outDims[rank - 2] == 0 || outDims[rank - 1] == 0) return null;
        var rounding = cfg.Nearest switch
        {
            "round_prefer_ceil" => NearestRounding.RoundPreferCeil,
            "floor" => NearestRounding.Floor,
            "ceil" => NearestRounding.Ceil,
            _ => NearestRounding.RoundPreferFloor,
        };
        var options = new ResizeOptions(cfg.Mode == "nearest" ? ResizeMode.Nearest : ResizeMode.Linear, transform.Value, rounding,
            explicitScale ? (float)scale[rank - 2] : null, explicitScale ? (float)scale[rank - 1] : null);
        return x.Resize(outDims[rank - 2], outDims[rank - 1], options);
    }

    private static double SourceCoordinate(Config cfg, int i, int inLen, int outLen, double scale, double roiStart, double roiEnd)
    {
        switch (cfg.Transform)
        {
            case "half_pixel": return (i + 0.5) / scale - 0.5;
            case "half_pixel_symmetric":
            {
                double adj = outLen / (scale * inLen);
                double center = inLen / 2.0;
                double offset = center * (1 - adj);
                return offset + (i + 0.5) / scale - 0.5;
            }
            case "pytorch_half_pixel": return outLen > 1 ? (i + 0.5) / scale - 0.5 : 0;
            case "align_corners":
            {
                // The reference divides by the unrounded output length (scale * input length).
                double outFloat = scale * inLen;
                return outLen == 1 ? 0 : i * (inLen - 1.0) / (outFloat - 1.0);
            }
            case "asymmetric": return i / scale;
            case "tf_half_pixel_for_nn": return (i + 0.5) / scale;
            default: // tf_crop_and_resize
                return outLen > 1
                    ? roiStart * (inLen - 1) + i * (roiEnd - roiStart) * (inLen - 1) / (outLen - 1)
                    : 0.5 * (roiStart + roiEnd) * (inLen - 1);
        }
    }

    private static Tensor ResizeAxis(Args a, Tensor x, int axis, int outLen, double scale, double roiStart, double roiEnd, Config cfg)
    {
        int inLen = x.Shape[axis];
        int taps = cfg.Mode switch { "nearest" => 1, "linear" => 2, _ => 4 };
        var idx = new int[taps][];
        var w = new float[taps][];
        for (int k = 0; k < taps; k++) { idx[k] = new int[outLen]; w[k] = new float[outLen]; }
        var outside = new bool[outLen];
        for (int i = 0; i < outLen; i++)
        {
            double xo = SourceCoordinate(cfg, i, inLen, outLen, scale, roiStart, roiEnd);
            if (cfg.Transform == "tf_crop_and_resize" && (xo < 0 || xo > inLen - 1))
            {
                outside[i] = true;
                continue;
            }
            int fl = (int)Math.Floor(xo);
            double r = xo - fl;
            int Clamp(int j) => Math.Clamp(j, 0, inLen - 1);
            if (taps == 1)
            {
                bool up = cfg.Nearest switch
                {
                    "round_prefer_floor" => r > 0.5,
                    "round_prefer_ceil" => r >= 0.5,
                    "floor" => false,
                    _ => r > 0,
                };
                idx[0][i] = Clamp(up ? fl + 1 : fl);
                w[0][i] = 1;
            }
            else if (taps == 2)
            {
                idx[0][i] = Clamp(fl); w[0][i] = (float)(1 - r);
                idx[1][i] = Clamp(fl + 1); w[1][i] = (float)r;
            }
            else
            {
                double A = cfg.CubicA;
                double[] d = [1 + r, r, 1 - r, 2 - r];
                double sum = 0;
                var c = new double[4];
                for (int k = 0; k < 4; k++)
                {
                    double t = d[k];
                    c[k] = t <= 1 ? ((A + 2) * t - (A + 3)) * t * t + 1 : t < 2 ? ((A * t - 5 * A) * t + 8 * A) * t - 4 * A : 0;
                    int j = fl - 1 + k;
                    if (cfg.ExcludeOutside && (j < 0 || j >= inLen)) c[k] = 0;
                    sum += c[k];
                }
                for (int k = 0; k < 4; k++)
                {
                    idx[k][i] = Clamp(fl - 1 + k);
                    w[k][i] = (float)(cfg.ExcludeOutside && sum != 0 ? c[k] / sum : c[k]);
                }
            }
        }
        var wShape = Enumerable.Repeat(1, x.Rank).ToArray();
        wShape[axis] = outLen;
        Tensor? y = null;
        for (int k = 0; k < taps; k++)
        {
            for (int i = 0; i < outLen; i++) if (outside[i]) w[k][i] = 0;
            var g = x.Gather(idx[k], [outLen], axis);
            var term = taps == 1 && !outside.Any(o => o) ? g : g.Mul(Tensor.FromArray(a.Backend, w[k], wShape));
            y = y is null ? term : y.Add(term);
        }
        if (outside.Any(o => o) && cfg.Extrapolation != 0)
        {
            var e = outside.Select(o => o ? cfg.Extrapolation : 0f).ToArray();
            y = y!.Add(Tensor.FromArray(a.Backend, e, wShape));
        }
        return y!;
    }
}
