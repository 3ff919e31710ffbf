using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;

namespace FeatureViz.Examples;

/// <summary>
/// Scores images on every variant of a list of objectives. An objective compiled for V variants scores V images, image
/// v on variant v; to score one image on all V, its activations are repeated V times, which works for any objective
/// whose score of an image depends on that image alone.
/// </summary>
internal sealed class ExampleScorer : IDisposable
{
    private readonly CompiledObjective[] _compiled;
    private readonly string[] _outputs;

    public ExampleScorer(IReadOnlyList<Objective> objectives)
    {
        Model = objectives[0].Model;
        _compiled = objectives.Select(o => o.Compile()).ToArray();
        _outputs = _compiled.SelectMany(c => c.OutputNames).Distinct().ToArray();
        Names = _compiled.SelectMany(c => c.Names).ToArray();
    }

    public VisualizationModel Model { get; }

    /// <summary>The variant names of all objectives, in order (the columns of <see cref="Score"/>).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The score of each of the first <paramref name="count"/> images of <paramref name="batch"/> on every variant: [image][variant].</summary>
    public float[][] Score(Tensor batch, int count)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var activations = Model.Run(batch, _outputs);
        // Every image's scores on every variant, joined on the device and read back in one download.
        var parts = new List<Tensor>(count * _compiled.Length);
        for (int i = 0; i < count; i++)
            foreach (var c in _compiled) parts.Add(c.Evaluate(Repeat(activations, c, i)));
        var all = Tensor.Concat(parts, 0).ToArray();
        var scores = new float[count][];
        for (int i = 0; i < count; i++) scores[i] = all.AsSpan(i * Names.Count, Names.Count).ToArray();
        return scores;
    }

    /// <summary>Row <paramref name="row"/> of each activation the objective reads, repeated to its batch size.</summary>
    private static Dictionary<string, Tensor> Repeat(IReadOnlyDictionary<string, Tensor> activations, CompiledObjective c, int row)
    {
        var one = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in c.OutputNames)
        {
            var a = activations[name];
            int[] dims = [.. a.Shape.Dims];
            dims[0] = c.BatchSize;
            one[name] = a.Slice([row], [row + 1], [0]).Expand(dims);
        }
        return one;
    }

    /// <summary>
    /// The receptive field of every variant of the objectives for which <paramref name="wanted"/> is true: the
    /// bounding box of the input pixels where the gradient of the variant's score is non-zero (above 1e-6 of its
    /// largest magnitude, which only discards rounding), united over <paramref name="samples"/> uniformly random
    /// images in the value range (one draw can miss pixels behind a ReLU that happens to be off, or a max-pool input
    /// that is not the maximum). Null for a variant whose field is the whole image.
    /// </summary>
    public PixelRegion?[] ReceptiveFields(Func<Objective, bool> wanted, IReadOnlyList<Objective> objectives, int channels, int height, int width, ValueRange range, int samples, int seed)
    {
        var fields = new PixelRegion?[Names.Count];
        var random = new Random(seed);
        int offset = 0;
        int pixels = height * width;
        for (int k = 0; k < _compiled.Length; k++)
        {
            var c = _compiled[k];
            int v0 = offset;
            offset += c.BatchSize;
            if (!wanted(objectives[k])) continue;
            var magnitude = new float[c.BatchSize][];
            for (int v = 0; v < c.BatchSize; v++) magnitude[v] = new float[pixels];
            int fixedBatch = Model.Input.Shape.Length > 0 && Model.Input.Shape[0] > 0 ? Model.Input.Shape[0] : 0;
            for (int s = 0; s < samples; s++)
            {
                if (fixedBatch == 0)
                {
                    // Image v is scored on variant v: one backward pass gives every variant's input gradient.
                    var g = InputGradient(Model.Backend, c.BatchSize, channels, height, width, range, random, x => c.Evaluate(Model.Run(x, c.OutputNames)));
                    for (int v = 0; v < c.BatchSize; v++) Accumulate(g, v, channels, pixels, magnitude[v]);
                }
                else
                {
                    for (int v = 0; v < c.BatchSize; v++)
                    {
                        int variant = v;
                        var g = InputGradient(Model.Backend, fixedBatch, channels, height, width, range, random,
                            x => c.Evaluate(Repeat(Model.Run(x, c.OutputNames), c, 0)).Slice([variant], [variant + 1], [0]));
                        Accumulate(g, 0, channels, pixels, magnitude[v]);
                    }
                }
            }
            for (int v = 0; v < c.BatchSize; v++) fields[v0 + v] = Support(magnitude[v], height, width);
        }
        return fields;
    }

    private static float[] InputGradient(Tensors.Backends.IBackend backend, int batch, int channels, int height, int width, ValueRange range, Random random, Func<Tensor, Tensor> score)
    {
        using var scope = TensorScope.Begin();
        var data = new float[batch * channels * height * width];
        for (int i = 0; i < data.Length; i++) data[i] = range.Min + range.Width * random.NextSingle();
        var x = Tensor.FromArray(backend, data, batch, channels, height, width).RequireGrad();
        score(x).Sum().Backward();
        return x.Grad?.ToArray() ?? new float[data.Length];
    }

    private static void Accumulate(float[] gradient, int image, int channels, int pixels, float[] magnitude)
    {
        int start = image * channels * pixels;
        for (int ch = 0; ch < channels; ch++)
            for (int p = 0; p < pixels; p++)
                magnitude[p] = Math.Max(magnitude[p], Math.Abs(gradient[start + ch * pixels + p]));
    }

    private static PixelRegion? Support(float[] magnitude, int height, int width)
    {
        float max = magnitude.Max();
        if (!(max > 0)) return null;
        float threshold = 1e-6f * max;
        int x0 = width, y0 = height, x1 = -1, y1 = -1;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                if (magnitude[y * width + x] <= threshold) continue;
                x0 = Math.Min(x0, x); x1 = Math.Max(x1, x);
                y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
            }
        if (x0 == 0 && y0 == 0 && x1 == width - 1 && y1 == height - 1) return null;
        return new PixelRegion(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    public void Dispose()
    {
        foreach (var c in _compiled) c.Dispose();
    }
}
