using FeatureViz.Kernels.Gpu;
using FeatureViz.Kernels.Gpu.Elementwise;
using FeatureViz.Tensors.Ops;
using FeatureViz.TestSupport;
using ILGPU;
using ILGPU.Runtime;
using static FeatureViz.Gpu.Tests.Float64Reference;

namespace FeatureViz.Gpu.Tests;

[Collection(SimulatorCollection.Name)]
public sealed class ElementwiseKernelTests(SimulatorFixture sim)
{
    private const double Sqrt2Pi = 0.7978845608028654;

    // Each op with an independent float64 forward f and derivative f' (dx = f'(x) dy), and the input range it is defined on.
    private static readonly Dictionary<string, (Func<GpuAccelerator, float[], float[], (float[] Y, float[] Dx)> Run, Func<double, double> F, Func<double, double> D, float Lo, float Hi)> Unary = new()
    {
        ["Neg"] = (R(new NegOp()), x => -x, _ => -1, -3, 3),
        ["Abs"] = (R(new AbsOp()), Math.Abs, x => Math.Sign(x), -3, 3),
        ["Exp"] = (R(new ExpOp()), Math.Exp, Math.Exp, -3, 3),
        ["Log"] = (R(new LogOp()), Math.Log, x => 1 / x, 0.2f, 4),
        ["Sqrt"] = (R(new SqrtOp()), Math.Sqrt, x => 0.5 / Math.Sqrt(x), 0.2f, 4),
        ["Reciprocal"] = (R(new ReciprocalOp()), x => 1 / x, x => -1 / (x * x), 0.2f, 4),
        ["Sin"] = (R(new SinOp()), Math.Sin, Math.Cos, -3, 3),
        ["Cos"] = (R(new CosOp()), Math.Cos, x => -Math.Sin(x), -3, 3),
        ["Atan"] = (R(new AtanOp()), Math.Atan, x => 1 / (1 + x * x), -4, 4),
        ["Relu"] = (R(new ReluOp(false)), x => Math.Max(x, 0), x => x > 0 ? 1 : 0, -3, 3),
        ["ReluStraightThrough"] = (R(new ReluOp(true)), x => Math.Max(x, 0), _ => 1, -3, 3),
        ["LeakyRelu"] = (R(new LeakyReluOp(0.2f)), x => x >= 0 ? x : 0.2 * x, x => x >= 0 ? 1 : 0.2, -3, 3),
        ["Sigmoid"] = (R(new SigmoidOp()), x => 1 / (1 + Math.Exp(-x)), x => Math.Exp(-x) / Math.Pow(1 + Math.Exp(-x), 2), -6, 6),
        ["Tanh"] = (R(new TanhOp()), Math.Tanh, x => 1 - Math.Tanh(x) * Math.Tanh(x), -3, 3),
        ["Erf"] = (R(new ErfOp()), Erf, x => 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x), -2.5f, 2.5f),
        ["Gelu"] = (R(new GeluOp(false)), x => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
            x => 0.5 * (1 + Erf(x / Math.Sqrt(2))) + x * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI), -3, 3),
        ["GeluTanh"] = (R(new GeluOp(true)), x => 0.5 * x * (1 + Math.Tanh(Sqrt2Pi * (x + 0.044715 * x * x * x))),
            x => FiniteDifference(v => 0.5 * v * (1 + Math.Tanh(Sqrt2Pi * (v + 0.044715 * v * v * v))), x), -3, 3),
        ["HardSigmoid"] = (R(new HardSigmoidOp(0.3f, 0.4f)), x => Math.Clamp(0.3 * x + 0.4, 0, 1), x => 0.3 * x + 0.4 is > 0 and < 1 ? 0.3 : 0, -4, 4),
        ["HardSwish"] = (R(new HardSwishOp()), x => x * Math.Clamp(x / 6 + 0.5, 0, 1),
            x => x <= -3 ? 0 : x >= 3 ? 1 : x / 3 + 0.5, -5, 5),
        ["Clip"] = (R(new ClipOp(-0.5f, 0.7f)), x => Math.Clamp(x, -0.5, 0.7), x => x is >= -0.5 and <= 0.7 ? 1 : 0, -2, 2),
        ["Pow2"] = (R(new PowScalarOp(2f)), x => x * x, x => 2 * x, -3, 3),
        ["Pow1.5"] = (R(new PowScalarOp(1.5f)), x => Math.Pow(x, 1.5), x => 1.5 * Math.Sqrt(x), 0.2f, 4),
        ["AffineScalar"] = (R(new AffineScalarOp(-1.5f, 0.25f)), x => -1.5 * x + 0.25, _ => -1.5, -3, 3),
    };

    public static TheoryData<string, int> UnaryCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in Unary.Keys) { data.Add(name, 32); data.Add(name, 4); }
        return data;
    }

    [Theory]
    [MemberData(nameof(UnaryCases))]
    public void UnaryForwardAndBackwardMatchFloat64(string name, int warp)
    {
        var (run, f, d, lo, hi) = Unary[name];
        const int n = 1037; // odd, several grid strides with the simulator's few groups
        var x = Rand.Uniform(11, n, lo, hi);
        var dy = Rand.Uniform(12, n);
        var (y, dx) = run(sim[warp], x, dy);
        var yRef = new double[n];
        var dxRef = new double[n];
        for (int i = 0; i < n; i++)
        {
            yRef[i] = f(x[i]);
            dxRef[i] = d(x[i]) * dy[i];
        }
        Approx.Equal(yRef, y, rtol: 2e-6, atol: 1e-6, what: name + " forward");
        Approx.Equal(dxRef, dx, rtol: 1e-4, atol: 2e-5, what: name + " backward");
    }

    private static readonly Dictionary<string, (IBinaryRunner Op, Func<double, double, double> F, Func<double, double, double> Da, Func<double, double, double> Db, float Lo, float Hi)> Binary = new()
    {
        ["Add"] = (new Runner<AddOp>(), (a, b) => a + b, (_, _) => 1, (_, _) => 1, -2, 2),
        ["Sub"] = (new Runner<SubOp>(), (a, b) => a - b, (_, _) => 1, (_, _) => -1, -2, 2),
        ["Mul"] = (new Runner<MulOp>(), (a, b) => a * b, (_, b) => b, (a, _) => a, -2, 2),
        ["Div"] = (new Runner<DivOp>(), (a, b) => a / b, (_, b) => 1 / b, (a, b) => -a / (b * b), 0.5f, 2),
        ["Pow"] = (new Runner<PowOp>(), Math.Pow, (a, b) => b * Math.Pow(a, b - 1), (a, b) => Math.Pow(a, b) * Math.Log(a), 0.5f, 2),
        ["Max"] = (new Runner<MaxOp>(), Math.Max, (a, b) => a > b ? 1 : a == b ? 0.5 : 0, (a, b) => b > a ? 1 : a == b ? 0.5 : 0, -2, 2),
        ["Min"] = (new Runner<MinOp>(), Math.Min, (a, b) => a < b ? 1 : a == b ? 0.5 : 0, (a, b) => b < a ? 1 : a == b ? 0.5 : 0, -2, 2),
        ["Equal"] = (new Runner<EqualOp>(), (a, b) => a == b ? 1 : 0, (_, _) => 0, (_, _) => 0, -2, 2),
        ["Less"] = (new Runner<LessOp>(), (a, b) => a < b ? 1 : 0, (_, _) => 0, (_, _) => 0, -2, 2),
        ["Greater"] = (new Runner<GreaterOp>(), (a, b) => a > b ? 1 : 0, (_, _) => 0, (_, _) => 0, -2, 2),
        ["PRelu"] = (new Runner<PReluOp>(), (a, s) => a >= 0 ? a : s * a, (a, s) => a >= 0 ? 1 : s, (a, _) => a >= 0 ? 0 : a, -2, 2),
    };

    public static TheoryData<string, int, string, string> BinaryCases()
    {
        var data = new TheoryData<string, int, string, string>();
        string[][] shapes = [["3,5,7", "3,5,7"], ["2,3,1,5", "3,4,1"], ["7", "4,3,7"], ["1", "5,3"], ["2,1,3,1,2,3", "1,4,1,5,1,3"]];
        foreach (var name in Binary.Keys)
            foreach (var warp in new[] { 32, 4 })
                foreach (var s in shapes)
                    data.Add(name, warp, s[0], s[1]);
        return data;
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void BinaryBroadcastForwardAndBackwardMatchFloat64(string name, int warp, string aText, string bText)
    {
        var (op, f, fa, fb, lo, hi) = Binary[name];
        int[] aShape = Parse(aText), bShape = Parse(bText);
        int[] outShape = BroadcastShape(aShape, bShape);
        // Small integers-and-halves for the comparisons so that ties (a == b) occur; smooth values otherwise.
        var a = Rand.Uniform(21, Numel(aShape), lo, hi);
        var b = Rand.Uniform(22, Numel(bShape), lo, hi);
        if (name is "Max" or "Min" or "Equal" or "Less" or "Greater")
        {
            for (int i = 0; i < a.Length; i++) a[i] = MathF.Round(a[i] * 2) / 2;
            for (int i = 0; i < b.Length; i++) b[i] = MathF.Round(b[i] * 2) / 2;
        }
        int n = Numel(outShape);
        var dy = Rand.Uniform(23, n);
        var (y, da, db) = op.Run(sim[warp], a, aShape, b, bShape, dy, outShape);
        var yRef = new double[n];
        var daRef = new double[n];
        var dbRef = new double[n];
        for (int i = 0; i < n; i++)
        {
            double x1 = a[BroadcastOffset(i, aShape, outShape)], x2 = b[BroadcastOffset(i, bShape, outShape)];
            yRef[i] = f(x1, x2);
            daRef[i] = fa(x1, x2) * dy[i];
            dbRef[i] = fb(x1, x2) * dy[i];
        }
        Approx.Equal(yRef, y, rtol: 2e-6, atol: 1e-6, what: name + " forward");
        Approx.Equal(daRef, da, rtol: 2e-5, atol: 1e-6, what: name + " dA");
        Approx.Equal(dbRef, db, rtol: 2e-5, atol: 1e-6, what: name + " dB");
    }

    [Fact]
    public void ShapesThatDoNotBroadcastAreRejectedWithTheOpAndDimension()
    {
        using var a = sim.Warp32.Accelerator.Allocate1D<float>(6);
        using var b = sim.Warp32.Accelerator.Allocate1D<float>(4);
        using var y = sim.Warp32.Accelerator.Allocate1D<float>(6);
        var e = Assert.Throws<ArgumentException>(() =>
            GpuElementwise.Binary(sim.Warp32, new AddOp(), a.View, [2, 3], b.View, [4], y.View, [2, 3]));
        Assert.Contains("Add", e.Message);
        Assert.Contains("operand b dimension 0 is 4", e.Message);
    }

    [Fact]
    public void BinaryBackwardWritesOnlyTheRequestedGradient()
    {
        var gpu = sim.Warp32;
        float[] a = [1, 2, 3], b = [4, 5, 6], dy = [1, 1, 1];
        using var av = gpu.Accelerator.Allocate1D(a);
        using var bv = gpu.Accelerator.Allocate1D(b);
        using var dyv = gpu.Accelerator.Allocate1D(dy);
        using var db = gpu.Accelerator.Allocate1D<float>(3);
        GpuElementwise.BinaryBackward(gpu, new MulOp(), av.View, [3], bv.View, [3], dyv.View, [3], default, db.View);
        Assert.Equal(a, db.GetAsArray1D());
    }

    private static double FiniteDifference(Func<double, double> f, double x, double h = 1e-6) => (f(x + h) - f(x - h)) / (2 * h);

    private static Func<GpuAccelerator, float[], float[], (float[], float[])> R<TOp>(TOp op) where TOp : struct, IUnaryOp =>
        (gpu, x, dy) =>
        {
            var acc = gpu.Accelerator;
            using var xv = acc.Allocate1D(x);
            using var dyv = acc.Allocate1D(dy);
            using var yv = acc.Allocate1D<float>(x.Length);
            using var dxv = acc.Allocate1D<float>(x.Length);
            GpuElementwise.Unary(gpu, op, xv.View, yv.View);
            GpuElementwise.UnaryBackward(gpu, op, xv.View, yv.View, dyv.View, dxv.View);
            gpu.Synchronize();
            return (yv.GetAsArray1D(), dxv.GetAsArray1D());
        };

    private interface IBinaryRunner
    {
        (float[] Y, float[] Da, float[] Db) Run(GpuAccelerator gpu, float[] a, int[] aShape, float[] b, int[] bShape, float[] dy, int[] outShape);
    }

    private sealed class Runner<TOp> : IBinaryRunner where TOp : struct, IBinaryOp
    {
        public (float[] Y, float[] Da, float[] Db) Run(GpuAccelerator gpu, float[] a, int[] aShape, float[] b, int[] bShape, float[] dy, int[] outShape)
        {
            var acc = gpu.Accelerator;
            using var av = acc.Allocate1D(a);
            using var bv = acc.Allocate1D(b);
            using var dyv = acc.Allocate1D(dy);
            using var yv = acc.Allocate1D<float>(dy.Length);
            using var dav = acc.Allocate1D<float>(dy.Length);
            using var dbv = acc.Allocate1D<float>(dy.Length);
            GpuElementwise.Binary(gpu, default(TOp), av.View, aShape, bv.View, bShape, yv.View, outShape);
            GpuElementwise.BinaryBackward(gpu, default(TOp), av.View, aShape, bv.View, bShape, dyv.View, outShape, dav.View, dbv.View);
            gpu.Synchronize();
            return (yv.GetAsArray1D(), dav.GetAsArray1D(), dbv.GetAsArray1D());
        }
    }

    private static int[] Parse(string text) => text.Split(',').Select(int.Parse).ToArray();

    private static int[] BroadcastShape(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int k = 0; k < rank; k++)
        {
            int da = k - (rank - a.Length) >= 0 ? a[k - (rank - a.Length)] : 1;
            int db = k - (rank - b.Length) >= 0 ? b[k - (rank - b.Length)] : 1;
            r[k] = Math.Max(da, db);
        }
        return r;
    }
}
