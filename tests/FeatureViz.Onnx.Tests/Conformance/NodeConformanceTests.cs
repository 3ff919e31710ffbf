using FeatureViz.Kernels.Cpu;
using FeatureViz.Onnx.Graph;
using Onnx;
using FeatureViz.TestSupport;
using Xunit.Abstractions;

namespace FeatureViz.Onnx.Tests.Conformance;

/// <summary>
/// Runs every selected ONNX backend node test (one theory case per test directory) and compares all outputs with
/// the stored reference outputs: |ours - expected| &lt;= atol + rtol |expected| with rtol 1e-3, atol 1e-7
/// (integers and booleans exactly). The model and its inputs live on the backend under test; the expected outputs are
/// read on the CPU backend.
/// </summary>
public abstract class NodeConformanceTests<TBackend>(ITestOutputHelper output) : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    private const double Rtol = 1e-3, Atol = 1e-7;

    [Theory]
    [MemberData(nameof(NodeTestCatalog.Cases), MemberType = typeof(NodeTestCatalog))]
    public void NodeTest(string id)
    {
        if (id.StartsWith("none:", StringComparison.Ordinal))
        {
            output.WriteLine("Skipped: " + id);
            return;
        }
        var dir = NodeTestCatalog.PathOf(id);
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dir, "model.onnx")));
        using var model = OnnxModel.Load(Path.Combine(dir, "model.onnx"), new OnnxLoadOptions { Backend = Backend });
        var inputNames = model.Inputs.Select(i => i.Name).ToList();
        var outputNames = proto.Graph.Output.Select(o => o.Name).ToList();
        var sets = Directory.GetDirectories(dir, "test_data_set_*").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(sets);
        foreach (var set in sets)
        {
            var feeds = new Dictionary<string, Value>(StringComparer.Ordinal);
            var inputFiles = Directory.GetFiles(set, "input_*.pb").OrderBy(f => IndexOf(f)).ToList();
            for (int k = 0; k < inputFiles.Count; k++)
            {
                var t = TensorProto.Parser.ParseFrom(File.ReadAllBytes(inputFiles[k]));
                var name = inputNames.Contains(t.Name) ? t.Name : inputNames[k];
                feeds[name] = TensorProtoReader.Read(t, Backend, null, 1L << 28, "test input");
            }
            var expected = Directory.GetFiles(set, "output_*.pb").OrderBy(f => IndexOf(f))
                .Select(f => TensorProto.Parser.ParseFrom(File.ReadAllBytes(f))).ToList();
            var names = expected.Select((t, k) => outputNames.Contains(t.Name) ? t.Name : outputNames[k]).ToList();
            var actual = model.RunValues(feeds, names);
            for (int k = 0; k < expected.Count; k++)
                Compare(expected[k], actual[names[k]], $"{id} {Path.GetFileName(set)} output {k} '{names[k]}'");
        }
    }

    private static int IndexOf(string file)
    {
        var n = Path.GetFileNameWithoutExtension(file);
        return int.Parse(n[(n.LastIndexOf('_') + 1)..]);
    }

    private static void Compare(TensorProto expectedProto, Value actual, string what)
    {
        var expected = TensorProtoReader.Read(expectedProto, CpuBackend.Default, null, 1L << 28, "expected output");
        Assert.True(expected.Dims.SequenceEqual(actual.Dims),
            $"{what}: shape [{string.Join(", ", actual.Dims)}], expected [{string.Join(", ", expected.Dims)}].");
        double[] e = Doubles(expected), a = Doubles(actual);
        bool exact = expected is HostValue;
        int bad = 0;
        string first = "";
        double worst = 0;
        for (int i = 0; i < e.Length; i++)
        {
            if (double.IsNaN(e[i]) && double.IsNaN(a[i])) continue;
            if (double.IsInfinity(e[i]) && e[i] == a[i]) continue;
            double err = Math.Abs(a[i] - e[i]);
            bool ok = exact ? err == 0 : err <= Atol + Rtol * Math.Abs(e[i]);
            if (!ok || double.IsNaN(a[i]))
            {
                if (bad++ == 0) first = $"element {i}: {a[i]:G9}, expected {e[i]:G9}";
                worst = Math.Max(worst, err);
            }
        }
        Assert.True(bad == 0, $"{what}: {bad} of {e.Length} elements differ (first {first}; worst |diff| {worst:G3}).");
    }

    private static double[] Doubles(Value v) => v switch
    {
        TensorValue t => t.Tensor.ToArray().Select(x => (double)x).ToArray(),
        HostValue h => h.Data.Select(x => (double)x).ToArray(),
        _ => throw new InvalidOperationException(),
    };

    [Fact]
    public void ExclusionList()
    {
        output.WriteLine($"Selected node tests (all ops supported): {NodeTestCatalog.Selected.Count}");
        foreach (var m in NodeTestCatalog.MissingSources) output.WriteLine($"Source absent (skipped): {m}");
        output.WriteLine("Explicitly excluded:");
        foreach (var id in NodeTestCatalog.Selected)
            if (NodeTestExclusions.IsExcluded(id, out var reason)) output.WriteLine($"  {id}: {reason}");
        output.WriteLine("Out of scope (ops not supported):");
        foreach (var g in NodeTestCatalog.OutOfScope.GroupBy(t => t.Ops).OrderBy(g => g.Key))
            output.WriteLine($"  {g.Key}: {g.Count()} tests");
    }
}
