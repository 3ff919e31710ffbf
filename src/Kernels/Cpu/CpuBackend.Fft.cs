using FeatureViz.Kernels.Cpu.Fft;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Kernels.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public TensorStorage Rfft2(TensorStorage x, Fft2Geometry geometry, float scale, float interiorWeight, TensorStorage? binWeights = null)
    {
        var xs = Data(x);
        var (batch, h, w) = geometry;
        int wc = geometry.HalfWidth, rows = batch * h;
        var y = NewUninitialized(rows * wc * 2);
        if (y.Length == 0) return Wrap(y);
        var weights = ColumnWeights(geometry, scale, interiorWeight);
        var bins = binWeights is null ? null : Data(binWeights);
        using (var planes = new SplitPlanes(batch, h, w))
        {
            var (pRe, pIm) = (planes.Re, planes.Im);
            For(batch * RealFft2.RowBlocks(h), FftWork(w, 2 * RealFft2.Lanes), (t0, t1) => RealFft2.ForwardRows(xs, pRe, pIm, h, w, t0, t1));
            For(batch * RealFft2.ColumnBlocks(wc), FftWork(h, RealFft2.Lanes), (t0, t1) => RealFft2.ForwardColumns(pRe, pIm, y, h, wc, weights, bins, t0, t1));
        }
        return Wrap(y);
    }

    /// <inheritdoc/>
    public TensorStorage Irfft2(TensorStorage spectrum, Fft2Geometry geometry, float scale, float interiorWeight, TensorStorage? binWeights = null)
    {
        var sp = Data(spectrum);
        var (batch, h, w) = geometry;
        int wc = geometry.HalfWidth, rows = batch * h;
        var y = NewUninitialized(rows * w);
        if (y.Length == 0) return Wrap(y);
        var weights = ColumnWeights(geometry, scale, interiorWeight);
        var bins = binWeights is null ? null : Data(binWeights);
        using (var planes = new SplitPlanes(batch, h, w))
        {
            var (pRe, pIm) = (planes.Re, planes.Im);
            For(batch * RealFft2.ColumnBlocks(wc), FftWork(h, RealFft2.Lanes), (t0, t1) => RealFft2.InverseColumns(sp, pRe, pIm, h, wc, weights, bins, t0, t1));
            For(batch * RealFft2.RowBlocks(h), FftWork(w, 2 * RealFft2.Lanes), (t0, t1) => RealFft2.InverseRows(pRe, pIm, y, h, w, t0, t1));
        }
        return Wrap(y);
    }

    private static float[] ColumnWeights(Fft2Geometry g, float scale, float interiorWeight)
    {
        var weights = new float[g.HalfWidth];
        for (int l = 0; l < weights.Length; l++) weights[l] = g.IsInterior(l) ? scale * interiorWeight : scale;
        return weights;
    }

    /// <summary>Rough float operations of one task: n log n per sequence.</summary>
    private static long FftWork(int n, int sequences) => (long)sequences * n * (2 + (int)Math.Log2(n)) * 4;
}
