// Conv and ConvTranspose (1-D and 2-D, groups, dilations, auto_pad NOTSET/SAME_UPPER/SAME_LOWER/VALID,
// ConvTranspose output_shape/output_padding). https://onnx.ai/onnx/operators/onnx__Conv.html,
// https://onnx.ai/onnx/operators/onnx__ConvTranspose.html. Opsets 1, 11 (auto_pad/defaults clarified), 22.
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Onnx.Ops;

internal static class ConvHandlers
{
    public static void Register(OpRegistry r)
    {
        r.Add("Conv", 1, Conv);
        r.Add("ConvTranspose", 1, ConvTranspose);
    }

    private static Kernel Conv(NodeContext c) => Conv(c, ConvEpilogue.None);

    /// <summary>
    /// The Conv kernel of node <paramref name="c"/>, with <paramref name="epilogue"/>'s activation fused into the
    /// convolution (<see cref="Tensor.Conv2dActivation"/>); the graph's fusion pass builds it for Conv + activation chains.
    /// </summary>
    internal static Kernel Conv(NodeContext c, ConvEpilogue epilogue)
    {
        var s = SpatialAttrs.Read(c);
        long group = c.Int("group", 1);
        return a =>
        {
            var x = a.Tensor(0);
            var w = a.Tensor(1);
            int sr = SpatialAttrs.SpatialRank(a, x.Rank);
            if (w.Rank != x.Rank) throw a.Fail($"weight rank {w.Rank} does not match input rank {x.Rank}");
            var wd = w.Shape.ToArray();
            if (s.Kernel is not null && !s.Kernel.SequenceEqual(wd.Skip(2).Select(d => (long)d)))
                throw a.Fail($"kernel_shape [{string.Join(", ", s.Kernel)}] does not match weight {w.Shape}");
            var k = sr == 1 ? new[] { 1, wd[2] } : new[] { wd[2], wd[3] };
            var stride = SpatialAttrs.To2d(s.Strides, sr, 1, a, "strides");
            var dil = SpatialAttrs.To2d(s.Dilations, sr, 1, a, "dilations");
            var xd = x.Shape.ToArray();
            var inSize = sr == 1 ? new[] { 1, xd[2] } : new[] { xd[2], xd[3] };
            var (pt, pl, pb, pr) = s.ResolvePads(a, sr, inSize, k, stride, dil);
            s.CheckRanges(a, SpatialOpKind.Convolution, x.Shape, sr, inSize, k, stride, dil, (pt, pl, pb, pr));
            var opt = new Conv2dOptions(stride[0], stride[1], pt, pl, pb, pr, dil[0], dil[1], checked((int)group));
            Tensor? bias = a.TensorOrNull(2);
            Tensor Convolve(Tensor x4, Tensor w4) => epilogue.Activation == ConvActivation.None
                ? x4.Conv2d(w4, bias, opt)
                : x4.Conv2dActivation(w4, bias, opt, epilogue);
            if (sr == 1)
            {
                var y = Convolve(x.Reshape(xd[0], xd[1], 1, xd[2]), w.Reshape(wd[0], wd[1], 1, wd[2]));
                return [ElementwiseHandlers.Float(a, 0, y.Reshape(y.Shape[0], y.Shape[1], y.Shape[3]))];
            }
            return [ElementwiseHandlers.Float(a, 0, Convolve(x, w))];
        };
    }

    private static Kernel ConvTranspose(NodeContext c)
    {
        var s = SpatialAttrs.Read(c);
        long group = c.Int("group", 1);
        var outputShape = c.Ints("output_shape");
        var outputPadding = s.OutputPadding = c.Ints("output_padding");
        return a =>
        {
            var x = a.Tensor(0);
            var w = a.Tensor(1);
            int sr = SpatialAttrs.SpatialRank(a, x.Rank);
            if (w.Rank != x.Rank) throw a.Fail($"weight rank {w.Rank} does not match input rank {x.Rank}");
            var wd = w.Shape.ToArray();
            var xd = x.Shape.ToArray();
            var k = sr == 1 ? new[] { 1, wd[2] } : new[] { wd[2], wd[3] };
            var stride = SpatialAttrs.To2d(s.Strides, sr, 1, a, "strides");
            var dil = SpatialAttrs.To2d(s.Dilations, sr, 1, a, "dilations");
            var outPad = SpatialAttrs.To2d(outputPadding, sr, 0, a, "output_padding");
            var inSize = sr == 1 ? new[] { 1, xd[2] } : new[] { xd[2], xd[3] };
            int[] begin = new int[2], end = new int[2];
            long[]? target = outputShape;
            if (target is not null && target.Length == sr + 2) target = target[2..];
            if (target is null && s.AutoPad is "SAME_UPPER" or "SAME_LOWER")
                target = Enumerable.Range(0, sr).Select(i => (long)inSize[i + 2 - sr] * stride[i + 2 - sr]).ToArray();
            if (target is not null)
            {
                var t2 = SpatialAttrs.To2d(target, sr, 1, a, "output_shape");
                for (int i = 0; i < 2; i++)
                {
                    long natural = (long)stride[i] * (inSize[i] - 1) + outPad[i] + (long)(k[i] - 1) * dil[i] + 1;
                    long total = natural - t2[i];
                    // Growing the output beyond the natural size is output padding (checked against the stride below).
                    if (total < 0) { outPad[i] = (int)Math.Min(outPad[i] - total, int.MaxValue); total = 0; }
                    if (total > int.MaxValue) throw a.Fail($"attribute output_shape=[{string.Join(", ", outputShape!)}] asks to crop {total} positions of spatial axis {i - (2 - sr)} (input {x.Shape})");
                    int t = (int)total;
                    if (s.AutoPad == "SAME_UPPER") { begin[i] = t / 2; end[i] = t - t / 2; }
                    else { begin[i] = t - t / 2; end[i] = t / 2; }
                }
            }
            else if (s.AutoPad != "VALID")
            {
                var (pt, pl, pb, pr) = s.ResolvePads(a, sr, inSize, k, stride, dil);
                (begin[0], begin[1], end[0], end[1]) = (pt, pl, pb, pr);
            }
            s.CheckRanges(a, SpatialOpKind.TransposedConvolution, x.Shape, sr, inSize, k, stride, dil, (begin[0], begin[1], end[0], end[1]), outPad);
            var opt = new ConvTranspose2dOptions(stride[0], stride[1], begin[0], begin[1], end[0], end[1], dil[0], dil[1], outPad[0], outPad[1], checked((int)group));
            Tensor? bias = a.TensorOrNull(2);
            if (sr == 1)
            {
                var y = x.Reshape(xd[0], xd[1], 1, xd[2]).ConvTranspose2d(w.Reshape(wd[0], wd[1], 1, wd[2]), bias, opt);
                return [ElementwiseHandlers.Float(a, 0, y.Reshape(y.Shape[0], y.Shape[1], y.Shape[3]))];
            }
            return [ElementwiseHandlers.Float(a, 0, x.ConvTranspose2d(w, bias, opt))];
        };
    }
}
