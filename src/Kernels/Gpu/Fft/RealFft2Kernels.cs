using ILGPU;

namespace FeatureViz.Kernels.Gpu.Fft;

/// <summary>
/// Device code around the complex FFTs of the real 2-D transforms. Rows are transformed as full complex FFTs of the
/// real rows (imaginary parts zero) and the first W/2 + 1 bins kept; columns live between the passes as
/// [batch][W/2 + 1][H] contiguous sequences. Inverses run forward FFTs on conjugated data
/// (sum_k Z_k e^{+2 pi i kn/N} = conj(FFT(conj Z))_n), so the butterflies exist in one direction only.
/// </summary>
internal static class RealFft2Kernels
{
    /// <summary>rows[i] = (x[i], 0) over the batch's rows.</summary>
    public static void RealToComplex(ArrayView<float> x, ArrayView<Complex32> rows, RealFft2Shape s)
    {
        int total = s.Batch * s.Height * s.Width;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
            rows[i] = new Complex32(x[i], 0f);
    }

    /// <summary>cols[img, c, m] = rows[img, m, c] for the kept bins c &lt; W/2 + 1.</summary>
    public static void RowsToColumns(ArrayView<Complex32> rows, ArrayView<Complex32> cols, RealFft2Shape s)
    {
        int total = s.Batch * s.HalfWidth * s.Height, perImage = s.HalfWidth * s.Height;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
        {
            int img = i / perImage, r = i - img * perImage, c = r / s.Height, m = r - c * s.Height;
            cols[i] = rows[(img * s.Height + m) * s.Width + c];
        }
    }

    /// <summary>y[img, m, c] = cols[img, c, m] times the bin's weight.</summary>
    public static void ColumnsToSpectrum(ArrayView<Complex32> cols, ArrayView<Complex32> y, ArrayView<float> bins, RealFft2Shape s)
    {
        int total = s.Batch * s.Height * s.HalfWidth, perImage = s.Height * s.HalfWidth;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
        {
            int img = i / perImage, r = i - img * perImage, m = r / s.HalfWidth, c = r - m * s.HalfWidth;
            var v = s.Weight(bins, m, c) * cols[(img * s.HalfWidth + c) * s.Height + m];
            // Self-conjugate bins (row 0 or H/2 of column 0 or W/2) are real for a real input; rounding in the
            // twiddles (sin(pi n) is not exactly 0 in float) would otherwise leave ~1e-9 there.
            if ((c == 0 || 2 * c == s.Width) && (m == 0 || 2 * m == s.Height)) v.Im = 0f;
            y[i] = v;
        }
    }

    /// <summary>cols[img, c, m] = conj(spectrum[img, m, c] times the bin's weight), ready for the inverse column FFTs.</summary>
    public static void SpectrumToColumns(ArrayView<Complex32> spectrum, ArrayView<Complex32> cols, ArrayView<float> bins, RealFft2Shape s)
    {
        int total = s.Batch * s.HalfWidth * s.Height, perImage = s.HalfWidth * s.Height;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
        {
            int img = i / perImage, r = i - img * perImage, c = r / s.Height, m = r - c * s.Height;
            cols[i] = (s.Weight(bins, m, c) * spectrum[(img * s.Height + m) * s.HalfWidth + c]).Conjugate();
        }
    }

    /// <summary>
    /// The conjugated full rows of the C2R transform from the conjugated column results: bins below W/2 + 1 as they are
    /// (the imaginary part of DC and Nyquist dropped), the rest as the conjugates of their mirror bins W - c.
    /// </summary>
    public static void ColumnsToHermitianRows(ArrayView<Complex32> cols, ArrayView<Complex32> rows, RealFft2Shape s)
    {
        int total = s.Batch * s.Height * s.Width, perImage = s.Height * s.Width;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
        {
            int img = i / perImage, r = i - img * perImage, m = r / s.Width, c = r - m * s.Width;
            Complex32 v;
            if (c < s.HalfWidth)
            {
                v = cols[(img * s.HalfWidth + c) * s.Height + m];
                if (c == 0 || 2 * c == s.Width) v.Im = 0f;
            }
            else
            {
                v = cols[(img * s.HalfWidth + s.Width - c) * s.Height + m].Conjugate();
            }
            rows[i] = v;
        }
    }

    /// <summary>x[i] = Re(rows[i]).</summary>
    public static void RealPart(ArrayView<Complex32> rows, ArrayView<float> x, RealFft2Shape s)
    {
        int total = s.Batch * s.Height * s.Width;
        for (int i = Grid.GlobalIndex.X; i < total; i += Grid.DimX * Group.DimX)
            x[i] = rows[i].Re;
    }
}
