using FeatureViz.Tensors.Backends;

namespace FeatureViz.Tensors;

public sealed partial class Tensor
{
    /// <summary>NumPy matmul: batched, broadcast batch dimensions, 1-D operands promoted and the added axis removed.</summary>
    public Tensor MatMul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var a = this;
        var b = other;
        var backend = SameBackend("MatMul", a, b);
        if (a.Rank == 0 || b.Rank == 0)
            throw new ArgumentException($"MatMul: operands must have rank >= 1, got {a.Shape} and {b.Shape}.", a.Rank == 0 ? "this" : nameof(other));
        var ad = a.Rank == 1 ? [1, a.Shape[0]] : a.Shape.ToArray();
        var bd = b.Rank == 1 ? [b.Shape[0], 1] : b.Shape.ToArray();
        int m = ad[^2], k = ad[^1], n = bd[^1];
        if (bd[^2] != k)
            throw new ArgumentException($"MatMul: inner dimensions differ: {a.Shape} @ {b.Shape} ({k} vs {bd[^2]}).", nameof(other));
        var aBatch = new Shape(ad[..^2]);
        var bBatch = new Shape(bd[..^2]);
        Shape batch;
        try { batch = Shape.Broadcast(aBatch, bBatch, "MatMul"); }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"MatMul: batch dimensions of {a.Shape} and {b.Shape} do not broadcast ({e.Message})", nameof(other));
        }
        var outDims = batch.ToArray().ToList();
        if (a.Rank > 1) outDims.Add(m);
        if (b.Rank > 1) outDims.Add(n);
        var outShape = TensorLimits.OutputShape("MatMul", [.. outDims], nameof(other), $"{a.Shape} @ {b.Shape}");

        // A batch over a 2-D right operand folds into the rows of one product: [batch * M, K] @ [K, N].
        if (bBatch.Rank == 0 && aBatch.Numel > 0)
        {
            int rows = aBatch.Numel * m;
            var y0 = backend.BatchedGemm(a.Storage, b.Storage, null, new GemmGeometry(M: rows, N: n, K: k));
            return Record("MatMul", y0, outShape, [a, b], (g, needs) =>
            [
                needs[0] ? Result(backend.BatchedGemm(g.Storage, b.Storage, null, new GemmGeometry(M: rows, N: k, K: n, TransB: true)), a.Shape) : null,
                needs[1] ? Result(backend.BatchedGemm(a.Storage, g.Storage, null, new GemmGeometry(M: k, N: n, K: rows, TransA: true)), b.Shape) : null,
            ]);
        }

        // Otherwise one strided batch over the broadcast batch shape: an operand with a single matrix is shared
        // (stride 0); one that broadcasts along only some batch axes is materialised at the full batch first.
        int count = batch.Numel;
        var (aData, strideA) = BatchOperand(a.Storage, aBatch, m, k);
        var (bData, strideB) = BatchOperand(b.Storage, bBatch, k, n);
        var y = backend.BatchedGemm(aData, bData, null, new GemmGeometry(M: m, N: n, K: k, Batch: count, StrideA: strideA, StrideB: strideB));
        return Record("MatMul", y, outShape, [a, b], (g, needs) =>
        {
            // dA_i = dY_i B_i^T and dB_i = A_i^T dY_i per batch entry; a broadcast operand's gradient is then the
            // explicit sum over its broadcast batch axes.
            Tensor? da = null, db = null;
            if (needs[0])
                da = SumBatch(backend.BatchedGemm(g.Storage, bData, null,
                    new GemmGeometry(M: m, N: k, K: n, TransB: true, Batch: count, StrideA: m * n, StrideB: strideB)), m, k, ad, a.Shape);
            if (needs[1])
                db = SumBatch(backend.BatchedGemm(aData, g.Storage, null,
                    new GemmGeometry(M: k, N: n, K: m, TransA: true, Batch: count, StrideA: strideA, StrideB: m * n)), k, n, bd, b.Shape);
            return [da, db];
        });

        (TensorStorage Data, int Stride) BatchOperand(TensorStorage x, Shape xBatch, int rows, int cols)
        {
            if (xBatch.Numel == 1) return (x, 0);
            if (xBatch.Numel == count) return (x, rows * cols);
            var full = new Shape([.. batch.ToArray(), rows, cols]);
            return (backend.BroadcastTo(x, new Shape([.. xBatch.ToArray(), rows, cols]), full), rows * cols);
        }

        Tensor SumBatch(TensorStorage perEntry, int rows, int cols, int[] promoted, Shape shape) =>
            SumToShape(Result(perEntry, new Shape([.. batch.ToArray(), rows, cols])), new Shape(promoted), "MatMul").Reshape(shape.ToArray());
    }

    /// <summary>ONNX Gemm: alpha * op(A) * op(B) + beta * C, with C broadcast to [M, N].</summary>
    public static Tensor Gemm(Tensor a, Tensor b, Tensor? c, GemmOptions options)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var backend = SameBackend("Gemm", a, b);
        if (c is not null) SameBackend("Gemm", a, c);
        if (a.Rank != 2) throw new ArgumentException($"Gemm: A must be 2-D, got {a.Shape}.", nameof(a));
        if (b.Rank != 2) throw new ArgumentException($"Gemm: B must be 2-D, got {b.Shape}.", nameof(b));
        var (alpha, beta, ta, tb) = (options.Alpha, options.Beta, options.TransA, options.TransB);
        int m = ta ? a.Shape[1] : a.Shape[0], k = ta ? a.Shape[0] : a.Shape[1];
        int kb = tb ? b.Shape[1] : b.Shape[0], n = tb ? b.Shape[0] : b.Shape[1];
        if (k != kb)
            throw new ArgumentException($"Gemm: inner dimensions differ: A {a.Shape} (transA={ta}) and B {b.Shape} (transB={tb}) give K = {k} and {kb}.", nameof(b));
        int rs = 0, cs = 0;
        if (c is not null)
        {
            if (c.Rank > 2)
                throw new ArgumentException($"Gemm: C {c.Shape} must have rank <= 2 to broadcast to [{m}, {n}].", nameof(c));
            int cr = c.Rank == 2 ? c.Shape[0] : 1, cc = c.Rank >= 1 ? c.Shape[^1] : 1;
            if ((cr != 1 && cr != m) || (cc != 1 && cc != n))
                throw new ArgumentException($"Gemm: C {c.Shape} does not broadcast to [{m}, {n}].", nameof(c));
            rs = cr == 1 ? 0 : cc;
            cs = cc == 1 ? 0 : 1;
        }
        var outShape = TensorLimits.OutputShape("Gemm", [m, n], nameof(b), $"A {a.Shape}, B {b.Shape}");
        var geo = new GemmGeometry(M: m, N: n, K: k, TransA: ta, TransB: tb, Alpha: alpha, Beta: c is null ? 0f : beta, CRowStride: rs, CColStride: cs);
        var y = backend.BatchedGemm(a.Storage, b.Storage, c?.Storage, geo);
        Tensor[] inputs = c is null ? [a, b] : [a, b, c];
        return Record("Gemm", y, outShape, inputs, (g, needs) =>
        {
            Tensor? da = null, db = null, dc = null;
            if (needs[0])
            {
                // op(A) = dY op(B)^T, stored transposed when transA.
                var dg = ta
                    ? new GemmGeometry(M: k, N: m, K: n, TransA: tb, TransB: true, Alpha: alpha)
                    : new GemmGeometry(M: m, N: k, K: n, TransA: false, TransB: !tb, Alpha: alpha);
                da = ta ? Result(backend.BatchedGemm(b.Storage, g.Storage, null, dg), a.Shape)
                        : Result(backend.BatchedGemm(g.Storage, b.Storage, null, dg), a.Shape);
            }
            if (needs[1])
            {
                // op(B) gradient = op(A)^T dY, stored transposed when transB.
                var dg = tb
                    ? new GemmGeometry(M: n, N: k, K: m, TransA: true, TransB: ta, Alpha: alpha)
                    : new GemmGeometry(M: k, N: n, K: m, TransA: !ta, TransB: false, Alpha: alpha);
                db = tb ? Result(backend.BatchedGemm(g.Storage, a.Storage, null, dg), b.Shape)
                        : Result(backend.BatchedGemm(a.Storage, g.Storage, null, dg), b.Shape);
            }
            if (needs.Length > 2 && needs[2]) dc = beta == 1f ? g : g.Mul(beta);
            return c is null ? [da, db] : [da, db, dc];
        });
    }

    /// <summary>2-D convolution of NCHW input with OIHW (O, C/groups, kH, kW) weights and an optional bias [O].</summary>
    public Tensor Conv2d(Tensor weight, Tensor? bias, Conv2dOptions options)
    {
        var (backend, geo, outShape) = PrepareConv2d("Conv2d", weight, bias, options);
        var x = this;
        var y = backend.Conv2d(x.Storage, weight.Storage, bias?.Storage, geo);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Record("Conv2d", y, outShape, inputs, (g, needs) => Conv2dVjp(x, weight, bias, geo, g, needs));
    }

    /// <summary>Checks the arguments of a convolution (named <paramref name="op"/> in errors) and resolves its geometry.</summary>
    private (IBackend Backend, Conv2dGeometry Geometry, Shape OutShape) PrepareConv2d(string op, Tensor weight, Tensor? bias, Conv2dOptions options)
    {
        ArgumentNullException.ThrowIfNull(weight);
        var x = this;
        var o = options;
        var backend = CheckConvArgs(op, x, weight, bias, o.StrideH, o.StrideW, o.PadTop, o.PadLeft, o.PadBottom, o.PadRight, o.DilationH, o.DilationW, o.Groups);
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int oc = weight.Shape[0], kh = weight.Shape[2], kw = weight.Shape[3];
        if (weight.Shape[1] * o.Groups != c)
            throw new ArgumentException($"{op}: input {x.Shape} has {c} channels but weight {weight.Shape} with groups={o.Groups} expects {weight.Shape[1] * o.Groups}.", nameof(weight));
        if (oc % o.Groups != 0)
            throw new ArgumentException($"{op}: groups={o.Groups} does not divide the {oc} output channels of weight {weight.Shape}.", nameof(options));
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != oc))
            throw new ArgumentException($"{op}: bias {bias.Shape} must be [{oc}] for weight {weight.Shape}.", nameof(bias));
        var (oh, ow) = SpatialGeometry.Resolve(op, SpatialOpKind.Convolution, $"input {x.Shape}, weight {weight.Shape}",
            new SpatialAxis(h, kh, o.StrideH, o.DilationH, o.PadTop, o.PadBottom),
            new SpatialAxis(w, kw, o.StrideW, o.DilationW, o.PadLeft, o.PadRight), nameof(weight));
        var outShape = TensorLimits.OutputShape(op, [n, oc, oh, ow], nameof(options), ConvContext(x, weight, o.StrideH, o.StrideW, o.DilationH, o.DilationW, o.PadTop, o.PadLeft, o.PadBottom, o.PadRight));
        CheckIm2ColWorkspace(op, c / o.Groups, kh, kw, oh * ow);
        var geo = new Conv2dGeometry(N: n, C: c, H: h, W: w, O: oc, KH: kh, KW: kw, OH: (int)oh, OW: (int)ow, StrideH: o.StrideH, StrideW: o.StrideW,
            PadTop: o.PadTop, PadLeft: o.PadLeft, DilationH: o.DilationH, DilationW: o.DilationW, Groups: o.Groups);
        return (backend, geo, outShape);
    }

    /// <summary>The gradients of a convolution's input, weight and bias given dL/d(conv output) <paramref name="g"/>.</summary>
    private static Tensor?[] Conv2dVjp(Tensor x, Tensor weight, Tensor? bias, Conv2dGeometry geo, Tensor g, bool[] needs)
    {
        var backend = x.Backend;
        var dx = needs[0] ? Result(backend.Conv2dBackwardInput(g.Storage, weight.Storage, geo), x.Shape) : null;
        // Frozen weights (feature visualization) never reach the weight-gradient kernel.
        var dw = needs[1] ? Result(backend.Conv2dBackwardWeight(x.Storage, g.Storage, geo), weight.Shape) : null;
        var db = needs.Length > 2 && needs[2] ? g.Sum([0, 2, 3]) : null;
        return bias is null ? [dx, dw] : [dx, dw, db];
    }

    /// <summary>2-D transposed convolution: weights (C_in, C_out/groups, kH, kW), as ONNX ConvTranspose / PyTorch.</summary>
    public Tensor ConvTranspose2d(Tensor weight, Tensor? bias, ConvTranspose2dOptions options)
    {
        ArgumentNullException.ThrowIfNull(weight);
        var x = this;
        var o = options;
        var backend = CheckConvArgs("ConvTranspose2d", x, weight, bias, o.StrideH, o.StrideW, o.PadTop, o.PadLeft, o.PadBottom, o.PadRight, o.DilationH, o.DilationW, o.Groups);
        int n = x.Shape[0], cin = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int kh = weight.Shape[2], kw = weight.Shape[3];
        if (weight.Shape[0] != cin)
            throw new ArgumentException($"ConvTranspose2d: input {x.Shape} has {cin} channels but weight {weight.Shape} expects {weight.Shape[0]}.", nameof(weight));
        int cout = weight.Shape[1] * o.Groups;
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != cout))
            throw new ArgumentException($"ConvTranspose2d: bias {bias.Shape} must be [{cout}] for weight {weight.Shape} with groups={o.Groups}.", nameof(bias));
        var (oh, ow) = SpatialGeometry.Resolve("ConvTranspose2d", SpatialOpKind.TransposedConvolution, $"input {x.Shape}, weight {weight.Shape}",
            new SpatialAxis(h, kh, o.StrideH, o.DilationH, o.PadTop, o.PadBottom, o.OutputPaddingH),
            new SpatialAxis(w, kw, o.StrideW, o.DilationW, o.PadLeft, o.PadRight, o.OutputPaddingW), nameof(options));
        if (oh <= 0 || ow <= 0)
            throw new ArgumentException($"ConvTranspose2d: pads ({o.PadTop}, {o.PadLeft}, {o.PadBottom}, {o.PadRight}) leave an empty output {oh}x{ow} for input {x.Shape} and weight {weight.Shape}.", nameof(options));
        var outShape = TensorLimits.OutputShape("ConvTranspose2d", [n, cout, oh, ow], nameof(options), ConvContext(x, weight, o.StrideH, o.StrideW, o.DilationH, o.DilationW, o.PadTop, o.PadLeft, o.PadBottom, o.PadRight));
        CheckIm2ColWorkspace("ConvTranspose2d", cout / o.Groups, kh, kw, (long)h * w);
        // The convolution this op transposes maps [N, cout, oh, ow] to [N, cin, h, w] with the same weight tensor.
        var geo = new Conv2dGeometry(N: n, C: cout, H: (int)oh, W: (int)ow, O: cin, KH: kh, KW: kw, OH: h, OW: w, StrideH: o.StrideH, StrideW: o.StrideW,
            PadTop: o.PadTop, PadLeft: o.PadLeft, DilationH: o.DilationH, DilationW: o.DilationW, Groups: o.Groups);
        var y = backend.ConvTranspose2d(x.Storage, weight.Storage, bias?.Storage, geo);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Record("ConvTranspose2d", y, outShape, inputs, (g, needs) =>
        {
            var dx = needs[0] ? Result(backend.Conv2d(g.Storage, weight.Storage, null, geo), x.Shape) : null;
            var dw = needs[1] ? Result(backend.Conv2dBackwardWeight(g.Storage, x.Storage, geo), weight.Shape) : null;
            var db = needs.Length > 2 && needs[2] ? g.Sum([0, 2, 3]) : null;
            return bias is null ? [dx, dw] : [dx, dw, db];
        });
    }

    /// <summary>The column buffer of im2col (channels per group * kernel taps by output positions) must fit the limits too.</summary>
    private static void CheckIm2ColWorkspace(string op, int groupChannels, int kh, int kw, long positions) =>
        TensorLimits.Elements(op, [(long)groupChannels * kh * kw, positions], "im2col workspace", "options");

    private static string ConvContext(Tensor x, Tensor weight, int sh, int sw, int dh, int dw, int pt, int pl, int pb, int pr) =>
        $"strides ({sh}, {sw}), dilations ({dh}, {dw}), pads ({pt}, {pl}, {pb}, {pr}), input {x.Shape}, weight {weight.Shape}";

    private static IBackend CheckConvArgs(string op, Tensor x, Tensor weight, Tensor? bias, int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw, int groups)
    {
        var backend = SameBackend(op, x, weight);
        if (bias is not null) SameBackend(op, x, bias);
        if (x.Rank != 4) throw new ArgumentException($"{op}: input must be 4-D NCHW, got {x.Shape}.", "input");
        if (weight.Rank != 4) throw new ArgumentException($"{op}: weight must be 4-D, got {weight.Shape} (input {x.Shape}).", nameof(weight));
        if (sh < 1 || sw < 1) throw new ArgumentException($"{op}: strides ({sh}, {sw}) must be >= 1 (input {x.Shape}, weight {weight.Shape}).", "options");
        if (dh < 1 || dw < 1) throw new ArgumentException($"{op}: dilations ({dh}, {dw}) must be >= 1 (input {x.Shape}, weight {weight.Shape}).", "options");
        if (pt < 0 || pl < 0 || pb < 0 || pr < 0) throw new ArgumentException($"{op}: pads ({pt}, {pl}, {pb}, {pr}) must be >= 0 (input {x.Shape}, weight {weight.Shape}).", "options");
        if (groups < 1) throw new ArgumentException($"{op}: groups={groups} must be >= 1 (input {x.Shape}, weight {weight.Shape}).", "options");
        if (x.Shape[1] % groups != 0)
            throw new ArgumentException($"{op}: groups={groups} does not divide the {x.Shape[1]} channels of input {x.Shape} (weight {weight.Shape}).", "options");
        if (weight.Shape[2] < 1 || weight.Shape[3] < 1 || weight.Shape[0] < 1 || weight.Shape[1] < 1)
            throw new ArgumentException($"{op}: weight {weight.Shape} has an empty dimension (input {x.Shape}).", nameof(weight));
        return backend;
    }
}

/// <summary>Options of <see cref="Tensor.Gemm"/>.</summary>
public readonly record struct GemmOptions(float Alpha = 1f, float Beta = 1f, bool TransA = false, bool TransB = false)
{
    /// <summary>The ONNX defaults (alpha = beta = 1, no transposition); without this, <c>new GemmOptions()</c> would be all zeros.</summary>
    public GemmOptions() : this(Alpha: 1f) { }
}

/// <summary>Convolution geometry: strides, asymmetric padding, dilations and groups.</summary>
public readonly record struct Conv2dOptions(
    int StrideH = 1, int StrideW = 1,
    int PadTop = 0, int PadLeft = 0, int PadBottom = 0, int PadRight = 0,
    int DilationH = 1, int DilationW = 1,
    int Groups = 1)
{
    /// <summary>The defaults (stride 1, no padding, dilation 1, one group); without this, <c>new Conv2dOptions()</c> would be all zeros.</summary>
    public Conv2dOptions() : this(StrideH: 1) { }
}

/// <summary>Transposed-convolution geometry (ONNX ConvTranspose attributes with explicit pads).</summary>
public readonly record struct ConvTranspose2dOptions(
    int StrideH = 1, int StrideW = 1,
    int PadTop = 0, int PadLeft = 0, int PadBottom = 0, int PadRight = 0,
    int DilationH = 1, int DilationW = 1,
    int OutputPaddingH = 0, int OutputPaddingW = 0,
    int Groups = 1)
{
    /// <summary>The defaults (stride 1, no padding, dilation 1, one group); without this, <c>new ConvTranspose2dOptions()</c> would be all zeros.</summary>
    public ConvTranspose2dOptions() : this(StrideH: 1) { }
}
