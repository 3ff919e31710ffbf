using FeatureViz.TestSupport;

namespace FeatureViz.Onnx.Tests.Backends;

/// <summary>Every backend-generic ONNX test class runs on the CPU backend (an abstract class with no subclass runs nowhere).</summary>
public class OnnxSuiteGuard
{
    [Fact]
    public void EverySuiteClassRunsOnTheCpuBackend()
    {
        var assembly = typeof(OnnxSuiteGuard).Assembly;
        Assert.True(BackendSuiteCoverage.SuiteClasses(assembly).Count >= 4, "the ONNX suite classes were not found");
        var missing = BackendSuiteCoverage.MissingSubclasses(assembly, [typeof(CpuBackendFactory)]);
        Assert.True(missing.Count == 0, "ONNX suite classes without a subclass in Backends/CpuSuite.cs: " + string.Join(", ", missing));
    }
}
