using System.Diagnostics;
using System.Text.Json;
using FeatureViz.GpuCheck;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;
using Xunit.Abstractions;

namespace FeatureViz.Gpu.Tests;

/// <summary>
/// The GPU check program (benchmarks/FeatureViz.GpuCheck) in its --smoke mode on ILGPU's CPU accelerator: every
/// section runs and lands in the JSON, every IBackend method is checked against the CPU backend and passes, the
/// PyTorch baseline merges into the table; its comparison catches a wrong result; the device scripts parse.
/// </summary>
public sealed class GpuCheckSmokeTests(ITestOutputHelper output)
{
    private static readonly string[] Sections = ["correctness", "sgemm", "conv", "resnet18", "fft", "step", "render"];

    [Fact]
    public void SmokeRunOnTheSimulatorFillsEverySectionAndPassesEveryCheck()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"gpucheck-smoke-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            // A PyTorch JSON as torch_baseline.py writes it, for two keys the smoke run measures and one it does not.
            string baseline = Path.Combine(dir, "torch.json");
            File.WriteAllText(baseline, """
                {"tool": "torch_baseline.py", "timings": [
                  {"key": "sgemm_48", "medianMs": 0.5}, {"key": "fft2_rt_16", "medianMs": 2.0}, {"key": "only_in_torch", "medianMs": 1.0}]}
                """);
            var options = GpuCheckOptions.Parse(["--device", "ilgpu-cpu", "--smoke", "--out", dir, "--budget-seconds", "1800", "--baseline", baseline]);
            var console = new StringWriter();
            var clock = Stopwatch.StartNew();
            var report = GpuCheckRunner.Run(options, console);
            output.WriteLine($"smoke run: {clock.Elapsed.TotalSeconds:0.0} s");
            output.WriteLine(File.ReadAllText(Path.Combine(dir, "table.txt")));

            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "gpucheck.json")));
            var root = doc.RootElement;
            Assert.Equal("ilgpu-cpu", root.GetProperty("device").GetString());
            Assert.True(root.GetProperty("smoke").GetBoolean());
            var sections = root.GetProperty("sections").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("status").GetString());
            Assert.Equal(Sections, sections.Keys);
            Assert.All(sections, s => Assert.Equal("ran", s.Value));

            // Every IBackend method was compared with the CPU backend, and every comparison passed.
            var checks = root.GetProperty("checks").EnumerateArray().ToList();
            var checkedMethods = checks.Select(c => c.GetProperty("op").GetString()!.Split('/')[0]).ToHashSet();
            var methods = typeof(IBackend).GetMethods().Where(m => !m.IsSpecialName).Select(m => m.Name).ToHashSet();
            Assert.Empty(methods.Except(checkedMethods));
            Assert.Empty(root.GetProperty("uncheckedMethods").EnumerateArray());
            Assert.All(checks, c => Assert.True(c.GetProperty("passed").GetBoolean(), c.ToString()));
            Assert.All(checks, c => Assert.True(c.GetProperty("relativeError").GetDouble() <= 1e-4, c.ToString()));
            Assert.True(report.CorrectnessPassed);

            // One timing per timed section, under the keys torch_baseline.py uses.
            var timings = root.GetProperty("timings").EnumerateArray()
                .ToDictionary(t => t.GetProperty("key").GetString()!, t => t.GetProperty("medianMs").GetDouble());
            foreach (var prefix in new[] { "sgemm_48", "conv_fwd_c3_o4_k7_s2_h32", "conv_fwd_relu_c3_o4_k7_s2_h32", "conv_dgrad_c3_o4_k7_s2_h32", "resnet18_fwd_b1", "resnet18_fwd_dgrad_b1", "fft2_rt_12", "fft2_rt_16", "fv_step_s32_b1", "render_s32_steps1" })
                Assert.True(timings.TryGetValue(prefix, out var ms) && ms > 0, $"no positive timing for {prefix}: {string.Join(", ", timings.Keys)}");
            Assert.Equal("layer3.1.out", root.GetProperty("midLayer").GetString());

            // The baseline is merged: ratio = ours / PyTorch for the shared keys; keys only PyTorch has are listed too.
            Assert.Equal(JsonValueKind.Object, root.GetProperty("baseline").ValueKind);
            var table = root.GetProperty("table").EnumerateArray().ToDictionary(r => r.GetProperty("key").GetString()!);
            Assert.Equal(timings["sgemm_48"] / 0.5, table["sgemm_48"].GetProperty("ratio").GetDouble(), 9);
            Assert.Equal(timings["fft2_rt_16"] / 2.0, table["fft2_rt_16"].GetProperty("ratio").GetDouble(), 9);
            Assert.Equal(JsonValueKind.Null, table["only_in_torch"].GetProperty("oursMs").ValueKind);
            Assert.Equal(1.0, table["only_in_torch"].GetProperty("torchMs").GetDouble());
            Assert.Equal(timings.Count + 1, table.Count);
            string text = File.ReadAllText(Path.Combine(dir, "table.txt"));
            Assert.Contains("CPUAccelerator", text.Split('\n')[0]);
            Assert.Contains(root.GetProperty("date").GetString()!, text.Split('\n')[0]);
            Assert.True(File.Exists(Path.Combine(dir, "gpucheck.log")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Perturbs one element of every Conv2d result by a relative 1e-3 (a wrong kernel, for the harness to catch).</summary>
    private sealed class OffByOneThousandth(IBackend inner) : DelegatingBackend(inner)
    {
        public override TensorStorage Conv2d(TensorStorage x, TensorStorage w, TensorStorage? bias, Conv2dGeometry geometry)
        {
            using var exact = base.Conv2d(x, w, bias, geometry);
            var host = new float[exact.Length];
            Download(exact, host);
            float max = host.Max(MathF.Abs);
            host[host.Length / 2] += 1e-3f * max;
            return Upload(host);
        }
    }

    [Fact]
    public void TheComparisonFailsAWrongResultAndPassesAnExactOne()
    {
        var cpu = new CpuBackend(threads: 1);
        var report = new CheckReport();
        var clock = new Budget(60, 1).StartSection(1);
        var wrong = new OpCheckHarness(new OffByOneThousandth(cpu), cpu, report, clock, TextWriter.Null);
        var right = new OpCheckHarness(new DelegatingBackend(cpu), cpu, report, clock, TextWriter.Null);
        var spec = new ConvSpec(3, 4, 3, 1, 1, 6);
        var xs = Rand.Uniform(1, 3 * 36);
        var ws = Rand.Uniform(2, 4 * 3 * 9);
        wrong.Check("Conv2d", "perturbed", x => x.Backend.Conv2d(x.Up(xs), x.Up(ws), null, OpChecks.Geometry(spec)));
        right.Check("Conv2d", "exact", x => x.Backend.Conv2d(x.Up(xs), x.Up(ws), null, OpChecks.Geometry(spec)));

        Assert.False(report.Checks[0].Passed);
        Assert.InRange(report.Checks[0].RelativeError, 0.9e-3, 1.1e-3);
        Assert.True(report.Checks[1].Passed);
        Assert.Equal(0, report.Checks[1].RelativeError);
        // Only Conv2d was checked: every other IBackend method is reported as unchecked.
        var missing = OpChecks.Unchecked(report.Checks);
        Assert.DoesNotContain("Conv2d", missing);
        Assert.Contains("Rfft2", missing);
        Assert.Contains("MomentUpdate", missing);
        Assert.False(report.CorrectnessPassed);
    }

    [Fact]
    public void TheTableComparesFftWithThisRunsCuFftAndTheRestWithPyTorch()
    {
        Timing T(string key, double ms) => new(key, "s", "", ms, ms, 1);
        var torch = new Dictionary<string, double> { ["fft2_rt_224"] = 2.0, ["resnet18_fwd_dgrad_b1"] = 5.0, ["sgemm_4096"] = 3.0 };
        var rows = BaselineTable.Build([T("fft2_rt_224", 3.0), T("cufft_rt_224", 1.0), T("resnet18_fwd_dgrad_b1", 4.0), T("sgemm_4096", 6.0)], torch)
            .ToDictionary(r => r.Key);

        // Our FFT against cuFFT measured in the same run: 3x, over the issue's 2x.
        Assert.Equal(1.0, rows["fft2_rt_224"].TorchMs);
        Assert.Equal(3.0, rows["fft2_rt_224"].Ratio);
        Assert.False(rows["fft2_rt_224"].Pass);
        // ResNet18 forward + input gradient at batch 1: 4 / 5 = 0.8 <= 1.0.
        Assert.Equal(0.8, rows["resnet18_fwd_dgrad_b1"].Ratio!.Value, 12);
        Assert.True(rows["resnet18_fwd_dgrad_b1"].Pass);
        // SGEMM at half of cuBLAS's speed: 50 % < 60 %.
        Assert.Equal(2.0, rows["sgemm_4096"].Ratio);
        Assert.False(rows["sgemm_4096"].Pass);
        Assert.Null(rows["cufft_rt_224"].Pass);

        // Without this run's cuFFT, the FFT row falls back to torch.fft: 3 / 2 = 1.5 <= 2.
        var fallback = BaselineTable.Build([T("fft2_rt_224", 3.0)], torch).Single(r => r.Key == "fft2_rt_224");
        Assert.Equal(1.5, fallback.Ratio);
        Assert.True(fallback.Pass);
    }

    [Fact]
    public void DeviceScriptsParse()
    {
        string dir = Path.Combine(RepositoryRoot(), "benchmarks", "FeatureViz.GpuCheck");
        string pyc = Path.Combine(Path.GetTempPath(), $"torch_baseline-{Guid.NewGuid():N}.pyc");
        try
        {
            var (pyCode, pyOut) = RunTool("python3", ["-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)", Path.Combine(dir, "torch_baseline.py"), pyc]);
            Assert.True(pyCode == 0, pyOut);
        }
        finally
        {
            File.Delete(pyc);
        }
        var (shCode, shOut) = RunTool("bash", ["-n", Path.Combine(dir, "run-on-device.sh")]);
        Assert.True(shCode == 0, shOut);
    }

    private static (int Code, string Output) RunTool(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, text);
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "FeatureViz.sln"))) return d.FullName;
        throw new DirectoryNotFoundException($"FeatureViz.sln not found above {AppContext.BaseDirectory}.");
    }
}
