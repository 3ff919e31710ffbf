namespace FeatureViz.Tensors.Tests.Linalg;

/// <summary>Naive float64 loops: the independent references for the linear-algebra ops.</summary>
internal static class Reference
{
    /// <summary>C[m x n] = op(A) op(B) for row-major A, B (transposed storage when flagged).</summary>
    public static double[] MatMul(float[] a, float[] b, int m, int n, int k, bool ta = false, bool tb = false, int aOff = 0, int bOff = 0)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)a[aOff + (ta ? p * m + i : i * k + p)] * b[bOff + (tb ? j * k + p : p * n + j)];
                c[i * n + j] = s;
            }
        return c;
    }

    /// <summary>Direct convolution: the textbook six-deep loop over every output and tap.</summary>
    public static double[] Conv2d(float[] x, int[] xs, float[] w, int[] ws, float[]? bias, Conv2dOptions o, out int[] ys)
    {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], oc = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int og = oc / o.Groups;
        int oh = (h + o.PadTop + o.PadBottom - ((kh - 1) * o.DilationH + 1)) / o.StrideH + 1;
        int ow = (wd + o.PadLeft + o.PadRight - ((kw - 1) * o.DilationW + 1)) / o.StrideW + 1;
        ys = [n, oc, oh, ow];
        var y = new double[n * oc * oh * ow];
        for (int b = 0; b < n; b++)
        for (int q = 0; q < oc; q++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
        {
            double s = bias is null ? 0 : bias[q];
            int grp = q / og;
            for (int ci = 0; ci < cg; ci++)
            for (int u = 0; u < kh; u++)
            for (int v = 0; v < kw; v++)
            {
                int ih = i * o.StrideH - o.PadTop + u * o.DilationH, iw = j * o.StrideW - o.PadLeft + v * o.DilationW;
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                s += (double)x[((b * c + grp * cg + ci) * h + ih) * wd + iw] * w[((q * cg + ci) * kh + u) * kw + v];
            }
            y[((b * oc + q) * oh + i) * ow + j] = s;
        }
        return y;
    }

    /// <summary>Transposed convolution by its definition: every input pixel scatters weight * value into the output.</summary>
    public static double[] ConvTranspose2d(float[] x, int[] xs, float[] w, int[] ws, float[]? bias, ConvTranspose2dOptions o, out int[] ys)
    {
        int n = xs[0], cin = xs[1], h = xs[2], wd = xs[3], cog = ws[1], kh = ws[2], kw = ws[3];
        int cout = cog * o.Groups, cig = cin / o.Groups;
        int oh = o.StrideH * (h - 1) + o.OutputPaddingH + (kh - 1) * o.DilationH + 1 - o.PadTop - o.PadBottom;
        int ow = o.StrideW * (wd - 1) + o.OutputPaddingW + (kw - 1) * o.DilationW + 1 - o.PadLeft - o.PadRight;
        ys = [n, cout, oh, ow];
        var y = new double[n * cout * oh * ow];
        for (int b = 0; b < n; b++)
        for (int ci = 0; ci < cin; ci++)
        for (int i = 0; i < h; i++)
        for (int j = 0; j < wd; j++)
        {
            int grp = ci / cig;
            for (int co = 0; co < cog; co++)
            for (int u = 0; u < kh; u++)
            for (int v = 0; v < kw; v++)
            {
                int r = i * o.StrideH - o.PadTop + u * o.DilationH, s = j * o.StrideW - o.PadLeft + v * o.DilationW;
                if (r < 0 || r >= oh || s < 0 || s >= ow) continue;
                y[((b * cout + grp * cog + co) * oh + r) * ow + s] += (double)x[((b * cin + ci) * h + i) * wd + j] * w[((ci * cog + co) * kh + u) * kw + v];
            }
        }
        if (bias is not null)
            for (int i = 0; i < y.Length; i++) y[i] += bias[i / (oh * ow) % cout];
        return y;
    }
}
