using FeatureViz.Objectives;

namespace FeatureViz.Tests.Library;

public class ObjectiveValidationTests
{
    private readonly Models.VisualizationModel _m = TestModels.Shapes();

    [Fact]
    public void UnknownLayer_ListsCloseMatches()
    {
        var e = Assert.Throws<ArgumentException>(() => Objective.Channel(_m, "mixed4_3", 0));
        Assert.Contains("mixed4_3", e.Message);
        Assert.Contains("'mixed4_2'", e.Message);
    }

    [Fact]
    public void LayerIndexOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Objective.Channel(_m, 4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Objective.Channel(_m, -5, 0));
    }

    [Fact]
    public void ChannelOrNeuronOutOfRange_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Objective.Channel(_m, "conv", 4));
        Assert.Contains("4 channels", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Objective.Channel(_m, "conv", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Objective.Neuron(_m, "logits", 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Objective.Neuron(_m, "conv", 0, 3, 0));
        Assert.Throws<ArgumentException>(() => Objective.Neuron(_m, "logits", 0, 0, 0)); // (c, x, y) on a dense layer
    }

    [Fact]
    public void DirectionShapeMismatch_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Objective.Direction(_m, "conv", new float[5]));
        Assert.Contains("36", e.Message);
    }

    [Fact]
    public void NamesCountMismatch_Throws() =>
        Assert.Throws<ArgumentException>(() => Objective.Neuron(_m, "logits", [1, 2], names: ["one"]));
}
