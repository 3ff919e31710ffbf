using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using FeatureViz.Tensors.Ops;

namespace FeatureViz.Tensors.Backends;

/// <summary>
/// The default bodies of the fused (optional) <see cref="IBackend"/> methods, composed only from the required core:
/// <see cref="IBackend.StridedCopy"/>/<see cref="IBackend.StridedScatter"/>, <see cref="IBackend.Unary{TOp}"/>,
/// <see cref="IBackend.Binary{TOp}"/>, <see cref="IBackend.BatchedGemm"/>, <see cref="IBackend.Conv2dBackwardInput"/>
/// and <see cref="IBackend.Upload"/> for small constant tables.
/// </summary>
/// <remarks>
/// <para>
/// Why default interface methods that forward here rather than a <c>BackendBase</c> class with virtual methods: a
/// backend (or a decorator such as a counting or logging wrapper) can implement <see cref="IBackend"/> directly and
/// keep its one base-class slot, and because the compositions are public static methods, the conformance tests can
/// run a backend's override and the composition side by side on the same backend, which a virtual base method
/// overridden in the backend would not allow (C# cannot call an overridden default interface body from outside).
/// </para>
/// <para>
/// Index and weight tables (selection matrices for gathers and pad gradients, interpolation matrices for Resize, the
/// channel band of LRN) are uploaded once per backend and geometry and cached (keyed by the geometry value), so a
/// steady-state step uploads nothing. Gather, Resize, LRN and the pad gradient multiply by 0/1 (or weight) matrices,
/// so they equal the direct kernels for finite inputs; an infinity or NaN in the input spreads along the matrix row.
/// </para>
/// </remarks>
public static class FusedDefaults
{
    /// <summary>Most tables kept per backend; the cache is emptied when it is full (tables are rebuilt on demand).</summary>
    private const int TableCapacity = 512;

    private static readonly ConditionalWeakTable<IBackend, ConcurrentDictionary<object, TensorStorage>> Tables = new();

    /// <summary><see cref="IBackend.BroadcastTo"/> as a strided copy with zero strides along the broadcast axes.</summary>
    public static TensorStorage BroadcastTo(IBackend backend, TensorStorage x, Shape shape, Shape outShape)
    {
        int rank = outShape.Rank, shift = rank - shape.Rank, stride = 1;
        var strides = new int[rank];
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            strides[d + shift] = shape[d] == 1 ? 0 : stride;
            stride *= shape[d];
        }
        return backend.StridedCopy(x, new StridedView(outShape, strides, 0));
    }

    /// <summary><see cref="IBackend.Concat"/>: each part is scattered into its columns and the placed parts are summed.</summary>
    public static TensorStorage Concat(IBackend backend, IReadOnlyList<TensorStorage> parts, int outer, ReadOnlySpan<int> partInner)
    {
        int total = Sum(partInner), column = 0;
        TensorStorage? y = null;
        for (int k = 0; k < parts.Count; k++)
        {
            var placed = backend.StridedScatter(parts[k], new StridedView(new Shape(outer, partInner[k]), [total, 1], column), outer * total);
            y = y is null ? placed : AddInto(backend, y, placed);
            column += partInner[k];
        }
        return y ?? backend.Allocate(0);
    }

    /// <summary><see cref="IBackend.Split"/>: one strided copy per part.</summary>
    public static TensorStorage[] Split(IBackend backend, TensorStorage x, int outer, ReadOnlySpan<int> partInner)
    {
        int total = Sum(partInner), column = 0;
        var parts = new TensorStorage[partInner.Length];
        for (int k = 0; k < parts.Length; k++)
        {
            parts[k] = backend.StridedCopy(x, new StridedView(new Shape(outer, partInner[k]), [total, 1], column));
            column += partInner[k];
        }
        return parts;
    }

    /// <summary>
    /// <see cref="IBackend.PadBackward"/>: axis by axis, the gradient along that axis is multiplied by the transpose
    /// of the 0/1 matrix that says which input index each output index reads (a strided batched GEMM).
    /// </summary>
    public static TensorStorage PadBackward(IBackend backend, TensorStorage dy, PadGeometry geometry)
    {
        var g = geometry;
        var current = g.OutDims();
        var grad = dy;
        for (int axis = 0; axis < current.Length; axis++)
        {
            int inLen = g.InDim(axis), outLen = current[axis];
            if (IsIdentity(g, axis, inLen, outLen)) continue;
            var key = (nameof(PadBackward), axis, g.Mode, g.InDim(axis), g.OutDim(axis), g.Begin(axis), g.Lo(axis), g.Len(axis));
            var selection = Table(backend, key, () =>
            {
                var s = new float[outLen * inLen];
                for (int j = 0; j < outLen; j++)
                    if (g.SourceIndex(axis, j) is var src and >= 0) s[j * inLen + src] = 1f;
                return s;
            });
            int outer = Product(current, 0, axis), inner = Product(current, axis + 1, current.Length);
            var next = backend.BatchedGemm(selection, grad, null, new GemmGeometry(M: inLen, N: inner, K: outLen, TransA: true,
                Batch: outer, StrideA: 0, StrideB: outLen * inner));
            if (!ReferenceEquals(grad, dy)) grad.Dispose();
            grad = next;
            current[axis] = inLen;
        }
        return ReferenceEquals(grad, dy) ? backend.Copy(dy) : grad;
    }

    /// <summary><see cref="IBackend.Gather"/>: a 0/1 selection matrix [indices, axisDim] times each outer slab.</summary>
    public static TensorStorage Gather(IBackend backend, TensorStorage x, int outer, int axisDim, int inner, TensorStorage indices)
    {
        using var selection = GatherSelection(backend, indices, axisDim);
        return backend.BatchedGemm(selection, x, null, new GemmGeometry(M: indices.Length, N: inner, K: axisDim,
            Batch: outer, StrideA: 0, StrideB: axisDim * inner));
    }

    /// <summary><see cref="IBackend.GatherBackward"/>: the transposed selection matrix times each outer slab of dy.</summary>
    public static TensorStorage GatherBackward(IBackend backend, TensorStorage dy, int outer, int axisDim, int inner, TensorStorage indices)
    {
        using var selection = GatherSelection(backend, indices, axisDim);
        return backend.BatchedGemm(selection, dy, null, new GemmGeometry(M: axisDim, N: inner, K: indices.Length, TransA: true,
            Batch: outer, StrideA: 0, StrideB: indices.Length * inner));
    }

    /// <summary>
    /// The selection matrix S[j, k] = (indices[j] + (indices[j] &lt; 0 ? axisDim : 0) == k), built on the device from
    /// the index storage and a 0..axisDim-1 row (a <see cref="Table"/>, uploaded once per backend and size); a row whose index is out of range or not an integer is zero.
    /// </summary>
    private static TensorStorage GatherSelection(IBackend backend, TensorStorage indices, int axisDim)
    {
        var column = new Shape(indices.Length, 1);
        var one = new Shape(1, 1);
        using var zero = backend.Fill(1, 0f);
        using var size = backend.Fill(1, axisDim);
        using var negative = backend.Binary(new LessOp(), indices, column, zero, one, column);
        using var shift = backend.Binary(new MulOp(), negative, column, size, one, column);
        using var normalized = backend.Binary(new AddOp(), indices, column, shift, column, column);
        var row = Table(backend, ("GatherPositions", axisDim), () =>
        {
            var positions = new float[axisDim];
            for (int k = 0; k < axisDim; k++) positions[k] = k;
            return positions;
        });
        return backend.Binary(new EqualOp(), normalized, column, row, new Shape(1, axisDim), new Shape(indices.Length, axisDim));
    }

    /// <summary><see cref="IBackend.ConvTranspose2d"/>: the input gradient of the convolution it transposes, plus the bias.</summary>
    public static TensorStorage ConvTranspose2d(IBackend backend, TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry)
    {
        var y = backend.Conv2dBackwardInput(x, w, geometry);
        if (bias is null) return y;
        var g = geometry;
        var shape = new Shape(g.N, g.C, g.H, g.W);
        var withBias = backend.Binary(new AddOp(), y, shape, bias, new Shape(1, g.C, 1, 1), shape);
        y.Dispose();
        return withBias;
    }

    /// <summary>
    /// <see cref="IBackend.Conv2dActivation"/>: <see cref="IBackend.Conv2d"/>, then the activation as the unary op the
    /// unfused graph would run (<see cref="ReluOp"/>, <see cref="ClipOp"/>, <see cref="LeakyReluOp"/>, <see cref="HardSigmoidOp"/>).
    /// </summary>
    public static TensorStorage Conv2dActivation(IBackend backend, TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry, ConvEpilogue epilogue)
    {
        var e = epilogue;
        var z = backend.Conv2d(x, w, bias, geometry);
        if (e.Activation == ConvActivation.None) return z;
        using var _ = z;
        return e.Activation switch
        {
            ConvActivation.Relu => backend.Unary(new ReluOp(false), z),
            ConvActivation.Clip => backend.Unary(new ClipOp(e.Alpha, e.Beta), z),
            ConvActivation.LeakyRelu => backend.Unary(new LeakyReluOp(e.Alpha), z),
            ConvActivation.HardSigmoid => backend.Unary(new HardSigmoidOp(e.Alpha, e.Beta), z),
            _ => throw new ArgumentException($"Conv2dActivation: unknown activation {(int)e.Activation}.", nameof(epilogue)),
        };
    }

    /// <summary><see cref="IBackend.ChannelAffine"/>: a broadcast multiply by the scale, then a broadcast add of the shift.</summary>
    public static TensorStorage ChannelAffine(IBackend backend, TensorStorage x, int outer, int channels, int inner, TensorStorage scale, TensorStorage? shift)
    {
        var shape = new Shape(outer, channels, inner);
        var perChannel = new Shape(1, channels, 1);
        var y = backend.Binary(new MulOp(), x, shape, scale, perChannel, shape);
        if (shift is null) return y;
        var shifted = backend.Binary(new AddOp(), y, shape, shift, perChannel, shape);
        y.Dispose();
        return shifted;
    }

    /// <summary><see cref="IBackend.MomentUpdate"/> as a chain of elementwise core ops (see <see cref="MomentUpdateRule"/>).</summary>
    public static (TensorStorage Parameter, TensorStorage M, TensorStorage V) MomentUpdate(IBackend backend, TensorStorage parameter,
        TensorStorage gradient, TensorStorage? m, TensorStorage? v, MomentUpdateRule rule)
    {
        var r = rule;
        var m1 = Blend(m, r.Beta1, gradient, 1f - r.Beta1);
        using var g2 = Mul(backend, gradient, gradient);
        var v1 = Blend(v, r.Beta2, g2, 1f - r.Beta2);
        using var step = Blend(m1, r.MomentScale, gradient, r.GradientScale);
        using var root = backend.Unary(new SqrtOp(), v1);
        using var denominator = backend.Unary(new AffineScalarOp(r.VarianceScale, r.Epsilon), root);
        using var ratio = Elementwise(backend, new DivOp(), step, denominator);
        var p1 = Elementwise(backend, new SubOp(), parameter, ratio);
        return (p1, m1, v1);

        // a * previous + c * term, where a null previous stands for zeros.
        TensorStorage Blend(TensorStorage? previous, float a, TensorStorage term, float c)
        {
            var scaled = backend.Unary(new AffineScalarOp(c, 0f), term);
            if (previous is null) return scaled;
            using var decayed = backend.Unary(new AffineScalarOp(a, 0f), previous);
            using var _ = scaled;
            return Elementwise(backend, new AddOp(), decayed, scaled);
        }
    }

    /// <summary>
    /// <see cref="IBackend.Lrn"/>: the window sums of x^2 over channels are one strided batched GEMM with a 0/1 band
    /// matrix [C, C]; y = x * (bias + alpha/size * sum)^-beta.
    /// </summary>
    public static TensorStorage Lrn(IBackend backend, TensorStorage x, LrnGeometry geometry)
    {
        using var scale = LrnScale(backend, x, geometry, out var denominator);
        denominator.Dispose();
        return Mul(backend, x, scale);
    }

    /// <summary>
    /// <see cref="IBackend.LrnBackward"/>: with s = bias + alpha/size * window sum and q = s^-beta,
    /// dx = dy q - 2 beta alpha/size x (band^T (dy x q / s)).
    /// </summary>
    public static TensorStorage LrnBackward(IBackend backend, TensorStorage x, TensorStorage dy, LrnGeometry geometry)
    {
        var g = geometry;
        using var q = LrnScale(backend, x, g, out var s);
        using var _ = s;
        using var dyx = Mul(backend, dy, x);
        using var dyxq = Mul(backend, dyx, q);
        using var t = Elementwise(backend, new DivOp(), dyxq, s);
        using var windowed = backend.BatchedGemm(LrnBand(backend, g), t, null, new GemmGeometry(M: g.C, N: g.Inner, K: g.C, TransA: true,
            Batch: g.N, StrideA: 0, StrideB: g.C * g.Inner));
        using var xw = Mul(backend, x, windowed);
        using var scaled = backend.Unary(new AffineScalarOp(-2f * g.Beta * g.AlphaOverSize, 0f), xw);
        using var direct = Mul(backend, dy, q);
        return Elementwise(backend, new AddOp(), direct, scaled);
    }

    /// <summary>
    /// <see cref="IBackend.Resize"/>: Y = Wy X Wx^T per plane, with the interpolation matrices Wy [OutH, InH] and
    /// Wx [OutW, InW] built from the geometry's tables (two strided batched GEMMs).
    /// </summary>
    public static TensorStorage Resize(IBackend backend, TensorStorage x, ResizeGeometry geometry)
    {
        var g = geometry;
        var (wy, wx) = ResizeMatrices(backend, g);
        using var rows = backend.BatchedGemm(wy, x, null, new GemmGeometry(M: g.OutH, N: g.InW, K: g.InH,
            Batch: g.Planes, StrideA: 0, StrideB: g.InH * g.InW));
        return backend.BatchedGemm(rows, wx, null, new GemmGeometry(M: g.OutH, N: g.OutW, K: g.InW, TransB: true,
            Batch: g.Planes, StrideA: g.OutH * g.InW, StrideB: 0));
    }

    /// <summary><see cref="IBackend.ResizeBackward"/>: dX = Wy^T dY Wx per plane (the adjoint of <see cref="Resize"/>).</summary>
    public static TensorStorage ResizeBackward(IBackend backend, TensorStorage dy, ResizeGeometry geometry)
    {
        var g = geometry;
        var (wy, wx) = ResizeMatrices(backend, g);
        using var rows = backend.BatchedGemm(dy, wx, null, new GemmGeometry(M: g.OutH, N: g.InW, K: g.OutW,
            Batch: g.Planes, StrideA: g.OutH * g.OutW, StrideB: 0));
        return backend.BatchedGemm(wy, rows, null, new GemmGeometry(M: g.InH, N: g.InW, K: g.OutH, TransA: true,
            Batch: g.Planes, StrideA: 0, StrideB: g.OutH * g.InW));
    }

    /// <summary>
    /// A constant table uploaded once per backend and <paramref name="key"/> (a value: a geometry or a tuple of its
    /// fields). The returned storage belongs to the cache: callers must not dispose it.
    /// </summary>
    public static TensorStorage Table(IBackend backend, object key, Func<float[]> build)
    {
        var cache = Tables.GetOrCreateValue(backend);
        if (cache.TryGetValue(key, out var table) && !table.IsDisposed) return table;
        if (cache.Count >= TableCapacity) cache.Clear();
        table = backend.Upload(build());
        cache[key] = table;
        return table;
    }

    private static TensorStorage LrnScale(IBackend backend, TensorStorage x, LrnGeometry g, out TensorStorage denominator)
    {
        using var squares = Mul(backend, x, x);
        using var sums = backend.BatchedGemm(LrnBand(backend, g), squares, null, new GemmGeometry(M: g.C, N: g.Inner, K: g.C,
            Batch: g.N, StrideA: 0, StrideB: g.C * g.Inner));
        denominator = backend.Unary(new AffineScalarOp(g.AlphaOverSize, g.Bias), sums);
        return backend.Unary(new PowScalarOp(-g.Beta), denominator);
    }

    /// <summary>band[c, c'] = 1 when channel c' lies in the window [c - Before, c + After] of channel c.</summary>
    private static TensorStorage LrnBand(IBackend backend, LrnGeometry g) =>
        Table(backend, (nameof(LrnBand), g.C, g.Before, g.After), () =>
        {
            var band = new float[g.C * g.C];
            for (int c = 0; c < g.C; c++)
                for (int k = Math.Max(0, c - g.Before); k <= Math.Min(g.C - 1, c + g.After); k++)
                    band[c * g.C + k] = 1f;
            return band;
        });

    private static (TensorStorage Wy, TensorStorage Wx) ResizeMatrices(IBackend backend, ResizeGeometry g)
    {
        var wy = Table(backend, (nameof(ResizeGeometry), true, g), () =>
        {
            var t = ResizeTables.Compute(g);
            return Interpolation(g.OutH, g.InH, g.Nearest, t.Y0, t.Y1, t.WY1);
        });
        var wx = Table(backend, (nameof(ResizeGeometry), false, g), () =>
        {
            var t = ResizeTables.Compute(g);
            return Interpolation(g.OutW, g.InW, g.Nearest, t.X0, t.X1, t.WX1);
        });
        return (wy, wx);
    }

    private static float[] Interpolation(int outLen, int inLen, bool nearest, int[] i0, int[] i1, float[] w1)
    {
        var m = new float[outLen * inLen];
        for (int i = 0; i < outLen; i++)
        {
            if (nearest) { m[i * inLen + i0[i]] = 1f; continue; }
            m[i * inLen + i0[i]] += 1f - w1[i];
            m[i * inLen + i1[i]] += w1[i];
        }
        return m;
    }

    private static bool IsIdentity(PadGeometry g, int axis, int inLen, int outLen)
    {
        if (inLen != outLen) return false;
        for (int j = 0; j < outLen; j++)
            if (g.SourceIndex(axis, j) != j) return false;
        return true;
    }

    private static TensorStorage Mul(IBackend backend, TensorStorage a, TensorStorage b) => Elementwise(backend, new MulOp(), a, b);

    private static TensorStorage Elementwise<TOp>(IBackend backend, TOp op, TensorStorage a, TensorStorage b) where TOp : struct, IBinaryOp
    {
        var shape = new Shape(a.Length);
        return backend.Binary(op, a, shape, b, shape, shape);
    }

    private static TensorStorage AddInto(IBackend backend, TensorStorage sum, TensorStorage term)
    {
        var y = Elementwise(backend, new AddOp(), sum, term);
        sum.Dispose();
        term.Dispose();
        return y;
    }

    private static int Sum(ReadOnlySpan<int> values)
    {
        int s = 0;
        foreach (var v in values) s += v;
        return s;
    }

    private static int Product(int[] dims, int from, int to)
    {
        int p = 1;
        for (int i = from; i < to; i++) p *= dims[i];
        return p;
    }
}
