// Shape-changing ops that keep element order: Reshape (0 copies a dim unless allowzero, -1 infers), Flatten,
// Squeeze/Unsqueeze (axes attribute < 13, input >= 13), and Shape (start/end >= 15) / Size, whose results are host
// integers folded per input-shape signature. https://onnx.ai/onnx/operators/onnx__Reshape.html
using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Ops;

internal static class ShapeHandlers
{
    public static void Register(OpRegistry r)
    {
        r.Add("Reshape", 1, c =>
        {
            long[]? attrShape = c.Opset < 5 ? c.Ints("shape") : null;
            bool allowZero = c.Opset >= 14 && c.Int("allowzero", 0) != 0;
            return a =>
            {
                var shape = attrShape ?? a.Longs(1);
                var input = a.Dims(0);
                var dims = new int[shape.Length];
                int infer = -1;
                long known = 1;
                for (int i = 0; i < dims.Length; i++)
                {
                    long s = shape[i];
                    if (s == 0 && !allowZero)
                    {
                        if (i >= input.Length) throw a.Fail($"shape [{string.Join(", ", shape)}] copies dimension {i}, which input [{string.Join(", ", input)}] lacks");
                        s = input[i];
                    }
                    if (s == -1)
                    {
                        if (infer >= 0) throw a.Fail($"shape [{string.Join(", ", shape)}] has more than one -1");
                        infer = i;
                        continue;
                    }
                    if (s < 0 || s > int.MaxValue) throw a.Fail($"shape [{string.Join(", ", shape)}] has an invalid dimension {s}");
                    dims[i] = (int)s;
                    known *= s;
                }
                long numel = input.Aggregate(1L, (p, q) => p * q);
                if (infer >= 0)
                {
                    if (known == 0 || numel % known != 0) throw a.Fail($"cannot infer -1 in [{string.Join(", ", shape)}] for input [{string.Join(", ", input)}]");
                    dims[infer] = (int)(numel / known);
                }
                else if (known != numel) throw a.Fail($"shape [{string.Join(", ", shape)}] does not hold the {numel} elements of input [{string.Join(", ", input)}]");
                return [Reshaped(a, dims)];
            };
        });

        r.Add("Flatten", 1, c =>
        {
            long axis = c.Int("axis", 1);
            return a =>
            {
                var d = a.Dims(0);
                int ax = (int)(axis < 0 ? axis + d.Length : axis);
                if (ax < 0 || ax > d.Length) throw a.Fail($"axis {axis} is out of range for rank {d.Length}");
                return [Reshaped(a, [d.Take(ax).Aggregate(1, (p, q) => p * q), d.Skip(ax).Aggregate(1, (p, q) => p * q)])];
            };
        });

        r.Add("Squeeze", 1, c =>
        {
            long[]? attrAxes = c.Opset < 13 ? c.Ints("axes") : null;
            bool legacy = c.Opset < 13;
            return a =>
            {
                var d = a.Dims(0);
                var axesL = legacy ? attrAxes : a.LongsOrNull(1);
                var axes = axesL is null ? Enumerable.Range(0, d.Length).Where(i => d[i] == 1).ToArray()
                    : axesL.Select(v => Shape.NormalizeAxis(checked((int)v), d.Length, "Squeeze")).ToArray();
                foreach (var ax in axes)
                    if (d[ax] != 1) throw a.Fail($"axis {ax} of [{string.Join(", ", d)}] has size {d[ax]}, not 1");
                return [Reshaped(a, d.Where((_, i) => !axes.Contains(i)).ToArray())];
            };
        });

        r.Add("Unsqueeze", 1, c =>
        {
            long[]? attrAxes = c.Opset < 13 ? c.Ints("axes") ?? throw c.Fail("attribute axes is required") : null;
            bool legacy = c.Opset < 13;
            return a =>
            {
                var d = a.Dims(0);
                var axesL = legacy ? attrAxes! : a.Longs(1);
                int rank = d.Length + axesL.Length;
                var axes = axesL.Select(v => Shape.NormalizeAxis(checked((int)v), rank, "Unsqueeze")).ToArray();
                if (axes.Distinct().Count() != axes.Length) throw a.Fail($"axes [{string.Join(", ", axesL)}] repeat an axis");
                var dims = new int[rank];
                int k = 0;
                for (int i = 0; i < rank; i++) dims[i] = axes.Contains(i) ? 1 : d[k++];
                return [Reshaped(a, dims)];
            };
        });

        r.Add("Shape", 1, c =>
        {
            long? start = c.Opset >= 15 ? c.IntOrNull("start") : null;
            long? end = c.Opset >= 15 ? c.IntOrNull("end") : null;
            return a =>
            {
                var d = a.Dims(0);
                int r0 = d.Length;
                long s = start ?? 0, e = end ?? r0;
                if (s < 0) s += r0;
                if (e < 0) e += r0;
                s = Math.Clamp(s, 0, r0);
                e = Math.Clamp(e, 0, r0);
                var dims = d.Skip((int)s).Take((int)Math.Max(0, e - s)).Select(v => (long)v).ToArray();
                return [HostValue.Vector(dims)];
            };
        });

        r.Add("Size", 1, a => [HostValue.Scalar(a.Dims(0).Aggregate(1L, (p, q) => p * q))]);
    }

    /// <summary>The input's elements under new dims (a Reshape node for tensors, new dims for host values).</summary>
    public static Value Reshaped(Args a, int[] dims) => a.Value(0) switch
    {
        HostValue h => HostMovement.Reshape(h, dims),
        TensorValue t => new TensorValue(t.Tensor.Reshape(dims), t.Type),
        _ => throw a.Fail("unsupported value"),
    };
}
