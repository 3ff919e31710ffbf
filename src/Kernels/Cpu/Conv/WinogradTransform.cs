namespace FeatureViz.Kernels.Cpu.Conv;

/// <summary>
/// The matrices of one Winograd/Toom-Cook algorithm F(m x m, 3 x 3): Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A over an
/// α x α input tile (α = m + 2). They are generated from the interpolation points (finite points plus ∞), so F(4,3)
/// and F(6,3) come from the same construction:
/// Bᵀ row i = coefficients of Π_{l≠i} (x − x_l) (the ∞ row: Π_l (x − x_l)); G row i = (1, x_i, x_i²) / Π_{l≠i} (x_i − x_l)
/// (the ∞ row: (0, 0, 1)); Aᵀ[j, i] = x_i^j (the ∞ column: 1 in the last row). The transforms keep only the non-zero
/// terms of each row, as (index, coefficient) lists.
/// </summary>
internal sealed class WinogradTransform
{
    /// <summary>F(4 x 4, 3 x 3), points 0, ±1, ±2, ∞ (36 multiplications per tile and channel pair instead of 144).</summary>
    public static WinogradTransform F4 { get; } = new(4, [0, 1, -1, 2, -2]);

    /// <summary>F(6 x 6, 3 x 3), points 0, ±1, ±2, ±½, ∞ (64 instead of 324, at about 2-3x F(4,3)'s error).</summary>
    public static WinogradTransform F6 { get; } = new(6, [0, 1, -1, 2, -2, 0.5, -0.5]);

    private WinogradTransform(int m, double[] points)
    {
        M = m;
        Alpha = m + 2;
        int a = Alpha;
        var bt = new double[a, a];
        var g = new double[a, 3];
        var at = new double[m, a];
        for (int i = 0; i < a - 1; i++)
        {
            double[] poly = [1];
            double denominator = 1;
            for (int l = 0; l < a - 1; l++)
            {
                if (l == i) continue;
                poly = MultiplyByLinear(poly, points[l]);
                denominator *= points[i] - points[l];
            }
            for (int k = 0; k < poly.Length; k++) bt[i, k] = poly[k];
            for (int k = 0; k < 3; k++) g[i, k] = Math.Pow(points[i], k) / denominator;
            for (int j = 0; j < m; j++) at[j, i] = Math.Pow(points[i], j);
        }
        double[] all = [1];
        foreach (var p in points) all = MultiplyByLinear(all, p);
        for (int k = 0; k < a; k++) bt[a - 1, k] = all[k];
        g[a - 1, 2] = 1;
        at[m - 1, a - 1] = 1;
        G = g;
        InputRows = Terms(bt);
        OutputRows = Terms(at);
    }

    /// <summary>Output tile size m.</summary>
    public int M { get; }

    /// <summary>Input tile size α = m + 2.</summary>
    public int Alpha { get; }

    /// <summary>The filter transform G (α x 3), in double: filters are transformed once and rounded once.</summary>
    public double[,] G { get; }

    /// <summary>Non-zero terms of each row of Bᵀ (α rows).</summary>
    public Row[] InputRows { get; }

    /// <summary>Non-zero terms of each row of Aᵀ (m rows).</summary>
    public Row[] OutputRows { get; }

    /// <summary>One matrix row as its non-zero (index, coefficient) pairs.</summary>
    internal readonly record struct Row(int[] Index, float[] Coefficient);

    /// <summary>U = G g Gᵀ (α x α, row-major into <paramref name="u"/>) of one 3 x 3 filter.</summary>
    public void TransformFilter(ReadOnlySpan<float> filter, Span<double> u)
    {
        int a = Alpha;
        Span<double> gg = stackalloc double[a * 3];
        for (int i = 0; i < a; i++)
            for (int k = 0; k < 3; k++)
                gg[i * 3 + k] = G[i, 0] * filter[k] + G[i, 1] * filter[3 + k] + G[i, 2] * filter[6 + k];
        for (int i = 0; i < a; i++)
            for (int j = 0; j < a; j++)
                u[i * a + j] = gg[i * 3] * G[j, 0] + gg[i * 3 + 1] * G[j, 1] + gg[i * 3 + 2] * G[j, 2];
    }

    private static double[] MultiplyByLinear(double[] poly, double root)
    {
        var r = new double[poly.Length + 1];
        for (int k = 0; k < poly.Length; k++)
        {
            r[k + 1] += poly[k];
            r[k] -= root * poly[k];
        }
        return r;
    }

    private static Row[] Terms(double[,] matrix)
    {
        var rows = new Row[matrix.GetLength(0)];
        for (int i = 0; i < rows.Length; i++)
        {
            var index = new List<int>();
            var coefficient = new List<float>();
            for (int k = 0; k < matrix.GetLength(1); k++)
            {
                if (matrix[i, k] == 0) continue;
                index.Add(k);
                coefficient.Add((float)matrix[i, k]);
            }
            rows[i] = new Row([.. index], [.. coefficient]);
        }
        return rows;
    }
}
