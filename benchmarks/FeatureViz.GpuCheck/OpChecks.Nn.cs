using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.GpuCheck;

public sealed partial class OpChecks
{
    /// <summary>The geometry of a ResNet18 convolution at batch <paramref name="n"/>.</summary>
    public static Conv2dGeometry Geometry(ConvSpec s, int n = 1, int groups = 1) =>
        new(N: n, C: s.C, H: s.H, W: s.H, O: s.O, KH: s.K, KW: s.K, OH: s.OH, OW: s.OH, StrideH: s.Stride,
            StrideW: s.Stride, PadTop: s.Pad, PadLeft: s.Pad, DilationH: 1, DilationW: 1, Groups: groups);

    private void Linalg()
    {
        int m = D(1024);
        var a = Uniform(m * m);
        var b = Uniform(m * m);
        h.Check("BatchedGemm", $"{m}^3", x => x.Backend.BatchedGemm(x.Up(a), x.Up(b), null, new GemmGeometry(m, m, m)));
        // Ragged sizes, both transposes, a batch sharing B, and a broadcast bias row as C (the Gemm node's pattern).
        int bm = D(1000), bn = D(513), bk = D(257), batch = 4;
        var ta = Uniform(batch * bk * bm);
        var tb = Uniform(bn * bk);
        var c = Uniform(bn);
        h.Check("BatchedGemm", $"batch {batch}, {bm}x{bn}x{bk}, A^T and B^T, beta 0.5 with a bias row", x =>
            x.Backend.BatchedGemm(x.Up(ta), x.Up(tb), x.Up(c), new GemmGeometry(bm, bn, bk, TransA: true, TransB: true,
                Alpha: 1.5f, Batch: batch, StrideA: bk * bm, StrideB: 0, Beta: 0.5f, CRowStride: 0, CColStride: 1)));
    }

    private void Convolutions()
    {
        bool first = true;
        foreach (var s in w.Convolutions)
        {
            var g = Geometry(s);
            var xs = Uniform(s.C * s.H * s.H);
            var ws = Uniform(s.O * s.C * s.K * s.K, -0.1f, 0.1f);
            var bias = Uniform(s.O);
            var dy = Uniform(s.O * s.OH * s.OH);
            h.Check("Conv2d", s.Key, x => x.Backend.Conv2d(x.Up(xs), x.Up(ws), x.Up(bias), g));
            h.Check("Conv2dActivation", $"{s.Key} relu", x => x.Backend.Conv2dActivation(x.Up(xs), x.Up(ws), x.Up(bias), g, new ConvEpilogue(ConvActivation.Relu)));
            if (first)
            {
                // The other fusable activations once (the epilogue is the same code for every shape).
                h.Check("Conv2dActivation", $"{s.Key} leakyrelu", x => x.Backend.Conv2dActivation(x.Up(xs), x.Up(ws), x.Up(bias), g, ConvEpilogue.LeakyRelu(0.1f)));
                h.Check("Conv2dActivation", $"{s.Key} hardsigmoid", x => x.Backend.Conv2dActivation(x.Up(xs), x.Up(ws), x.Up(bias), g, ConvEpilogue.HardSigmoid(0.2f, 0.5f)));
                first = false;
            }
            h.Check("Conv2dBackwardInput", s.Key, x => x.Backend.Conv2dBackwardInput(x.Up(dy), x.Up(ws), g));
            h.Check("Conv2dBackwardWeight", s.Key, x => x.Backend.Conv2dBackwardWeight(x.Up(xs), x.Up(dy), g));
        }
        // Depthwise (MobileNet's pattern, the direct kernel) and a transposed convolution.
        var dw = new ConvSpec(D(64), D(64), 3, 1, 1, D(56));
        var dg = Geometry(dw, groups: dw.C);
        var dx = Uniform(dw.C * dw.H * dw.H);
        var dwt = Uniform(dw.O * 9, -0.3f, 0.3f);
        var ddy = Uniform(dw.O * dw.OH * dw.OH);
        string dc = $"depthwise {dw.Key}";
        h.Check("Conv2d", dc, x => x.Backend.Conv2d(x.Up(dx), x.Up(dwt), null, dg));
        h.Check("Conv2dActivation", $"{dc} relu6", x => x.Backend.Conv2dActivation(x.Up(dx), x.Up(dwt), null, dg, new ConvEpilogue(ConvActivation.Clip, 0f, 6f)));
        h.Check("Conv2dBackwardInput", dc, x => x.Backend.Conv2dBackwardInput(x.Up(ddy), x.Up(dwt), dg));
        h.Check("Conv2dBackwardWeight", dc, x => x.Backend.Conv2dBackwardWeight(x.Up(dx), x.Up(ddy), dg));
        var t = new ConvSpec(D(64), D(128), 3, 2, 1, D(56));
        var tg = Geometry(t);
        var tx = Uniform(t.O * t.OH * t.OH);
        var tw = Uniform(t.O * t.C * 9, -0.1f, 0.1f);
        var tbias = Uniform(t.C);
        h.Check("ConvTranspose2d", $"transposes {t.Key}", x => x.Backend.ConvTranspose2d(x.Up(tx), x.Up(tw), x.Up(tbias), tg));
    }

    private void Fft()
    {
        foreach (int real in new[] { 224, 512 })
        {
            int s = D(real);
            var geo = new Fft2Geometry(3, s, s);
            var img = Uniform(3 * s * s);
            var spec = Uniform(3 * s * geo.HalfWidth * 2);
            var weights = Uniform(s * geo.HalfWidth, 0.1f, 1f);
            h.Check("Rfft2", $"3x{s}x{s}", x => x.Backend.Rfft2(x.Up(img), geo, 1f / s, 1f));
            h.Check("Rfft2", $"3x{s}x{s}, adjoint weights and bin weights", x => x.Backend.Rfft2(x.Up(img), geo, 1f / s, 2f, x.Up(weights)));
            h.Check("Irfft2", $"3x{s}x{s}", x => x.Backend.Irfft2(x.Up(spec), geo, 1f / s, 1f));
            h.Check("Irfft2", $"3x{s}x{s}, adjoint weights and bin weights", x => x.Backend.Irfft2(x.Up(spec), geo, 1f / s, 0.5f, x.Up(weights)));
        }
    }

    private void Pooling()
    {
        int c = D(64), hw = D(112), o = (hw + 2 - 3) / 2 + 1;
        var max = new Pool2dGeometry(1, c, hw, hw, o, o, 3, 3, 2, 2, 1, 1, 1, 1);
        var xs = Uniform(c * hw * hw);
        var dy = Uniform(c * o * o);
        string mc = $"3x3/2 pad 1, [1, {c}, {hw}, {hw}]";
        h.Check("MaxPool2d", mc, x => x.Backend.MaxPool2d(x.Up(xs), max));
        h.Check("MaxPool2dBackward", mc, x => x.Backend.MaxPool2dBackward(x.Up(xs), x.Up(dy), max));
        h.Check("AvgPool2d", mc, x => x.Backend.AvgPool2d(x.Up(xs), max));
        h.Check("AvgPool2dBackward", mc, x => x.Backend.AvgPool2dBackward(x.Up(dy), max));
        int fc = D(512), fs = Math.Max(2, D(7));
        var global = new Pool2dGeometry(1, fc, fs, fs, 1, 1, fs, fs);
        var fx = Uniform(fc * fs * fs);
        var fdy = Uniform(fc);
        string gc = $"global, [1, {fc}, {fs}, {fs}]";
        h.Check("AvgPool2d", gc, x => x.Backend.AvgPool2d(x.Up(fx), global));
        h.Check("AvgPool2dBackward", gc, x => x.Backend.AvgPool2dBackward(x.Up(fdy), global));
    }

    private void Movement()
    {
        int c = D(64), p = D(56) * D(56);
        var xs = Uniform(c * p);
        var transpose = new StridedView([p, c], [1, p], 0);
        h.Check("StridedCopy", $"transpose [{c}, {p}]", x => x.Backend.StridedCopy(x.Up(xs), transpose));
        var dy = Uniform(c * p);
        h.Check("StridedScatter", $"transpose [{c}, {p}]", x => x.Backend.StridedScatter(x.Up(dy), transpose, c * p));

        int[] inner = [D(64) * p, D(128) * p / 4];
        var a = Uniform(2 * inner[0]);
        var b = Uniform(2 * inner[1]);
        h.Check("Concat", $"outer 2, inner {inner[0]} + {inner[1]}", x => x.Backend.Concat([x.Up(a), x.Up(b)], 2, inner));
        var joined = Uniform(2 * (inner[0] + inner[1]));
        h.CheckMany("Split", $"outer 2, inner {inner[0]} + {inner[1]}", x => x.Backend.Split(x.Up(joined), 2, inner));

        int s = D(224), e = Math.Max(1, D(16));
        int[] img = [1, 3, s, s];
        var im = Uniform(3 * s * s);
        foreach (var mode in new[] { PadMode.Reflect, PadMode.Edge, PadMode.Wrap, PadMode.Constant })
        {
            var geo = new PadGeometry(img, [1, 3, s + 2 * e, s + 2 * e], [0, 0, e, e], [0, 0, 0, 0], img, mode, 0.5f);
            var pdy = Uniform(3 * (s + 2 * e) * (s + 2 * e));
            h.Check($"Pad/{mode}", $"[1, 3, {s}, {s}] by {e}", x => x.Backend.Pad(x.Up(im), geo));
            h.Check($"PadBackward/{mode}", $"[1, 3, {s}, {s}] by {e}", x => x.Backend.PadBackward(x.Up(pdy), geo));
        }
        // A crop on one side and a pad on the other (the merged jitter window).
        var crop = new PadGeometry(img, [1, 3, s, s], [0, 0, e, 0], [0, 0, 0, e], [1, 3, s - e, s - e], PadMode.Constant, 0f);
        h.Check("Pad/crop", $"[1, 3, {s}, {s}] shifted by {e}", x => x.Backend.Pad(x.Up(im), crop));

        int rows = D(1000), width = D(512), outer = 2;
        var table = Uniform(outer * rows * width);
        var idx = Enumerable.Range(0, D(256)).Select(i => (float)((i * 37 % (2 * rows)) - rows)).Append(rows + 5).Append(0.5f).ToArray();
        var gdy = Uniform(outer * idx.Length * width);
        string gc = $"[{outer}, {rows}, {width}], {idx.Length} indices (negative, out of range, fractional)";
        h.Check("Gather", gc, x => x.Backend.Gather(x.Up(table), outer, rows, width, x.Up(idx)));
        h.Check("GatherBackward", gc, x => x.Backend.GatherBackward(x.Up(gdy), outer, rows, width, x.Up(idx)));
    }

    private void Nn()
    {
        int c = D(64), p = D(56) * D(56);
        var xs = Uniform(c * p);
        var dy = Uniform(c * p);
        var lrn = new LrnGeometry(1, c, p, 2, 2, 1e-4f / 5, 0.75f, 1f);
        h.Check("Lrn", $"size 5, [1, {c}, {p}]", x => x.Backend.Lrn(x.Up(xs), lrn));
        h.Check("LrnBackward", $"size 5, [1, {c}, {p}]", x => x.Backend.LrnBackward(x.Up(xs), x.Up(dy), lrn));

        var scale = Uniform(c, 0.5f, 2f);
        var shift = Uniform(c);
        h.Check("ChannelAffine", $"[1, {c}, {p}]", x => x.Backend.ChannelAffine(x.Up(xs), 1, c, p, x.Up(scale), x.Up(shift)));
        h.Check("ChannelAffine", $"[1, {c}, {p}], no shift", x => x.Backend.ChannelAffine(x.Up(xs), 1, c, p, x.Up(scale), null));

        int big = D(512), small = D(224);
        var down = new ResizeGeometry(3, big, big, small, small, new ResizeOptions(ResizeMode.Linear, CoordinateTransform.HalfPixel));
        var up = new ResizeGeometry(3, small, small, 2 * small, 2 * small, ResizeOptions.Upsample(ResizeMode.Nearest));
        var im = Uniform(3 * big * big);
        var sm = Uniform(3 * small * small);
        var ddy = Uniform(3 * small * small);
        var udy = Uniform(3 * 4 * small * small);
        h.Check("Resize", $"linear {big} to {small}", x => x.Backend.Resize(x.Up(im), down));
        h.Check("ResizeBackward", $"linear {big} to {small}", x => x.Backend.ResizeBackward(x.Up(ddy), down));
        h.Check("Resize", $"nearest {small} to {2 * small}", x => x.Backend.Resize(x.Up(sm), up));
        h.Check("ResizeBackward", $"nearest {small} to {2 * small}", x => x.Backend.ResizeBackward(x.Up(udy), up));
    }

    private void Sampling()
    {
        int n = 2, s = D(256), o = D(224);
        var geo = new AffineWarpGeometry(n, 3, s, s, o, o, n, WarpPadding.Zeros);
        var xs = Uniform(n * 3 * s * s);
        var dy = Uniform(n * 3 * o * o);
        // A rotation by 0.1 rad with a 0.95 scale and a shift, and a plain scale.
        float cs = 0.95f * MathF.Cos(0.1f), sn = 0.95f * MathF.Sin(0.1f);
        float[] theta = [cs, -sn, 0.03f, sn, cs, -0.02f, 0.9f, 0f, 0f, 0f, 0.9f, 0.01f];
        string c = $"{n}x3x{s}x{s} to {o}x{o}, rotate/scale";
        h.Check("AffineWarp", c, x => x.Backend.AffineWarp(x.Up(xs), x.Up(theta), geo));
        h.Check("AffineWarpBackward", c, x => x.Backend.AffineWarpBackward(x.Up(dy), x.Up(theta), geo));
        h.Check("AffineWarpBackwardTheta", c, x => x.Backend.AffineWarpBackwardTheta(x.Up(xs), x.Up(dy), x.Up(theta), geo));
        var border = geo with { Padding = WarpPadding.Border, ThetaBatch = 1 };
        h.Check("AffineWarp", c + ", border, shared theta", x => x.Backend.AffineWarp(x.Up(xs), x.Up(theta[..6]), border));
    }

    private void Optimizer()
    {
        int n = 3 * D(512) * (D(512) / 2 + 1) * 2;
        var p = Uniform(n);
        var g = Uniform(n);
        var m = Uniform(n, -0.1f, 0.1f);
        var v = Uniform(n, 0f, 0.01f);
        // Adam (Keras form) at step 3 with lr 0.05.
        var rule = new MomentUpdateRule(0.9f, 0.999f, (float)(0.05 * Math.Sqrt(1 - Math.Pow(0.999, 3)) / (1 - Math.Pow(0.9, 3))), 0f, 1f, 1e-7f);
        h.CheckMany("MomentUpdate", $"Adam step 3, {n} parameters", x =>
        {
            var (np, nm, nv) = x.Backend.MomentUpdate(x.Up(p), x.Up(g), x.Up(m), x.Up(v), rule);
            return [np, nm, nv];
        });
        h.CheckMany("MomentUpdate", $"first step (no moments), {n} parameters", x =>
        {
            var (np, nm, nv) = x.Backend.MomentUpdate(x.Up(p), x.Up(g), null, null, rule);
            return [np, nm, nv];
        });
    }
}
