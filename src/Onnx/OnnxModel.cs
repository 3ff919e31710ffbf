using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Onnx;

/// <summary>
/// An ONNX model loaded for execution on FeatureViz tensors. Initializers are constants (never get gradients); every
/// node output is addressable as a layer; <see cref="Run"/> executes only the part of the graph that the requested
/// tensors need, and records the autodiff graph when an input requires a gradient.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    /// <summary>Loads a model from a file. External-data tensors load only from inside the model's directory.</summary>
    public static OnnxModel Load(string path, OnnxLoadOptions? options = null) => throw new NotImplementedException("OnnxModel.Load: pending");

    /// <summary>Loads a model from a stream (external data is refused: there is no directory to read it from).</summary>
    public static OnnxModel Load(Stream stream, OnnxLoadOptions? options = null) => throw new NotImplementedException("OnnxModel.Load: pending");

    /// <summary>
    /// The bundled ImageNet ResNet18 trunk (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18) with its preprocessing
    /// chained in front: input "input" is RGB NCHW [N, 3, 224, 224] with values in 0..255.
    /// </summary>
    public static OnnxModel LoadResNet18(OnnxLoadOptions? options = null) => throw new NotImplementedException("OnnxModel.LoadResNet18: pending");

    /// <summary>The backend the model's tensors live on.</summary>
    public IBackend Backend => throw new NotImplementedException();

    /// <summary>The graph inputs that are not initializers, with their declared shapes (-1 for symbolic dims).</summary>
    public IReadOnlyList<ModelInput> Inputs => throw new NotImplementedException();

    /// <summary>Names of the graph outputs.</summary>
    public IReadOnlyList<string> Outputs => throw new NotImplementedException();

    /// <summary>Every node output in topological order, with shapes for the default input shapes.</summary>
    public IReadOnlyList<LayerInfo> Layers => throw new NotImplementedException();

    /// <summary>A layer by node name or output name; throws <see cref="ArgumentException"/> listing close matches when absent.</summary>
    public LayerInfo GetLayer(string name) => throw new NotImplementedException();

    /// <summary>A layer by index; negative indices count from the end.</summary>
    public LayerInfo GetLayer(int index) => throw new NotImplementedException();

    /// <summary>
    /// Runs the graph. Returns the requested tensors by name (graph outputs when <paramref name="outputs"/> is null).
    /// Inputs may have any shape the graph accepts (e.g. another batch size); shape arithmetic is folded once per
    /// distinct set of input shapes.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs, IEnumerable<string>? outputs = null) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public void Dispose() { }
}

/// <summary>A graph input: its name and declared shape (-1 where the model has a symbolic or unknown dimension).</summary>
public sealed record ModelInput(string Name, int[] Shape);

/// <summary>One node output: its position, node, tensor name, op type and shape (for the default input shapes).</summary>
public sealed record LayerInfo(int Index, string NodeName, string OutputName, string OpType, int[] Shape);

/// <summary>Options for <see cref="OnnxModel.Load(string, OnnxLoadOptions?)"/>.</summary>
public sealed record OnnxLoadOptions
{
    /// <summary>The backend to run on (default: the CPU backend).</summary>
    public IBackend? Backend { get; init; }

    /// <summary>Fixed input shapes by input name (replacing symbolic dims); unspecified symbolic dims default to 1.</summary>
    public IReadOnlyDictionary<string, int[]>? InputShapes { get; init; }
}

/// <summary>A model that cannot be loaded or run: the message names the node, op and problem.</summary>
public sealed class OnnxImportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OnnxImportException(string message, Exception? inner = null) : base(message, inner) { }
}
