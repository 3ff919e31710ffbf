using System.Runtime.CompilerServices;
using FeatureViz.Onnx;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;

namespace FeatureViz.Models;

/// <summary>
/// The model seen by objectives and the optimizer: one image input (NCHW), addressable layers, and a forward pass
/// that returns the requested layer activations. An <see cref="OnnxModel"/> converts implicitly, so every factory that
/// takes a <see cref="VisualizationModel"/> also takes an <see cref="OnnxModel"/>.
/// </summary>
public abstract class VisualizationModel
{
    private static readonly ConditionalWeakTable<OnnxModel, VisualizationModel> Wrappers = new();

    /// <summary>The image input: its name and declared shape [N, C, H, W] (-1 for symbolic dimensions).</summary>
    public abstract ModelInput Input { get; }

    /// <summary>The addressable layers in topological order; shapes include the batch axis.</summary>
    public abstract IReadOnlyList<LayerInfo> Layers { get; }

    /// <summary>The backend the model computes on.</summary>
    public abstract IBackend Backend { get; }

    /// <summary>Runs the model on <paramref name="input"/> and returns the activations named in <paramref name="outputs"/> (layer output names).</summary>
    public abstract IReadOnlyDictionary<string, Tensor> Run(Tensor input, IReadOnlyList<string> outputs);

    /// <summary>Number of image channels (the input's axis 1).</summary>
    public int Channels => Input.Shape.Length == 4 && Input.Shape[1] > 0
        ? Input.Shape[1]
        : throw new InvalidOperationException($"Model input '{Input.Name}' has shape [{string.Join(", ", Input.Shape)}]; an NCHW image input with a fixed channel count is needed.");

    /// <summary>
    /// Finds a layer by node name or output name (exact, then case-insensitive). Throws <see cref="ArgumentException"/>
    /// listing the closest names when absent.
    /// </summary>
    public LayerInfo GetLayer(string name) => LayerSearch.Find(Layers, name);

    /// <summary>Finds a layer by index into <see cref="Layers"/>; negative indices count from the end (-1 = last).</summary>
    public LayerInfo GetLayer(int index) => LayerSearch.Find(Layers, index);

    /// <summary>Finds a layer by name or index.</summary>
    public LayerInfo GetLayer(LayerRef layer) => layer.Name is not null ? GetLayer(layer.Name) : GetLayer(layer.Index);

    /// <summary>The adapter for an ONNX model (one per model instance, so objectives built from it combine).</summary>
    public static VisualizationModel FromOnnx(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Wrappers.GetValue(model, m => new OnnxVisualizationModel(m));
    }

    /// <summary>
    /// A model given by a function: <paramref name="run"/> receives the NCHW input and the requested layer output
    /// names and returns those activations (recording the autodiff graph). Useful for tests and non-ONNX models.
    /// </summary>
    public static VisualizationModel FromFunction(
        ModelInput input,
        IReadOnlyList<LayerInfo> layers,
        Func<Tensor, IReadOnlyList<string>, IReadOnlyDictionary<string, Tensor>> run,
        IBackend backend)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(backend);
        return new FunctionVisualizationModel(input, layers, run, backend);
    }

    /// <summary>Wraps an ONNX model.</summary>
    public static implicit operator VisualizationModel(OnnxModel model) => FromOnnx(model);
}

/// <summary>A layer reference: a node or output name, or an index (negative counts from the end). Converts from string and int.</summary>
public readonly record struct LayerRef
{
    /// <summary>By name.</summary>
    public LayerRef(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>By index (negative counts from the end).</summary>
    public LayerRef(int index) => Index = index;

    /// <summary>The name, or null when the reference is an index.</summary>
    public string? Name { get; }

    /// <summary>The index (meaningful when <see cref="Name"/> is null).</summary>
    public int Index { get; }

    /// <summary>By name.</summary>
    public static implicit operator LayerRef(string name) => new(name);

    /// <summary>By index.</summary>
    public static implicit operator LayerRef(int index) => new(index);

    /// <inheritdoc/>
    public override string ToString() => Name ?? Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

internal sealed class OnnxVisualizationModel(OnnxModel model) : VisualizationModel
{
    public OnnxModel Model { get; } = model;

    public override ModelInput Input => Model.Inputs.Count > 0
        ? Model.Inputs[0]
        : throw new InvalidOperationException("The ONNX model has no graph input.");

    public override IReadOnlyList<LayerInfo> Layers => Model.Layers;

    public override IBackend Backend => Model.Backend;

    public override IReadOnlyDictionary<string, Tensor> Run(Tensor input, IReadOnlyList<string> outputs) =>
        Model.Run(new Dictionary<string, Tensor> { [Input.Name] = input }, outputs);
}

internal sealed class FunctionVisualizationModel(
    ModelInput input,
    IReadOnlyList<LayerInfo> layers,
    Func<Tensor, IReadOnlyList<string>, IReadOnlyDictionary<string, Tensor>> run,
    IBackend backend) : VisualizationModel
{
    public override ModelInput Input { get; } = input;

    public override IReadOnlyList<LayerInfo> Layers { get; } = layers;

    public override IBackend Backend { get; } = backend;

    public override IReadOnlyDictionary<string, Tensor> Run(Tensor input, IReadOnlyList<string> outputs) => run(input, outputs);
}
