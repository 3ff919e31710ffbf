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
        ForRowPieces(ix.Rows, n, 2, (r, j0, j1) =>
        {
            int oa = ix.RowOffset(0, r), ob = ix.RowOffset(1, r);
            ElementwiseFastPaths.BinaryRow(op, sa == 1 ? av.AsSpan(oa + j0, j1 - j0) : av.AsSpan(oa, 1), sa,
                sb == 1 ? bv.AsSpan(ob + j0, j1 - j0) : bv.AsSpan(ob, 1), sb, y.AsSpan(r * n + j0, j1 - j0));
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
        ForRowPieces(ix.Rows, n, 2, (r, j0, j1) =>
        {
            int oa = ix.RowOffset(0, r), ob = ix.RowOffset(1, r), oy = r * n;
            for (int i = j0; i < j1; i++)
            {
                float x1 = av[oa + i * sa], x2 = bv[ob + i * sb], g = gv[oy + i];
                float yv = op.Forward(x1, x2);
                if (da is not null) da[oy + i] = op.GradA(x1, x2, yv, g);
                if (db is not null) db[oy + i] = op.GradB(x1, x2, yv, g);
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
        ForRowPieces(ix.Rows, n, 1, (r, j0, j1) =>
        {
            int oc = ix.RowOffset(0, r), oa = ix.RowOffset(1, r), ob = ix.RowOffset(2, r), oy = r * n;
            for (int i = j0; i < j1; i++) y[oy + i] = cv[oc + i * sc] != 0 ? av[oa + i * sa] : bv[ob + i * sb];
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
        ForRowPieces(ix.Rows, n, 1, (r, j0, j1) =>
        {
            int ox = ix.RowOffset(0, r), oy = r * n;
            if (sx == 1) Array.Copy(xv, ox + j0, y, oy + j0, j1 - j0);
            else y.AsSpan(oy + j0, j1 - j0).Fill(xv[ox]);
        });
        return Wrap(y);
    }
}
