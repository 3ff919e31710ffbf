using System.Diagnostics;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.GpuCheck;

/// <summary>
/// Runs one IBackend call on the device and on the CPU backend with the same host inputs and compares the results
/// normwise: max |device - cpu| / max |cpu| must stay within the tolerance (1e-4 in FP32). Inputs are uploaded per
/// backend through <see cref="Inputs"/> and freed after the comparison.
/// </summary>
public sealed class OpCheckHarness(IBackend device, IBackend cpu, CheckReport report, SectionClock clock, TextWriter log)
{
    /// <summary>The tolerance the issue sets for FP32 ops.</summary>
    public const double Fp32Tolerance = 1e-4;

    private double _slowest;

    /// <summary>The device backend.</summary>
    public IBackend Device => device;

    /// <summary>Uploads host arrays to one backend and frees them afterwards.</summary>
    public sealed class Inputs(IBackend backend) : IDisposable
    {
        private readonly List<TensorStorage> _owned = [];

        /// <summary>The backend the inputs live on.</summary>
        public IBackend Backend => backend;

        /// <summary>Uploads <paramref name="data"/>.</summary>
        public TensorStorage Up(float[] data)
        {
            var s = backend.Upload(data);
            _owned.Add(s);
            return s;
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            foreach (var s in _owned) s.Dispose();
        }
    }

    /// <summary>Checks a call with one result.</summary>
    public void Check(string op, string @case, Func<Inputs, TensorStorage> run, double tolerance = Fp32Tolerance) =>
        CheckMany(op, @case, x => [run(x)], tolerance);

    /// <summary>Checks a call with several results (compared together, in order).</summary>
    public void CheckMany(string op, string @case, Func<Inputs, TensorStorage?[]> run, double tolerance = Fp32Tolerance)
    {
        // A check costs about what the slowest so far did; stop when that no longer fits.
        if (!clock.Fits(Math.Max(_slowest, 0.001)))
        {
            report.Skipped.Add(new Skip("correctness", $"{op} {@case}", $"budget: {clock.Left:0.0} s left of the section's {clock.Allowance:0.0} s"));
            return;
        }
        var sw = Stopwatch.StartNew();
        OpCheck result;
        try
        {
            var expected = Evaluate(cpu, run);
            var actual = Evaluate(device, run);
            result = Compare(op, @case, expected, actual, tolerance);
        }
        catch (Exception e)
        {
            result = new OpCheck(op, @case, 0, double.NaN, double.NaN, double.NaN, tolerance, false, $"{e.GetType().Name}: {e.Message}");
        }
        _slowest = Math.Max(_slowest, sw.Elapsed.TotalSeconds);
        report.Checks.Add(result);
        log.WriteLine($"  {(result.Passed ? "ok  " : "FAIL")} {op,-22} {@case,-48} rel {result.RelativeError:0.00e+00}{(result.Error is null ? "" : "  " + result.Error)}");
    }

    private static float[]?[] Evaluate(IBackend backend, Func<Inputs, TensorStorage?[]> run)
    {
        using var inputs = new Inputs(backend);
        var outs = run(inputs);
        try
        {
            return outs.Select(s =>
            {
                if (s is null) return null;
                var host = new float[s.Length];
                backend.Download(s, host);
                return host;
            }).ToArray();
        }
        finally
        {
            foreach (var s in outs) s?.Dispose();
        }
    }

    private static OpCheck Compare(string op, string @case, float[]?[] expected, float[]?[] actual, double tolerance)
    {
        if (expected.Length != actual.Length)
            return new OpCheck(op, @case, 0, double.NaN, double.NaN, double.NaN, tolerance, false, $"{actual.Length} results, the CPU gave {expected.Length}");
        double maxErr = 0, maxRef = 0;
        long n = 0;
        bool nanMismatch = false;
        for (int k = 0; k < expected.Length; k++)
        {
            var e = expected[k];
            var a = actual[k];
            if ((e is null) != (a is null) || (e is not null && e.Length != a!.Length))
                return new OpCheck(op, @case, n, double.NaN, double.NaN, double.NaN, tolerance, false,
                    $"result {k} has {a?.Length.ToString() ?? "null"} elements, the CPU's {e?.Length.ToString() ?? "null"}");
            if (e is null) continue;
            for (int i = 0; i < e.Length; i++)
            {
                double ev = e[i], av = a![i];
                if (double.IsNaN(ev) || double.IsNaN(av) || double.IsInfinity(ev) || double.IsInfinity(av))
                {
                    if (!ev.Equals(av)) nanMismatch = true;
                    continue;
                }
                maxErr = Math.Max(maxErr, Math.Abs(ev - av));
                maxRef = Math.Max(maxRef, Math.Abs(ev));
            }
            n += e.Length;
        }
        double rel = maxErr == 0 ? 0 : maxRef == 0 ? double.PositiveInfinity : maxErr / maxRef;
        return new OpCheck(op, @case, n, maxErr, maxRef, rel, tolerance, !nanMismatch && rel <= tolerance,
            nanMismatch ? "non-finite values differ from the CPU's" : null);
    }
}
