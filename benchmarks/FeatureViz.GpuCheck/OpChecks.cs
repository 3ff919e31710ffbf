using System.Reflection;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;
using FeatureViz.Tensors.Ops;

namespace FeatureViz.GpuCheck;

/// <summary>
/// The correctness section: every IBackend method (the core and the fused ones), and every elementwise op struct,
/// on the device against the CPU backend at ResNet18 layer shapes (divided by <see cref="Workloads.CheckScale"/> in
/// the smoke run).
/// </summary>
public sealed partial class OpChecks(OpCheckHarness h, Workloads w)
{
    private int _seed = 1;

    private int D(int realDim) => Math.Max(1, realDim / w.CheckScale);

    private float[] Uniform(int n, float lo = -1f, float hi = 1f)
    {
        var r = new Random(_seed++);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(lo + (hi - lo) * r.NextDouble());
        return a;
    }

    /// <summary>Values in {-1, -0.5, 0, 0.5, 1}: comparisons meet equal operands.</summary>
    private float[] Quantized(int n) => Uniform(n, -1, 1).Select(v => MathF.Round(v * 2) / 2).ToArray();

    /// <summary>Zeros and ones.</summary>
    private float[] Bits(int n) => Uniform(n, 0, 1).Select(v => v < 0.5f ? 0f : 1f).ToArray();

    private static int Numel(params int[] dims) => dims.Aggregate(1, (a, b) => a * b);

    /// <summary>Runs every check.</summary>
    public void RunAll()
    {
        // Every IBackend method first (a few op structs of each elementwise family), the other op structs last: on a
        // GPU each new op struct is a kernel compilation, and a budget cut should leave no method unchecked.
        Memory();
        Elementwise(firstPass: true);
        Reductions();
        Linalg();
        Convolutions();
        Fft();
        Pooling();
        Movement();
        Nn();
        Sampling();
        Optimizer();
        if (!w.Reduced) Elementwise(firstPass: false);
    }

    /// <summary>The IBackend methods (by name) that no check in <paramref name="checks"/> called.</summary>
    public static List<string> Unchecked(IEnumerable<OpCheck> checks)
    {
        var done = checks.Select(c => c.Op.Split('/')[0]).ToHashSet(StringComparer.Ordinal);
        return typeof(IBackend).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => !m.IsSpecialName)
            .Select(m => m.Name)
            .Distinct()
            .Where(n => !done.Contains(n))
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();
    }

    private void Memory()
    {
        int n = Numel(1, D(64), D(112), D(112));
        var data = Uniform(n);
        string c = $"{n} elements";
        h.Check("Allocate", c, x => x.Backend.Allocate(n));
        h.Check("Upload", c, x => x.Backend.Upload(data));
        h.Check("Download", c, x => x.Up(data));
        h.Check("Fill", c, x => x.Backend.Fill(n, 0.375f));
        h.Check("Copy", c, x => x.Backend.Copy(x.Up(data)));
        h.Check("Synchronize", c, x =>
        {
            var s = x.Backend.Copy(x.Up(data));
            x.Backend.Synchronize();
            return s;
        });
    }

    /// <summary>The first pass: a few op structs of each family, one broadcast; the second: the other structs and shapes.</summary>
    private void Elementwise(bool firstPass)
    {
        int[] act = [1, D(64), D(112), D(112)];
        int n = Numel(act);
        // The generic kernels are the same for every op struct: the first pass runs a few of each kind.
        string[] firstOps = ["Exp", "Log", "Relu", "Sigmoid", "Floor", "Not", "Add", "Div", "Pow", "PRelu", "Equal", "And"];
        void U<TOp>(TOp op, string name, float[] xs) where TOp : struct, IUnaryOp
        {
            if (firstOps.Contains(name) != firstPass) return;
            string c = $"{name} [{string.Join(", ", act)}]";
            var dy = Uniform(n);
            h.Check($"Unary/{name}", c, x => x.Backend.Unary(op, x.Up(xs)));
            h.Check($"UnaryBackward/{name}", c, x =>
            {
                var xin = x.Up(xs);
                var y = x.Backend.Unary(op, xin);
                var dx = x.Backend.UnaryBackward(op, xin, y, x.Up(dy));
                y.Dispose();
                return dx;
            });
        }
        var any = Uniform(n, -3, 3);
        var positive = Uniform(n, 0.1f, 4f);
        U(new NegOp(), "Neg", any);
        U(new AbsOp(), "Abs", any);
        U(new ExpOp(), "Exp", any);
        U(new LogOp(), "Log", positive);
        U(new SqrtOp(), "Sqrt", positive);
        U(new ReciprocalOp(), "Reciprocal", positive);
        U(new SinOp(), "Sin", any);
        U(new CosOp(), "Cos", any);
        U(new ReluOp(false), "Relu", any);
        U(new ReluOp(true), "Relu(straight-through)", any);
        U(new LeakyReluOp(0.1f), "LeakyRelu", any);
        U(new SigmoidOp(), "Sigmoid", any);
        U(new TanhOp(), "Tanh", any);
        U(new ErfOp(), "Erf", any);
        U(new GeluOp(false), "Gelu", any);
        U(new GeluOp(true), "Gelu(tanh)", any);
        U(new HardSigmoidOp(0.2f, 0.5f), "HardSigmoid", any);
        U(new HardSwishOp(), "HardSwish", any);
        U(new ClipOp(-0.5f, 0.5f), "Clip", any);
        U(new PowScalarOp(2.5f), "PowScalar", positive);
        U(new AffineScalarOp(2f, 1f), "AffineScalar", any);
        U(new FloorOp(), "Floor", any);
        U(new CeilOp(), "Ceil", any);
        U(new RoundOp(), "Round", any);
        U(new SignOp(), "Sign", Quantized(n));
        U(new NotOp(), "Not", Bits(n));
        U(new IsFiniteOp(), "IsFinite", any);

        // Binary ops: a per-channel operand broadcast over the image (the bias/scale pattern) and same shapes.
        int[] big = [1, D(64), D(56), D(56)];
        int[] chan = [1, D(64), 1, 1];
        int nb = Numel(big), nc = Numel(chan);
        void B<TOp>(TOp op, string name, Func<int, float[]> a, Func<int, float[]> b) where TOp : struct, IBinaryOp
        {
            var shapes = new[] { (chan, nc), (big, nb) };
            // First pass: the first ops broadcast per channel; second pass: the other ops both ways, the first ops same-shape.
            (int[], int)[] todo = firstPass ? (firstOps.Contains(name) ? shapes[..1] : []) : (firstOps.Contains(name) ? shapes[1..] : shapes);
            foreach (var (bShape, bn) in todo)
            {
                var ad = a(nb);
                var bd = b(bn);
                var dy = Uniform(nb);
                string c = $"{name} [{string.Join(", ", big)}] by [{string.Join(", ", bShape)}]";
                h.Check($"Binary/{name}", c, x => x.Backend.Binary(op, x.Up(ad), big, x.Up(bd), bShape, big));
                h.CheckMany($"BinaryBackward/{name}", c, x =>
                {
                    var (da, db) = x.Backend.BinaryBackward(op, x.Up(ad), big, x.Up(bd), bShape, x.Up(dy), big, true, true);
                    return [da, db];
                });
            }
        }
        float[] Any(int k) => Uniform(k, -2, 2);
        float[] Pos(int k) => Uniform(k, 0.25f, 2f);
        B(new AddOp(), "Add", Any, Any);
        B(new SubOp(), "Sub", Any, Any);
        B(new MulOp(), "Mul", Any, Any);
        B(new DivOp(), "Div", Any, Pos);
        B(new PowOp(), "Pow", Pos, Any);
        B(new MaxOp(), "Max", Any, Any);
        B(new MinOp(), "Min", Any, Any);
        B(new PReluOp(), "PRelu", Any, Pos);
        B(new EqualOp(), "Equal", Quantized, Quantized);
        B(new LessOp(), "Less", Quantized, Quantized);
        B(new GreaterOp(), "Greater", Quantized, Quantized);
        B(new LessOrEqualOp(), "LessOrEqual", Quantized, Quantized);
        B(new GreaterOrEqualOp(), "GreaterOrEqual", Quantized, Quantized);
        B(new AndOp(), "And", Bits, Bits);
        B(new OrOp(), "Or", Bits, Bits);
        B(new XorOp(), "Xor", Bits, Bits);

        if (!firstPass) return;
        int[] mask = [1, 1, D(56), D(56)];
        var cond = Bits(Numel(mask));
        var wa = Uniform(nb);
        var wb = Uniform(1);
        h.Check("Where", $"cond [{string.Join(", ", mask)}], a [{string.Join(", ", big)}], b [1]", x =>
            x.Backend.Where(x.Up(cond), mask, x.Up(wa), big, x.Up(wb), new Shape(1), big));
        var bc = Uniform(nc);
        h.Check("BroadcastTo", $"[{string.Join(", ", chan)}] to [{string.Join(", ", big)}]", x => x.Backend.BroadcastTo(x.Up(bc), chan, big));
    }

    private void Reductions()
    {
        int[] feat = [1, D(512), D(14), D(14)];
        var f = Uniform(Numel(feat));
        foreach (var kind in new[] { ReduceKind.Sum, ReduceKind.Max, ReduceKind.Min })
        {
            h.Check($"Reduce/{kind}", $"[{string.Join(", ", feat)}] over (2, 3)", x => x.Backend.Reduce(kind, x.Up(f), feat, [2, 3]));
            h.Check($"Reduce/{kind}", $"[{string.Join(", ", feat)}] over (1)", x => x.Backend.Reduce(kind, x.Up(f), feat, [1]));
        }
        int[] act = [1, D(64), D(112), D(112)];
        var a = Uniform(Numel(act));
        h.Check("Reduce/Sum", $"[{string.Join(", ", act)}] over all", x => x.Backend.Reduce(ReduceKind.Sum, x.Up(a), act, [0, 1, 2, 3]));
        var q = Quantized(Numel(feat));
        foreach (var kind in new[] { ReduceKind.ArgMax, ReduceKind.ArgMin, ReduceKind.ArgMaxLast, ReduceKind.ArgMinLast })
            h.Check($"Reduce/{kind}", $"[{string.Join(", ", feat)}] over (1), ties", x => x.Backend.Reduce(kind, x.Up(q), feat, [1]));
    }
}
