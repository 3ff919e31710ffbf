using FeatureViz.Cli.Objectives;
using FeatureViz.Cli.Render;
using FeatureViz.Onnx;
using FeatureViz.Tensors;

namespace FeatureViz.Cli.ScaleOut;

/// <summary>
/// Splits the channels of layers into plan items (one batch of at most <see cref="RenderSettings.BatchSize"/> channels
/// each: the batches <c>featureviz gallery</c> would optimize) and estimates each item's cost.
/// </summary>
internal static class PlanBuilder
{
    /// <summary>The op types rendered when no --layers are given: the activations of the model.</summary>
    public static readonly IReadOnlyList<string> DefaultOpTypes = ["Relu"];

    /// <summary>
    /// The items for <paramref name="layers"/> (resolved names) and the channel range <paramref name="channels"/> (null:
    /// all channels of each layer), in layer order then channel order.
    /// </summary>
    public static List<PlanItem> Items(IRenderEngine engine, IReadOnlyList<string> layers, string? channels, RenderSettings settings)
    {
        var items = new List<PlanItem>();
        foreach (string layer in layers)
        {
            int count = engine.ChannelCount(LayerSpec.ByName(layer));
            var selected = ChannelsOf(layer, count, channels);
            long perImage = ImageCost(engine, layer, settings);
            foreach (var chunk in selected.Chunk(Math.Max(1, settings.BatchSize)))
            {
                string text = $"channel:'{layer}':{string.Join(",", chunk)}";
                var names = RenderPlan.Expand([ObjectiveParser.Parse(text)], engine.LayerName).Select(i => i.Name).ToList();
                items.Add(new PlanItem(items.Count, layer, chunk, names, settings.Seed, checked(perImage * chunk.Length)));
            }
        }
        return items;
    }

    /// <summary>The channels of a layer that <paramref name="range"/> selects (e.g. 0-7,12); out of range: a usage error naming the layer.</summary>
    public static int[] ChannelsOf(string layer, int count, string? range)
    {
        if (range is null) return Enumerable.Range(0, count).ToArray();
        ObjectiveExpression expr;
        try
        {
            expr = ObjectiveParser.Parse($"channel:x:{range}");
        }
        catch (ObjectiveSyntaxException)
        {
            throw new UsageException($"--channels: expected a channel range such as 0-63 or 0-7,12 (got '{range}').");
        }
        var atom = expr.Terms[0].Atom;
        if (atom.MaxChannel >= count)
            throw new UsageException($"--channels: channel range {atom.IndicesText} is out of range: layer '{layer}' has {count} channels (0-{count - 1}).");
        return atom.Indices.Distinct().ToArray();
    }

    /// <summary>
    /// The estimated cost of one image of <paramref name="layer"/>: the convolution and matrix FLOPs of a forward pass
    /// to the layer (<see cref="ModelCost"/>, scaled from the model's input size to the image size) times 3 (forward
    /// and backward) times the steps. An engine that is not an ONNX model (tests' fakes) counts pixels instead.
    /// </summary>
    public static long ImageCost(IRenderEngine engine, string layer, RenderSettings settings)
    {
        double perPass = ForwardFlops(engine, layer, settings) ?? (double)settings.Width * settings.Height;
        double cost = Math.Ceiling(3 * perPass * (settings.Steps + settings.WarmupSteps));
        return cost >= long.MaxValue / 1024.0 ? long.MaxValue / 1024 : Math.Max(1, (long)cost);
    }

    private static double? ForwardFlops(IRenderEngine engine, string layer, RenderSettings settings)
    {
        if (engine is not LibraryRenderEngine library) return null;
        var onnx = library.Onnx;
        var input = onnx.Inputs[0];
        var (w, h) = engine.InputSize;
        int channels = input.Shape.Length == 4 && input.Shape[1] > 0 ? input.Shape[1] : 3;
        var data = new float[channels * h * w];
        using var x = Tensor.FromArray(onnx.Backend, data, [1, channels, h, w]);
        double flops = ModelCost.Forward(onnx, new Dictionary<string, Tensor> { [input.Name] = x }, [layer]).Flops;
        return flops * ((double)settings.Width * settings.Height) / ((double)w * h);
    }

    /// <summary>The default layers of a model: the outputs of its activation nodes, in graph order.</summary>
    public static List<string> DefaultLayers(IRenderEngine engine)
    {
        if (engine is not LibraryRenderEngine library) return [];
        return library.Onnx.Layers.Where(l => DefaultOpTypes.Contains(l.OpType)).Select(l => l.OutputName).ToList();
    }
}
