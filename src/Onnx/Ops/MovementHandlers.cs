// Data movement: Transpose, Concat, Split (attribute < 13, input >= 13, num_outputs >= 18), Slice (attributes < 10,
// inputs >= 10), Pad (attributes < 11, inputs >= 11, axes >= 18, wrap >= 19), Gather, Expand, Tile.
// Float data uses Tensor ops (differentiable); host integers use HostMovement. https://onnx.ai/onnx/operators/
using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Ops;

internal static class MovementHandlers
{
    public static void Register(OpRegistry r)
    {
        r.Add("Transpose", 1, c =>
        {
            var perm = c.Ints("perm");
            return a =>
            {
                int rank = a.Rank(0);
                var p = perm?.Select(v => checked((int)v)).ToArray() ?? Enumerable.Range(0, rank).Reverse().ToArray();
                if (p.Length != rank || p.Order().Where((v, i) => v != i).Any())
                    throw a.Fail($"perm [{string.Join(", ", p)}] is not a permutation of {rank} axes");
                if (a.Value(0) is HostValue h) return [HostMovement.Transpose(h, p)];
                return [ElementwiseHandlers.Float(a, 0, a.Tensor(0).Transpose(p))];
            };
        });

        r.Add("Concat", 1, c =>
        {
            long axis = c.Opset < 4 ? c.Int("axis", 1) : c.IntOrNull("axis") ?? throw c.Fail("attribute axis is required");
            return a =>
            {
                var present = Enumerable.Range(0, a.Count).Where(a.Has).ToArray();
                if (present.Length == 0) throw a.Fail("needs at least one input");
                int rank = a.Rank(present[0]);
                int ax = Shape.NormalizeAxis((int)axis, rank, "Concat");
                if (present.All(a.IsHost))
                {
                    var parts = present.Select(i => (HostValue)a.Value(i)).ToList();
                    foreach (var p in parts)
                        if (p.Rank != rank || p.Dims.Where((d, i) => i != ax && d != parts[0].Dims[i]).Any())
                            throw a.Fail($"input shapes [{string.Join("], [", parts.Select(q => string.Join(", ", q.Dims)))}] do not match outside axis {ax}");
                    return [HostMovement.Concat(parts, ax)];
                }
                var ts = present.Select(a.Tensor).Where(t => t.Numel > 0 || present.Length == 1).ToList();
                if (ts.Count == 0) ts.Add(a.Tensor(present[0]));
                return [ElementwiseHandlers.Float(a, present[0], ts.Count == 1 ? ts[0].Mul(1f) : Tensor.Concat(ts, ax))];
            };
        });

        r.Add("Split", 1, Split);
        r.Add("Slice", 1, Slice);
        r.Add("Pad", 1, Pad);

        r.Add("Gather", 1, c =>
        {
            long axis = c.Int("axis", 0);
            return a =>
            {
                int ax = Shape.NormalizeAxis((int)axis, a.Rank(0), "Gather");
                int dim = a.Dims(0)[ax];
                if (a.IsHost(1))
                {
                    // Host indices (initializers, folded shape arithmetic) are checked here; computed device indices
                    // are data that never leaves the device, so an out-of-range one gives a zero row instead.
                    var idx = a.Longs(1);
                    foreach (var i in idx)
                        if (i < -dim || i >= dim) throw a.Fail($"index {i} is out of range for axis {ax} of size {dim}");
                    if (a.Value(0) is HostValue h) return [HostMovement.Gather(h, idx, a.Dims(1), ax)];
                }
                // A persistent host index table is uploaded once per graph (Args.Tensor); device indices are used as they are.
                return [ElementwiseHandlers.Float(a, 0, a.Tensor(0).Gather(a.Tensor(1), ax))];
            };
        });

        r.Add("Expand", 8, a =>
        {
            var target = a.Longs(1);
            TensorLimits.Elements("Expand", target, "target shape", "shape", $"input [{string.Join(", ", a.Dims(0))}]");
            var shape = target.Select(v => v > int.MaxValue ? throw a.Fail($"target shape value {v} is out of range") : (int)v).ToArray();
            var dims = HostMath.BroadcastDims(a.Dims(0), shape, "Expand");
            if (a.Value(0) is HostValue h) return [HostMovement.Expand(h, dims)];
            return [ElementwiseHandlers.Float(a, 0, a.Tensor(0).Expand(dims))];
        });

        r.Add("Tile", 6, a =>
        {
            var reps = a.Longs(1).Select(v => checked((int)v)).ToArray();
            if (reps.Length != a.Rank(0) || reps.Any(v => v < 0)) throw a.Fail($"repeats [{string.Join(", ", reps)}] do not fit input rank {a.Rank(0)}");
            TensorLimits.OutputShape("Tile", [.. a.Dims(0).Select((d, i) => (long)d * reps[i])], "repeats", $"input [{string.Join(", ", a.Dims(0))}], repeats [{string.Join(", ", reps)}]");
            if (a.Value(0) is HostValue h) return [HostMovement.Tile(h, reps)];
            return [ElementwiseHandlers.Float(a, 0, a.Tensor(0).Tile(reps))];
        });
    }


    private static Kernel Split(NodeContext c)
    {
        long axis = c.Int("axis", 0);
        long[]? splitAttr = c.Opset < 13 ? c.Ints("split") : null;
        long? numOutputs = c.Opset >= 18 ? c.IntOrNull("num_outputs") : null;
        int outputs = c.OutputCount;
        return a =>
        {
            int ax = Shape.NormalizeAxis((int)axis, a.Rank(0), "Split");
            int dim = a.Dims(0)[ax];
            long[]? split = splitAttr ?? (a.Has(1) ? a.Longs(1) : null);
            int[] sizes;
            if (split is not null)
            {
                if (split.Length != outputs) throw a.Fail($"split has {split.Length} sizes for {outputs} outputs");
                sizes = split.Select(v => checked((int)v)).ToArray();
            }
            else if (numOutputs is long k)
            {
                if (k != outputs) throw a.Fail($"num_outputs={k} but the node has {outputs} outputs");
                int chunk = (int)((dim + k - 1) / k);
                sizes = Enumerable.Range(0, outputs).Select(i => Math.Max(0, Math.Min(chunk, dim - i * chunk))).ToArray();
            }
            else
            {
                if (dim % outputs != 0) throw a.Fail($"axis {ax} of size {dim} does not split evenly into {outputs} outputs");
                sizes = Enumerable.Repeat(dim / outputs, outputs).ToArray();
            }
            if (sizes.Any(s => s < 0) || sizes.Sum() != dim) throw a.Fail($"split sizes [{string.Join(", ", sizes)}] do not add up to {dim}");
            if (a.Value(0) is HostValue h)
            {
                var res = new Value?[outputs];
                int off = 0;
                for (int i = 0; i < outputs; i++)
                {
                    var start = new int[h.Rank];
                    var step = Enumerable.Repeat(1, h.Rank).ToArray();
                    var count = (int[])h.Dims.Clone();
                    start[ax] = off;
                    count[ax] = sizes[i];
                    res[i] = HostMovement.Slice(h, start, step, count);
                    off += sizes[i];
                }
                return res;
            }
            return a.Tensor(0).Split(ax, sizes).Select(t => (Value?)ElementwiseHandlers.Float(a, 0, t)).ToArray();
        };
    }

    private static Kernel Slice(NodeContext c)
    {
        long[]? attrStarts = null, attrEnds = null, attrAxes = null;
        if (c.Opset < 10)
        {
            attrStarts = c.Ints("starts") ?? throw c.Fail("attribute starts is required");
            attrEnds = c.Ints("ends") ?? throw c.Fail("attribute ends is required");
            attrAxes = c.Ints("axes");
        }
        bool legacy = c.Opset < 10;
        return a =>
        {
            var starts = legacy ? attrStarts! : a.Longs(1);
            var ends = legacy ? attrEnds! : a.Longs(2);
            var axesL = legacy ? attrAxes : a.LongsOrNull(3);
            var steps = legacy ? null : a.LongsOrNull(4);
            int rank = a.Rank(0);
            if (starts.Length != ends.Length) throw a.Fail($"starts ({starts.Length}) and ends ({ends.Length}) differ in length");
            var axes = axesL?.Select(v => Shape.NormalizeAxis(checked((int)v), rank, "Slice")).ToArray() ?? Enumerable.Range(0, starts.Length).ToArray();
            if (axes.Length != starts.Length || (steps is not null && steps.Length != starts.Length))
                throw a.Fail("starts, ends, axes and steps must have the same length");
            if (steps is not null && steps.Any(s => s == 0)) throw a.Fail("steps must not be 0");
            if (axes.Distinct().Count() != axes.Length) throw a.Fail($"axes [{string.Join(", ", axes)}] repeat an axis");
            if (a.Value(0) is HostValue h)
            {
                var st = new int[rank];
                var sp = Enumerable.Repeat(1, rank).ToArray();
                var cnt = (int[])h.Dims.Clone();
                for (int i = 0; i < axes.Length; i++)
                {
                    var (s0, step, n) = Resolve(starts[i], ends[i], steps?[i] ?? 1, h.Dims[axes[i]]);
                    st[axes[i]] = s0; sp[axes[i]] = step; cnt[axes[i]] = n;
                }
                return [HostMovement.Slice(h, st, sp, cnt)];
            }
            return [ElementwiseHandlers.Float(a, 0, a.Tensor(0).Slice(starts, ends, axes, steps))];
        };
    }

    /// <summary>ONNX Slice clamping for one axis: (first index, step, element count).</summary>
    public static (int Start, int Step, int Count) Resolve(long start, long end, long step, int dim)
    {
        if (start < 0) start += dim;
        if (end < 0) end += dim;
        if (step > 0)
        {
            start = Math.Clamp(start, 0, dim);
            end = Math.Clamp(end, 0, dim);
        }
        else
        {
            start = Math.Clamp(start, 0, dim - 1);
            end = Math.Clamp(end, -1, dim - 1);
        }
        long n = step > 0 ? (end - start + step - 1) / step : (start - end + (-step) - 1) / (-step);
        return ((int)start, (int)Math.Clamp(step, int.MinValue, int.MaxValue), (int)Math.Max(0, n));
    }

    private static Kernel Pad(NodeContext c)
    {
        var modeName = c.StringIn("mode", "constant", "constant", "reflect", "edge", "wrap");
        long[]? attrPads = null;
        float attrValue = 0;
        if (c.Opset < 11)
        {
            attrPads = c.Opset < 2 ? c.Ints("paddings") : c.Ints("pads");
            if (attrPads is null) throw c.Fail("attribute pads is required");
            attrValue = c.Float("value", 0f);
        }
        bool legacy = c.Opset < 11;
        return a =>
        {
            int rank = a.Rank(0);
            var pads = legacy ? attrPads! : a.Longs(1);
            float value = legacy ? attrValue : a.ScalarOrNull(2) ?? 0f;
            var axes = !legacy && a.Has(3) ? a.Longs(3).Select(v => Shape.NormalizeAxis(checked((int)v), rank, "Pad")).ToArray() : Enumerable.Range(0, rank).ToArray();
            if (pads.Length != 2 * axes.Length) throw a.Fail($"pads has {pads.Length} values for {axes.Length} axes");
            var full = new int[2 * rank];
            for (int i = 0; i < axes.Length; i++)
            {
                full[axes[i]] = checked((int)pads[i]);
                full[rank + axes[i]] = checked((int)pads[axes.Length + i]);
            }
            var outDims = a.Dims(0).Select((d, i) => (long)d + full[i] + full[rank + i]).ToArray();
            if (outDims.Any(d => d < 0)) throw a.Fail($"pads [{string.Join(", ", full)}] crop more than the input [{string.Join(", ", a.Dims(0))}] holds");
            TensorLimits.OutputShape("Pad", outDims, "pads", $"input [{string.Join(", ", a.Dims(0))}], pads [{string.Join(", ", full)}]");
            var x = a.Tensor(0);
            var y = modeName switch
            {
                "reflect" => x.Pad(full, PadMode.Reflect),
                "edge" => x.Pad(full, PadMode.Edge),
                "wrap" => Wrap(a, x, full),
                _ => x.Pad(full, PadMode.Constant, value),
            };
            if (a.Value(0) is HostValue h) return [new HostValue(h.Type, y.Shape.ToArray(), y.ToArray().Select(v => (long)v).ToArray())];
            return [ElementwiseHandlers.Float(a, 0, y)];
        };
    }

    /// <summary>Wrap padding as concatenated slices (negative pads crop first).</summary>
    private static Tensor Wrap(Args a, Tensor x, int[] pads)
    {
        int rank = x.Rank;
        var crop = pads.Select(p => Math.Min(p, 0)).ToArray();
        if (crop.Any(p => p < 0))
        {
            var st = Enumerable.Range(0, rank).Select(i => (long)-crop[i]).ToArray();
            var en = Enumerable.Range(0, rank).Select(i => (long)(x.Shape[i] + crop[rank + i])).ToArray();
            x = x.Slice(st, en);
        }
        for (int ax = 0; ax < rank; ax++)
        {
            int b = Math.Max(pads[ax], 0), e = Math.Max(pads[rank + ax], 0), d = x.Shape[ax];
            if (b == 0 && e == 0) continue;
            if (b > d || e > d) throw a.Fail($"wrap padding ({b}, {e}) is larger than axis {ax} of size {d}");
            var parts = new List<Tensor>();
            if (b > 0) parts.Add(x.Slice([d - b], [d], [ax]));
            parts.Add(x);
            if (e > 0) parts.Add(x.Slice([0], [e], [ax]));
            x = Tensor.Concat(parts, ax);
        }
        return x;
    }
}
