using FeatureViz.Objectives;

namespace FeatureViz.Tests.Library;

public class ObjectiveAlgebraTests
{
    private readonly Models.VisualizationModel _m = TestModels.Shapes();

    [Fact]
    public void Factories_DefaultNamesAndVariantCounts()
    {
        Assert.Equal(["Neuron#logits_0", "Neuron#logits_3"], Objective.Neuron(_m, "logits", [0, 3]).Names);
        Assert.Equal(["Channel#conv_1"], Objective.Channel(_m, "conv", 1).Names);
        Assert.Equal(["Layer#features"], Objective.Layer(_m, "features").Names);
        Assert.Equal(["Direction#conv_0", "Direction#conv_1"], Objective.Direction(_m, "conv", [new float[4], new float[36]]).Names);
        Assert.Equal(["Neuron#conv_2_1_0"], Objective.Neuron(_m, "conv", 2, 1, 0).Names);
        Assert.Equal(10, Objective.Neuron(_m, -3, Enumerable.Range(0, 10).ToArray()).BatchSize);
    }

    [Fact]
    public void Layer_ByNodeNameOutputNameOrNegativeIndex()
    {
        Assert.Equal("logits", Objective.Channel(_m, "logits_node", 2).Terms[0].Layer.OutputName);
        Assert.Equal("mixed4_2", Objective.Channel(_m, -1, 2).Terms[0].Layer.OutputName);
        Assert.Equal("conv", Objective.Channel(_m, 0, 2).Terms[0].Layer.OutputName);
    }

    [Fact]
    public void StringNames_AreNeverSplitIntoCharacters()
    {
        Assert.Equal(["foo"], Objective.Layer(_m, "conv", name: "foo").Names);
        Assert.Equal(["bar"], Objective.Channel(_m, "conv", 1, name: "bar").Names);
        Assert.Equal(["ab", "cd"], Objective.Neuron(_m, "logits", [1, 2], names: ["ab", "cd"]).Names);
        Assert.Equal(["xyz"], Objective.Direction(_m, "conv", new float[4], name: "xyz").Names);
    }

    [Fact]
    public void Compile_CartesianProduct_LastTermFastest_NamesJoined()
    {
        var logits = Objective.Neuron(_m, "logits", Enumerable.Range(0, 10).ToArray());
        var channels = Objective.Channel(_m, "mixed4_2", [0, 1, 2, 3, 4]);
        using var c = (logits + channels).Compile();
        Assert.Equal(50, c.BatchSize);
        Assert.Equal("Neuron#logits_0 & Channel#mixed4_2_0", c.Names[0]);
        Assert.Equal("Neuron#logits_0 & Channel#mixed4_2_4", c.Names[4]);
        Assert.Equal("Neuron#logits_3 & Channel#mixed4_2_2", c.Names[17]);
        Assert.Equal("Neuron#logits_9 & Channel#mixed4_2_4", c.Names[49]);
        Assert.Equal([50, 3, 8, 8], c.InputShape);
        Assert.Equal(["logits", "mixed4_2"], c.OutputNames);
    }

    [Fact]
    public void Compile_FourTerms_Xplique1x1x5x3Example()
    {
        var obj = Objective.Layer(_m, "logits") + Objective.Direction(_m, "conv", new float[4])
                  + Objective.Channel(_m, "mixed4_2", [0, 1, 2, 3, 4]) + Objective.Neuron(_m, "features", [0, 1, 2]);
        using var c = obj.Compile();
        Assert.Equal(15, c.BatchSize);
        Assert.Equal("Layer#logits & Direction#conv_0 & Channel#mixed4_2_0 & Neuron#features_0", c.Names[0]);
        Assert.Equal("Layer#logits & Direction#conv_0 & Channel#mixed4_2_1 & Neuron#features_2", c.Names[5]);
    }

    [Fact]
    public void Operators_DoNotMutateOperands_AndWeightOwnTerms()
    {
        var a = Objective.Channel(_m, "conv", 0);
        var b = Objective.Channel(_m, "conv", 1, multiplier: 2f);
        var diff = a - b;
        Assert.Equal([1f, -2f], diff.Multipliers);
        Assert.Equal([1f], a.Multipliers);
        Assert.Equal([2f], b.Multipliers);
        var combo = 1f * a + b * 3f - Objective.Neuron(_m, "logits", 0) * 5f;
        Assert.Equal([1f, 6f, -5f], combo.Multipliers);
        Assert.Equal([1f], a.Multipliers);
        Assert.Equal([-0.5f, 1f], (-(diff / 2f)).Multipliers);
        Assert.Equal([1f, -2f], diff.Multipliers);
    }

    [Fact]
    public void Operators_RejectDifferentModels()
    {
        var other = TestModels.Shapes();
        Assert.Throws<ArgumentException>(() => Objective.Channel(_m, "conv", 0) + Objective.Channel(other, "conv", 0));
    }
}
