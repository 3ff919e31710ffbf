using FeatureViz.Onnx.Ops;
using FeatureViz.TestSupport;
using Onnx;

namespace FeatureViz.Onnx.Tests.Conformance;

/// <summary>
/// Finds the ONNX backend node tests whose models use only ops the importer supports: ONNX 1.22 tests from
/// ../shared/data/onnx-node-tests and ONNX 1.12 tests from the Debian package libonnx-testdata
/// (/usr/share/libonnx-testdata/data: node, pytorch-converted, pytorch-operator).
/// </summary>
public static class NodeTestCatalog
{
    public const string DebianRoot = "/usr/share/libonnx-testdata/data";

    /// <summary>Test sources: a short prefix and the folder holding test_* directories.</summary>
    public static IReadOnlyList<(string Prefix, string Dir)> Sources { get; } = new (string, string)[]
    {
        ("onnx-1.22", SharedData.PathOf("data", "onnx-node-tests")),
        ("debian-node", Path.Combine(DebianRoot, "node")),
        ("debian-pytorch-converted", Path.Combine(DebianRoot, "pytorch-converted")),
        ("debian-pytorch-operator", Path.Combine(DebianRoot, "pytorch-operator")),
    };

    private static readonly Lazy<(List<string> Selected, List<(string Test, string Ops)> OutOfScope, List<string> Missing)> Scan = new(DoScan);

    public static string PathOf(string id)
    {
        var slash = id.IndexOf('/');
        var dir = Sources.First(s => s.Prefix == id[..slash]).Dir;
        return Path.Combine(dir, id[(slash + 1)..]);
    }

    /// <summary>Every test whose ops are all supported, minus the explicit exclusions.</summary>
    public static IEnumerable<object[]> Cases()
    {
        var sel = Scan.Value.Selected.Where(id => !NodeTestExclusions.IsExcluded(id, out _)).ToList();
        if (sel.Count == 0) return [new object[] { "none: no ONNX node-test data found (../shared/data/onnx-node-tests or libonnx-testdata)" }];
        return sel.Select(id => new object[] { id });
    }

    public static IReadOnlyList<string> Selected => Scan.Value.Selected;
    public static IReadOnlyList<(string Test, string Ops)> OutOfScope => Scan.Value.OutOfScope;
    public static IReadOnlyList<string> MissingSources => Scan.Value.Missing;

    private static (List<string>, List<(string, string)>, List<string>) DoScan()
    {
        var selected = new List<string>();
        var outOfScope = new List<(string, string)>();
        var missing = new List<string>();
        foreach (var (prefix, dir) in Sources)
        {
            if (!Directory.Exists(dir)) { missing.Add($"{prefix} ({dir})"); continue; }
            foreach (var test in Directory.GetDirectories(dir, "test_*").Order(StringComparer.Ordinal))
            {
                var modelPath = Path.Combine(test, "model.onnx");
                if (!File.Exists(modelPath)) continue;
                var id = $"{prefix}/{Path.GetFileName(test)}";
                ModelProto m;
                try { m = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath)); }
                catch (Exception e) { outOfScope.Add((id, "unparsable: " + e.Message)); continue; }
                var unsupported = m.Graph.Node.Select(n => n.OpType).Distinct().Where(op => !OpRegistry.Default.Knows(op)).ToList();
                if (unsupported.Count == 0) selected.Add(id);
                else outOfScope.Add((id, string.Join(", ", unsupported)));
            }
        }
        return (selected, outOfScope, missing);
    }
}
