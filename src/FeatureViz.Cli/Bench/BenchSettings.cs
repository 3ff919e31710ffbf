using FeatureViz.Cli.Objectives;

namespace FeatureViz.Cli.Bench;

/// <summary>What <c>featureviz bench</c> measures: the model, layer, sizes, threads and repetitions.</summary>
internal sealed record BenchSettings
{
    /// <summary>The ONNX model file; null for the bundled ResNet18.</summary>
    public string? ModelPath { get; init; }

    /// <summary>The layer the passes run to (and the optimization step's objective targets); default: the last layer.</summary>
    public LayerSpec Layer { get; init; } = LayerSpec.ByIndex(-1);

    /// <summary>The optimized image's width; 0 until the model's input size fills it in.</summary>
    public int Width { get; init; }

    /// <summary>The optimized image's height; 0 until the model's input size fills it in.</summary>
    public int Height { get; init; }

    /// <summary>Images per pass.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>CPU threads.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>The compute device (only "cpu" for now).</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Untimed runs of each measurement before the timed ones.</summary>
    public int Warmup { get; init; } = 3;

    /// <summary>Timed runs of each measurement.</summary>
    public int Repeat { get; init; } = 10;

    /// <summary>Print JSON instead of a table.</summary>
    public bool Json { get; init; }

    /// <summary>After the timed passes, time every op of --repeat forward and backward passes and print the slowest.</summary>
    public bool Profile { get; init; }
}
