using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;
using FeatureViz.Tensors.Ops;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public TensorStorage Unary<TOp>(TOp op, TensorStorage x) where TOp : struct, IUnaryOp
    {
        var xs = Data(x);
        var y = NewUninitialized(xs.Length);
        For(xs.Length, 8, (s, e) => ElementwiseFastPaths.Unary(op, xs.AsSpan(s, e - s), y.AsSpan(s, e - s)));
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage UnaryBackward<TOp>(TOp op, TensorStorage x, TensorStorage y, TensorStorage dy) where TOp : struct, IUnaryOp
    {
        var xs = Data(x);
        var ys = Data(y);
        var gs = Data(dy);
        var dx = NewUninitialized(xs.Length);
        For(xs.Length, 8, (s, e) =>
        {
            if (ElementwiseFastPaths.UnaryBackward(op, xs.AsSpan(s, e - s), ys.AsSpan(s, e - s), gs.AsSpan(s, e - s), dx.AsSpan(s, e - s))) return;
            for (int i = s; i < e; i++) dx[i] = op.Backward(xs[i], ys[i], gs[i]);
        });
        return Wrap(dx);
    }

    /// <inheritdoc/>
    public TensorStorage Binary<TOp>(TOp op, TensorStorage a, Shape aShape, TensorStorage b, Shape bShape, Shape outShape)
        where TOp : struct, IBinaryOp
    {
        var av = Data(a);
        var bv = Data(b);
        var y = NewUninitialized(outShape.Numel);
        var ix = new BroadcastIndexer(outShape, aShape, bShape);
        int n = ix.RowLength, sa = ix.InnerStride(0), sb = ix.InnerStride(1);
        if (ix.Rows == 1)
        {
            // One long row (same shapes, or a scalar side): split it across threads.
            For(n, 2, (s0, s1) => ElementwiseFastPaths.BinaryRow(op,
                sa == 1 ? av.AsSpan(s0, s1 - s0) : av.AsSpan(0, 1), sa,
                sb == 1 ? bv.AsSpan(s0, s1 - s0) : bv.AsSpan(0, 1), sb, y.AsSpan(s0, s1 - s0)));
            return Wrap(y);
        }
        For(ix.Rows, n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int oa = ix.RowOffset(0, r), ob = ix.RowOffset(1, r);
                ElementwiseFastPaths.BinaryRow(op, av.AsSpan(oa, sa == 1 ? n : 1), sa, bv.AsSpan(ob, sb == 1 ? n : 1), sb, y.AsSpan(r * n, n));
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public (TensorStorage? Da, TensorStorage? Db) BinaryBackward<TOp>(TOp op, TensorStorage a, Shape aShape, TensorStorage b,
        Shape bShape, TensorStorage dy, Shape outShape, bool needA, bool needB) where TOp : struct, IBinaryOp
    {
        var av = Data(a);
        var bv = Data(b);
        var gv = Data(dy);
        var da = needA ? NewUninitialized(outShape.Numel) : null;
        var db = needB ? NewUninitialized(outShape.Numel) : null;
        if (aShape == outShape && bShape == outShape)
        {
            For(outShape.Numel, 2, (s0, s1) =>
            {
                if (ElementwiseFastPaths.BinaryBackwardSameShape<TOp>(av.AsSpan(s0, s1 - s0), bv.AsSpan(s0, s1 - s0), gv.AsSpan(s0, s1 - s0),
                        da is null ? default : da.AsSpan(s0, s1 - s0), db is null ? default : db.AsSpan(s0, s1 - s0), da is not null, db is not null))
                    return;
                for (int i = s0; i < s1; i++)
                {
                    float x1 = av[i], x2 = bv[i], yv = op.Forward(x1, x2);
                    if (da is not null) da[i] = op.GradA(x1, x2, yv, gv[i]);
                    if (db is not null) db[i] = op.GradB(x1, x2, yv, gv[i]);
                }
            });
            return (da is null ? null : Wrap(da), db is null ? null : Wrap(db));
        }
        var ix = new BroadcastIndexer(outShape, aShape, bShape);
        int n = ix.RowLength, sa = ix.InnerStride(0), sb = ix.InnerStride(1);
        For(ix.Rows, n * 2, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int oa = ix.RowOffset(0, r), ob = ix.RowOffset(1, r), oy = r * n;
                for (int i = 0; i < n; i++)
                {
                    float x1 = av[oa + i * sa], x2 = bv[ob + i * sb], g = gv[oy + i];
                    float yv = op.Forward(x1, x2);
                    if (da is not null) da[oy + i] = op.GradA(x1, x2, yv, g);
                    if (db is not null) db[oy + i] = op.GradB(x1, x2, yv, g);
                }
            }
        });
        return (da is null ? null : Wrap(da), db is null ? null : Wrap(db));
    }

    /// <inheritdoc/>
    public TensorStorage Where(TensorStorage cond, Shape condShape, TensorStorage a, Shape aShape, TensorStorage b, Shape bShape, Shape outShape)
    {
        var cv = Data(cond);
        var av = Data(a);
        var bv = Data(b);
        var y = NewUninitialized(outShape.Numel);
        var ix = new BroadcastIndexer(outShape, condShape, aShape, bShape);
        int n = ix.RowLength, sc = ix.InnerStride(0), sa = ix.InnerStride(1), sb = ix.InnerStride(2);
        For(ix.Rows, n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int oc = ix.RowOffset(0, r), oa = ix.RowOffset(1, r), ob = ix.RowOffset(2, r), oy = r * n;
                for (int i = 0; i < n; i++) y[oy + i] = cv[oc + i * sc] != 0 ? av[oa + i * sa] : bv[ob + i * sb];
            }
        });
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage BroadcastTo(TensorStorage x, Shape shape, Shape outShape)
    {
        var xv = Data(x);
        var y = NewUninitialized(outShape.Numel);
        var ix = new BroadcastIndexer(outShape, shape);
        int n = ix.RowLength, sx = ix.InnerStride(0);
        For(ix.Rows, n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int ox = ix.RowOffset(0, r), oy = r * n;
                if (sx == 1) Array.Copy(xv, ox, y, oy, n);
                else y.AsSpan(oy, n).Fill(xv[ox]);
            }
        });
        return Wrap(y);
    }
}
