using FeatureViz.Cli.Objectives;

namespace FeatureViz.Cli.Render;

// Placeholder until the FeatureViz library's API is merged (the real engine is in .pending/).
internal sealed class LibraryRenderEngine(string? modelPath, int threads, (float Min, float Max)? valuesRange) : IRenderEngine
{
    public string ModelName => modelPath ?? "ResNet18";

    public (int Width, int Height) InputSize => (224, 224);

    public string LayerName(LayerSpec layer) => throw new NotImplementedException($"featureviz render: the library is pending ({threads}, {valuesRange}).");

    public int ChannelCount(LayerSpec layer) => throw new NotImplementedException("featureviz render: the library is pending.");

    public string DefaultLayer() => throw new NotImplementedException("featureviz render: the library is pending.");

    public void Validate(ObjectiveExpression expression) => throw new NotImplementedException("featureviz render: the library is pending.");

    public void Dispose() { }

    public IReadOnlyList<ItemResult> Render(RenderBatch batch, RenderSettings settings, Action<StepReport> onStep, CancellationToken cancellationToken) =>
        throw new NotImplementedException("featureviz render: the library is pending.");
}
