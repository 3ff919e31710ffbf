namespace FeatureViz.Onnx.Tests.Import;

public class LayeringTests
{
    [Fact]
    public void TheImporterDependsOnNoParticularBackend()
    {
        var referenced = typeof(OnnxModel).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToArray();
        Assert.Contains("FeatureViz.Tensors", referenced);
        Assert.DoesNotContain("FeatureViz.Kernels", referenced);
    }
}
