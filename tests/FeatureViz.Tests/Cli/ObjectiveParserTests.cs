using FeatureViz.Cli.Objectives;

namespace FeatureViz.Tests.Cli;

public class ObjectiveParserTests
{
    [Fact]
    public void ParsesChannelWithNameAndIndex()
    {
        var e = ObjectiveParser.Parse("channel:conv3:5");
        var t = Assert.Single(e.Terms);
        Assert.Equal(1.0, t.Weight);
        Assert.Equal(ObjectiveKind.Channel, t.Atom.Kind);
        Assert.Equal(LayerSpec.ByName("conv3"), t.Atom.Layer);
        Assert.Equal([5], t.Atom.Indices);

        var byIndex = ObjectiveParser.Parse("channel:-3:0-3,7").Terms[0].Atom;
        Assert.Equal(LayerSpec.ByIndex(-3), byIndex.Layer);
        Assert.Equal([0, 1, 2, 3, 7], byIndex.Indices);
        Assert.Equal(5, byIndex.Variants);
    }

    [Fact]
    public void ParsesNeuronForms()
    {
        var flat = ObjectiveParser.Parse("neuron:logits:0-9").Terms[0].Atom;
        Assert.Equal(Enumerable.Range(0, 10).Select(NeuronRef.AtFlat), flat.Neurons);
        var at = ObjectiveParser.Parse("neuron:ReLU315_Output_0:12@3,4").Terms[0].Atom;
        Assert.Equal([NeuronRef.At(12, 3, 4)], at.Neurons);
    }

    [Fact]
    public void ParsesLayerReducersAndDirection()
    {
        Assert.Equal(Reduction.Magnitude, ObjectiveParser.Parse("layer:b").Terms[0].Atom.Reducer);
        Assert.Equal(Reduction.Mean, ObjectiveParser.Parse("layer:b:mean").Terms[0].Atom.Reducer);
        Assert.Equal(Reduction.Magnitude, ObjectiveParser.Parse("layer:b:magnitude").Terms[0].Atom.Reducer);
        var d = ObjectiveParser.Parse("direction:/model/layer1/Relu_output_0:dirs/v.npy").Terms[0].Atom;
        Assert.Equal(ObjectiveKind.Direction, d.Kind);
        Assert.Equal("/model/layer1/Relu_output_0", d.Layer.Name);
        Assert.Equal("dirs/v.npy", d.VectorPath);
    }

    [Fact]
    public void ParsesWeightedSums()
    {
        var e = ObjectiveParser.Parse("channel:a:3 + 0.5*layer:b - 2*neuron:c:1");
        Assert.Equal([1.0, 0.5, -2.0], e.Terms.Select(t => t.Weight));
        Assert.Equal([ObjectiveKind.Channel, ObjectiveKind.Layer, ObjectiveKind.Neuron], e.Terms.Select(t => t.Atom.Kind));
        Assert.Equal(["a", "b", "c"], e.Terms.Select(t => t.Atom.Layer.Name));

        var f = ObjectiveParser.Parse("-channel:a:1*3/4 + 1e-1 * 2 * layer:'odd:name'");
        Assert.Equal(-0.75, f.Terms[0].Weight, 12);
        Assert.Equal(0.2, f.Terms[1].Weight, 12);
        Assert.Equal("odd:name", f.Terms[1].Atom.Layer.Name);
    }

    [Fact]
    public void QuotedNumericLayerIsAName()
    {
        Assert.Equal(LayerSpec.ByName("5"), ObjectiveParser.Parse("channel:'5':1").Terms[0].Atom.Layer);
        Assert.Equal(LayerSpec.ByIndex(5), ObjectiveParser.Parse("channel:5:1").Terms[0].Atom.Layer);
    }

    [Theory]
    [InlineData("", 1, "an objective")]
    [InlineData("chanel:a:1", 1, "unknown objective kind 'chanel'")]
    [InlineData("channel", 8, "expected ':' after 'channel'")]
    [InlineData("channel:", 9, "a layer name or index")]
    [InlineData("channel:a", 10, "':' and the channel index or range")]
    [InlineData("channel:a:", 11, "expected a channel index")]
    [InlineData("channel:a:x", 11, "but found 'x'")]
    [InlineData("channel:a:5-2", 11, "empty channel range 5-2")]
    [InlineData("channel:a:1 layer:b", 13, "'+', '-', '*', '/' or the end")]
    [InlineData("channel:a:1 + ", 15, "an objective kind")]
    [InlineData("layer:b:max", 9, "expected 'mean' or 'magnitude' but found 'm'")]
    [InlineData("neuron:c:3@4", 13, "',' between the x and y")]
    [InlineData("0.5 layer:b", 5, "'*' after the weight")]
    [InlineData("channel:a:1/0", 13, "division by zero")]
    [InlineData("channel:'a:1", 9, "unterminated quoted name")]
    public void ReportsPositionAndExpectedToken(string text, int position, string message)
    {
        var e = Assert.Throws<ObjectiveSyntaxException>(() => ObjectiveParser.Parse(text));
        Assert.Equal(position - 1, e.Position);
        Assert.Contains($"position {position}:", e.Message);
        Assert.Contains(message, e.Message);
        Assert.Contains("^", e.Message);
    }
}
