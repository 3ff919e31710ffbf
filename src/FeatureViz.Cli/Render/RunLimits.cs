using FeatureViz.Cli.Objectives;

namespace FeatureViz.Cli.Render;

/// <summary>
/// Upper bounds on the counts a command line may ask for, checked before anything is expanded or allocated, so an
/// argument such as <c>channel:L:0-2000000000</c> fails at once (exit 2) instead of exhausting memory. The memory a run
/// needs is checked separately (<see cref="MemoryBudget"/>).
/// </summary>
internal static class RunLimits
{
    /// <summary>Most optimization steps (and warm-up steps) of a run.</summary>
    public const int MaxSteps = 1_000_000;

    /// <summary>Most images optimized together.</summary>
    public const int MaxBatch = 1024;

    /// <summary>Most CPU threads.</summary>
    public const int MaxThreads = 1024;

    /// <summary>Most images one run may produce (every image is a file and a manifest entry).</summary>
    public const int MaxImages = 100_000;

    /// <summary>Most pixels of one batch: width x height x batch (4096 x 4096 x 4).</summary>
    public const long MaxBatchPixels = 1L << 26;

    /// <summary>Throws a <see cref="UsageException"/> naming <paramref name="option"/> when <paramref name="value"/> is outside [min, max].</summary>
    public static int Bounded(string option, int value, int min, int max)
    {
        if (value < min || value > max)
            throw new UsageException($"{option}: must be between {min} and {max} (got {value}).");
        return value;
    }

    /// <summary>The image size times the batch, bounded (the memory check comes later, once the model is known).</summary>
    public static void CheckBatchPixels(int width, int height, int batch)
    {
        long pixels = (long)width * height * batch;
        if (pixels > MaxBatchPixels)
            throw new UsageException($"--size {width}x{height} times --batch {batch} is {pixels} pixels per batch, more than the {MaxBatchPixels} allowed; use a smaller --batch or --size.");
    }

    /// <summary>
    /// Checks the channel ranges of <paramref name="expression"/> against the layers' channel counts and the number of
    /// images it asks for, without expanding any range. <paramref name="option"/> names the argument in errors.
    /// </summary>
    public static void CheckObjective(IRenderEngine engine, ObjectiveExpression expression, string option)
    {
        foreach (var atom in expression.Terms.Select(t => t.Atom).Where(a => a.Kind == ObjectiveKind.Channel))
        {
            string layer;
            int channels;
            try
            {
                layer = engine.LayerName(atom.Layer);
                channels = engine.ChannelCount(atom.Layer);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"{option} '{expression.Text}': {CliErrors.OneLine(e)}");
            }
            if (atom.MaxChannel >= channels)
                throw new UsageException($"{option} '{expression.Text}': channel range {atom.IndicesText} is out of range: layer '{layer}' has {channels} channels (0-{channels - 1}).");
        }
        _ = ImageCount([expression], option);
    }

    /// <summary>The number of images the expressions ask for (the product of each one's batched terms), bounded by <see cref="MaxImages"/>.</summary>
    public static int ImageCount(IEnumerable<ObjectiveExpression> expressions, string option)
    {
        long total = 0;
        foreach (var e in expressions)
        {
            long product = 1;
            foreach (var t in e.Terms)
            {
                long n = t.Atom.VariantCount;
                product = n == 0 ? 0 : product > MaxImages / n + 1 ? MaxImages + 1L : product * n;
            }
            total = Math.Min(total + product, MaxImages + 1L);
            if (total > MaxImages)
                throw new UsageException($"{option} '{e.Text}': asks for more than {MaxImages} images in one run (a range of {string.Join(" x ", e.Terms.Select(t => t.Atom.VariantCount))}); render fewer channels or neurons per run.");
        }
        return (int)total;
    }
}
