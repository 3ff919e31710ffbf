using FeatureViz.Tensors;
using FeatureViz.TestSupport;

namespace FeatureViz.Tensors.Tests.Elementwise;

public abstract class UnaryOpTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private static readonly int[] Shape = [2, 3, 5];

    public static TheoryData<string> Ops => new()
    {
        "Neg", "Abs", "Exp", "Log", "Sqrt", "Reciprocal", "Sin", "Cos", "Atan", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Erf",
        "Gelu", "GeluTanh", "HardSigmoid", "HardSwish", "Clip", "PowScalar", "Affine",
    };

    private static bool NeedsPositive(string op) => op is "Log" or "Sqrt" or "Reciprocal" or "PowScalar";

    private static Tensor Apply(string op, Tensor x) => op switch
    {
        "Neg" => x.Neg(), "Abs" => x.Abs(), "Exp" => x.Exp(), "Log" => x.Log(), "Sqrt" => x.Sqrt(),
        "Reciprocal" => x.Reciprocal(), "Sin" => x.Sin(), "Cos" => x.Cos(), "Atan" => x.Atan(), "Relu" => x.Relu(),
        "LeakyRelu" => x.LeakyRelu(0.1f), "Sigmoid" => x.Sigmoid(), "Tanh" => x.Tanh(), "Erf" => x.Erf(),
        "Gelu" => x.Gelu(), "GeluTanh" => x.Gelu(tanhApproximation: true), "HardSigmoid" => x.HardSigmoid(0.3f, 0.4f),
        "HardSwish" => x.HardSwish(), "Clip" => x.Clip(-0.5f, 0.6f), "PowScalar" => x.Pow(1.7f), "Affine" => x.Affine(-2f, 0.5f),
        _ => throw new ArgumentException(op),
    };

    // Independent float64 formulas.
    private static double Reference(string op, double x) => op switch
    {
        "Neg" => -x, "Abs" => Math.Abs(x), "Exp" => Math.Exp(x), "Log" => Math.Log(x), "Sqrt" => Math.Sqrt(x),
        "Reciprocal" => 1 / x, "Sin" => Math.Sin(x), "Cos" => Math.Cos(x), "Atan" => Math.Atan(x), "Relu" => Math.Max(x, 0),
        "LeakyRelu" => x >= 0 ? x : 0.1 * x, "Sigmoid" => 1 / (1 + Math.Exp(-x)), "Tanh" => Math.Tanh(x),
        "Erf" => ErfTable(x), "Gelu" => x * 0.5 * (1 + ErfTable(x / Math.Sqrt(2))),
        "GeluTanh" => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
        "HardSigmoid" => Math.Clamp(0.3 * x + 0.4, 0, 1), "HardSwish" => x * Math.Clamp(x / 6 + 0.5, 0, 1),
        "Clip" => Math.Clamp(x, -0.5, 0.6), "PowScalar" => Math.Pow(x, 1.7), "Affine" => -2 * x + 0.5,
        _ => throw new ArgumentException(op),
    };

    // erf by Simpson integration of 2/sqrt(pi) exp(-t^2): independent of the library's series.
    private static double ErfTable(double x)
    {
        int n = 2000;
        double h = x / n, s = 0;
        for (int i = 0; i <= n; i++)
        {
            double t = i * h, w = i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2;
            s += w * Math.Exp(-t * t);
        }
        return 2 / Math.Sqrt(Math.PI) * s * h / 3;
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void ForwardMatchesFloat64Formula(string op)
    {
        var data = NeedsPositive(op) ? Rand.Positive(3, 30) : Rand.Uniform(3, 30, -3f, 3f);
        using var x = Tensor.FromArray(Backend, data, Shape);
        var y = Apply(op, x).ToArray();
        Approx.Equal(data.Select(v => Reference(op, v)).ToArray(), y, rtol: 2e-6, atol: 2e-7, what: op);
    }

    [Theory]
    [MemberData(nameof(Ops))]
    [ChecksGradientOf("Neg", "Abs", "Exp", "Log", "Sqrt", "Reciprocal", "Sin", "Cos", "Atan", "Relu", "LeakyRelu", "Sigmoid", "Tanh",
        "Erf", "Gelu", "HardSigmoid", "HardSwish", "Clip", "Pow", "Affine")]
    public void VjpMatchesFiniteDifferences(string op)
    {
        var data = NeedsPositive(op) ? Rand.Positive(5, 30) : Rand.Uniform(5, 30, -3f, 3f);
        GradCheck.Vjp(Backend, x => Apply(op, x), data, Shape);
    }

    // Long rows run the vector kernels (16 or 8 lanes) and a scalar tail; the values span both tails of exp, the
    // subnormal range, overflow and the special values.
    [Theory]
    [InlineData("Exp")]
    [InlineData("Sigmoid")]
    public void LongRowsMatchFloat64AcrossTheWholeRange(string op)
    {
        var data = Rand.Uniform(11, 4099, -110f, 95f);
        float[] specials = [0f, -0f, 1e-30f, -1e-30f, 88.7f, 88.73f, -87.3f, -103.9f, -104f, 1000f, -1000f,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.MaxValue, float.MinValue];
        specials.CopyTo(data, 100);
        specials.CopyTo(data, data.Length - specials.Length);
        using var x = Tensor.FromArray(Backend, data, data.Length);
        var y = Apply(op, x).ToArray();
        for (int i = 0; i < data.Length; i++)
        {
            double v = data[i];
            double expected = op == "Exp" ? Math.Exp(v) : v >= 0 ? 1 / (1 + Math.Exp(-v)) : Math.Exp(v) / (1 + Math.Exp(v));
            float e = (float)expected;
            if (float.IsNaN(e) || float.IsInfinity(e) || e == 0f || Math.Abs(e) < 1.17549435e-38f)
            {
                // NaN, overflow and underflow: the float32 rounding of the float64 value, within one subnormal step.
                if (float.IsNaN(e)) Assert.True(float.IsNaN(y[i]), $"{op}({v}) = {y[i]}, expected NaN");
                else if (float.IsInfinity(e)) Assert.Equal(e, y[i]);
                else Assert.True(Math.Abs(y[i] - expected) <= 2 * float.Epsilon, $"{op}({v}) = {y[i]}, expected {expected}");
                continue;
            }
            Assert.True(Math.Abs(y[i] - expected) <= 3e-7 * Math.Abs(expected), $"{op}({v}) = {y[i]}, expected {expected}");
        }
    }

    // A row's last elements (fewer than a vector) take a scalar path, and where rows split depends on the thread
    // count: both paths must give the same bits, or results would change with the number of threads.
    [Theory]
    [InlineData("Exp")]
    [InlineData("Sigmoid")]
    [InlineData("HardSwish")]
    [InlineData("HardSigmoid")]
    public void VectorLanesAndRowTailsGiveTheSameBits(string op)
    {
        var data = Rand.Uniform(16, 4099, -110f, 95f);
        float[] specials = [88.7f, 88.73f, -103.9f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f];
        specials.CopyTo(data, data.Length - specials.Length);
        int tail = data.Length % 16;
        var rotated = data[^tail..].Concat(data[..^tail]).ToArray();
        using var x = Tensor.FromArray(Backend, data, data.Length);
        using var xr = Tensor.FromArray(Backend, rotated, rotated.Length);
        var y = Apply(op, x).ToArray();
        var yr = Apply(op, xr).ToArray();
        var expected = y[^tail..].Concat(y[..^tail]).ToArray();
        for (int i = 0; i < y.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(yr[i]),
                $"{op}({rotated[i]}): {yr[i]} at position {i}, {expected[i]} at the other position");
    }

    // MobileNet-style models run HardSwish on long rows: the vector kernels (forward and gradient) against the float64
    // formulas, including the kinks at x = -3 and 3 (HardSigmoid(0.3, 0.4): x = -4/3 and 2), zeros and a NaN.
    [Theory]
    [InlineData("HardSwish")]
    [InlineData("HardSigmoid")]
    public void HardActivationsOnLongRowsMatchFloat64ForwardAndGradient(string op)
    {
        var data = Rand.Uniform(21, 1037, -5f, 5f);
        float[] specials = [-3f, 3f, -4f / 3f, 2f, 0f, -0f, 1e-30f, -6f, 6f];
        specials.CopyTo(data, 17);
        specials.CopyTo(data, 700);
        data[333] = float.NaN;
        var cot = Rand.Uniform(22, 1037, -1f, 1f);
        double Derivative(double v) => op == "HardSwish"
            ? (v / 6 + 0.5 <= 0 ? 0 : v / 6 + 0.5 >= 1 ? 1 : v / 3 + 0.5)
            : (0.3 * v + 0.4 > 0 && 0.3 * v + 0.4 < 1 ? 0.3 : 0);
        using var x = Tensor.FromArray(Backend, data, data.Length).RequireGrad();
        using var g = Tensor.FromArray(Backend, cot, cot.Length);
        var yt = Apply(op, x);
        var y = yt.ToArray();
        yt.Mul(g).Sum().Backward();
        var dx = x.Grad!.ToArray();
        for (int i = 0; i < data.Length; i++)
        {
            double v = data[i];
            if (double.IsNaN(v))
            {
                Assert.True(float.IsNaN(y[i]), $"{op}(NaN) = {y[i]}");
                continue;
            }
            // HardSigmoid's parameters are the float32 roundings of 0.3 and 0.4. The bound is a few float32 roundings of
            // the terms (the inner sum cancels near the lower kink, so it is relative to the terms, not the result).
            double expected = op == "HardSwish" ? Reference(op, v) : Math.Clamp(0.3f * v + 0.4f, 0, 1);
            double terms = op == "HardSwish" ? Math.Abs(v) * (Math.Abs(v) / 6 + 0.5) : 0.3 * Math.Abs(v) + 0.4;
            Assert.True(Math.Abs(y[i] - expected) <= 3e-7 * terms + 1e-37, $"{op}({v}) = {y[i]}, expected {expected}");
            double expectedGrad = cot[i] * (op == "HardSwish" ? Derivative(v) : Derivative(v) == 0 ? 0 : 0.3f);
            double gradTerms = op == "HardSwish" ? Math.Abs(v) / 3 + 0.5 : 0.3;
            Assert.True(Math.Abs(dx[i] - expectedGrad) <= 3e-7 * Math.Abs(cot[i]) * gradTerms + 1e-37, $"{op}'({v}) * {cot[i]} = {dx[i]}, expected {expectedGrad}");
        }
    }

    [Fact]
    public void SigmoidGradientOnLongRowsMatchesFormula()
    {
        var data = Rand.Uniform(12, 1037, -12f, 12f);
        var cot = Rand.Uniform(13, 1037, -1f, 1f);
        using var x = Tensor.FromArray(Backend, data, data.Length).RequireGrad();
        using var g = Tensor.FromArray(Backend, cot, cot.Length);
        x.Sigmoid().Mul(g).Sum().Backward();
        var expected = data.Select((v, i) => { double s = 1 / (1 + Math.Exp(-(double)v)); return cot[i] * s * (1 - s); }).ToArray();
        // The gradient comes from the float32 output: y (1 - y) near y = 1 carries y's rounding (6e-8) absolutely.
        Approx.Equal(expected, x.Grad!.ToArray(), rtol: 1e-5, atol: 1.2e-7, what: "Sigmoid gradient");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReluGradientOnLongRowsMatchesDefinition(bool straightThrough)
    {
        var data = Rand.Uniform(14, 1037, -1f, 1f);
        data[5] = 0f;
        data[600] = float.NaN;
        var cot = Rand.Uniform(15, 1037, -1f, 1f);
        using var x = Tensor.FromArray(Backend, data, data.Length).RequireGrad();
        using var g = Tensor.FromArray(Backend, cot, cot.Length);
        Tensor y;
        using (straightThrough ? FeatureViz.Tensors.Autograd.GradMode.StraightThroughRelu() : null) y = x.Relu();
        y.Mul(g).Sum().Backward();
        var expected = data.Select((v, i) => straightThrough || v > 0 ? (double)cot[i] : 0.0).ToArray();
        Approx.Equal(expected, x.Grad!.ToArray(), 0, 0, straightThrough ? "straight-through Relu gradient" : "Relu gradient");
    }

    [Fact]
    public void StraightThroughReluPassesGradientUnchanged()
    {
        var data = Rand.Uniform(8, 10);
        using var x = Tensor.FromArray(Backend, data, 10).RequireGrad();
        Tensor y;
        using (FeatureViz.Tensors.Autograd.GradMode.StraightThroughRelu()) y = x.Relu();
        y.Sum().Backward();
        Assert.All(x.Grad!.ToArray(), g => Assert.Equal(1f, g));
        using var x2 = Tensor.FromArray(Backend, data, 10).RequireGrad();
        x2.Relu().Sum().Backward();
        Assert.Equal(data.Select(v => v > 0 ? 1f : 0f), x2.Grad!.ToArray());
    }

    [Fact]
    public void ClipWithMinAboveMaxGivesMax()
    {
        using var x = Tensor.FromArray(Backend, [-1f, 0f, 5f], 3);
        Assert.Equal([1f, 1f, 1f], x.Clip(2f, 1f).ToArray());
    }
}
