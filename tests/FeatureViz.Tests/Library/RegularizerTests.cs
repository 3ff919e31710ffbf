using FeatureViz.Regularizers;
using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Library;

/// <summary>Regularizer values on the reference's examples and on random images, computed here in float64.</summary>
public class RegularizerTests
{
    private static Tensor T(float[] d, params int[] s) => Tensor.FromArray(TestModels.Backend, d, s);

    [Fact]
    public void L2_OfConstantFourImageWithFactorTwo_IsEight()
    {
        var img = T(Enumerable.Repeat(4f, 2 * 3 * 5 * 5).ToArray(), 2, 3, 5, 5);
        Approx.Equal(new double[] { 8, 8 }, Regularizer.L2(2f).Compute(img).ToArray());
        var neg = T(Enumerable.Repeat(-4f, 3 * 5 * 5).ToArray(), 1, 3, 5, 5);
        Approx.Equal(new double[] { 8 }, Regularizer.L2(2f).Compute(neg).ToArray());
    }

    [Fact]
    public void L1_L2_LInf_OnRandomImages()
    {
        var d = Rand.Uniform(3, 2 * 3 * 4 * 5, -2f, 2f);
        var img = T(d, 2, 3, 4, 5);
        double[] l1 = new double[2], l2 = new double[2], li = new double[2];
        for (int n = 0; n < 2; n++)
        {
            var s = d.Skip(n * 60).Take(60).Select(x => (double)x).ToArray();
            l1[n] = 0.5 * s.Average(Math.Abs);
            l2[n] = 0.5 * Math.Sqrt(s.Average(x => x * x));
            li[n] = 0.5 * s.Max(Math.Abs);
        }
        Approx.Equal(l1, Regularizer.L1(0.5f).Compute(img).ToArray(), 1e-5);
        Approx.Equal(l2, Regularizer.L2(0.5f).Compute(img).ToArray(), 1e-5);
        Approx.Equal(li, Regularizer.LInf(0.5f).Compute(img).ToArray(), 1e-6);
    }

    [Fact]
    public void TotalVariation_SumsAbsoluteNeighbourDifferences()
    {
        // A 3 x 3 one-channel toy: vertical differences 1+0+1 + 1+0+1, horizontal 1+1 + 0+0 + 1+1.
        float[] toy = [1, 2, 3, 2, 2, 2, 3, 2, 1];
        Assert.Equal(8.0, Regularizer.TotalVariation().Compute(T(toy, 1, 1, 3, 3)).ToArray()[0], 5);
        var d = Rand.Uniform(4, 2 * 3 * 4 * 5);
        var expected = new double[2];
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 4; y++)
                    for (int x = 0; x < 5; x++)
                    {
                        int i = ((n * 3 + c) * 4 + y) * 5 + x;
                        if (y + 1 < 4) expected[n] += Math.Abs(d[i + 5] - d[i]);
                        if (x + 1 < 5) expected[n] += Math.Abs(d[i + 1] - d[i]);
                    }
        Approx.Equal(expected.Select(e => 3 * e).ToArray(), Regularizer.TotalVariation(3f).Compute(T(d, 2, 3, 4, 5)).ToArray(), 1e-5);
    }

    [Fact]
    public void Regularizers_RejectNonImages()
    {
        Assert.Throws<ArgumentException>(() => Regularizer.L1().Compute(T(new float[6], 2, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Regularizer.L2(float.NaN));
    }
}
