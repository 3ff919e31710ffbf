using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;
using FeatureViz.Tensors.IO;

namespace FeatureViz.Onnx;

/// <summary>
/// An ONNX model loaded for execution on FeatureViz tensors. Initializers are constants (never get gradients); every
/// node output is addressable as a layer; <see cref="Run(IReadOnlyDictionary{string, Tensor}, IEnumerable{string})"/> executes only the part of the graph that the requested
/// tensors need, and records the autodiff graph when an input requires a gradient.
/// </summary>
/// <remarks>
/// Floating-point data (float, double, float16) runs as float32 tensors. Integer and boolean tensors (shapes,
/// indices) are kept on the host and the shape arithmetic built from them is folded once per distinct set of input
/// shapes. Nodes that depend only on initializers are evaluated once, at load.
/// </remarks>
public sealed class OnnxModel : IDisposable
{
    private readonly OnnxGraph _graph;
    private IReadOnlyList<LayerInfo>? _layers;

    private OnnxModel(OnnxGraph graph)
    {
        _graph = graph;
        Inputs = graph.Inputs.Select(i => new ModelInput(i.Name, (int[])i.DeclaredDims.Clone())).ToArray();
        Outputs = graph.Outputs.ToArray();
    }

    /// <summary>
    /// Loads a model from a file. External-data tensors load only from inside the model's directory. The file must be
    /// a regular file of at most <see cref="MaxModelBytes"/> bytes (a device such as /dev/zero is refused at once).
    /// </summary>
    /// <remarks>Exceptions: see <see cref="OnnxModelErrors"/>.</remarks>
    /// <exception cref="OnnxImportException">The file is not a valid ONNX model, or uses something unsupported.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException">The file is a folder, device, FIFO or socket, is empty, or is larger than <see cref="MaxModelBytes"/>.</exception>
    public static OnnxModel Load(string path, OnnxLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var t = PhaseTrace.Start();
        var model = OnnxGraph.Parse(UserFile.ReadAllBytes(full, MaxModelBytes, "OnnxModel.Load: model file"));
        PhaseTrace.End(t, "load: read and parse the model file");
        return Create(model, Path.GetDirectoryName(full), options);
    }

    /// <summary>The largest model file <see cref="Load(string, OnnxLoadOptions?)"/> reads: 2 GiB, protobuf's limit for one message.</summary>
    public const long MaxModelBytes = int.MaxValue;

    /// <summary>Loads a model from a stream (external data is refused: there is no directory to read it from).</summary>
    /// <remarks>Exceptions: see <see cref="OnnxModelErrors"/>.</remarks>
    /// <exception cref="OnnxImportException">
    /// The data is not a valid ONNX model, uses something unsupported, or is longer than <see cref="OnnxLoadOptions.MaxStreamBytes"/>
    /// (reading stops there).
    /// </exception>
    public static OnnxModel Load(Stream stream, OnnxLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options = Checked(options);
        long max = options.MaxStreamBytes;
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, max + 1 - ms.Length))) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > max) throw new OnnxImportException($"OnnxModel.Load: the stream holds more than OnnxLoadOptions.MaxStreamBytes ({max}) bytes.");
        }
        return Create(OnnxGraph.Parse(ms.GetBuffer().AsSpan(0, (int)ms.Length)), null, options);
    }

    /// <summary>
    /// The bundled ImageNet ResNet18 trunk (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18) with its preprocessing
    /// chained in front: input "input" is RGB NCHW [N, 3, 224, 224] with values in 0..255; output "features" is the
    /// [N, 512] average-pooled feature vector.
    /// </summary>
    /// <remarks>
    /// The preprocessing (ML.NET's ResNetPreprocess.onnx) splits the RGB planes, reorders them to BGR and subtracts a
    /// 224x224 mean image, so the input must be 224x224 (any batch size). Its nodes appear as layers
    /// "Preprocess/Split", "Preprocess/Concat" and "Preprocess/Sub"; the trunk's layers keep their CNTK names
    /// (e.g. "ReLU393"), and "features" flattens the final pool "Pooling395_Output_0" [N, 512, 1, 1].
    /// </remarks>
    /// <exception cref="FileNotFoundException">The model files were not copied next to the application.</exception>
    /// <exception cref="IOException">A bundled file was replaced by a folder, device, FIFO, an empty or an oversized file.</exception>
    public static OnnxModel LoadResNet18(OnnxLoadOptions? options = null)
    {
        var prepPath = BundledFile("ResNetPrepOnnx", "ResNetPreprocess.onnx");
        var netPath = BundledFile("ResNet18Onnx", "ResNet18.onnx");
        var merged = ResNet18Bundle.Merge(
            OnnxGraph.Parse(UserFile.ReadAllBytes(prepPath, MaxModelBytes, "OnnxModel.LoadResNet18: model file")),
            OnnxGraph.Parse(UserFile.ReadAllBytes(netPath, MaxModelBytes, "OnnxModel.LoadResNet18: model file")));
        return Create(merged, Path.GetDirectoryName(netPath), options);
    }

    /// <summary>Where the bundled model files are looked for: the app folder and this assembly's folder.</summary>
    internal static string BundledFile(string folder, string file)
    {
        var roots = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(OnnxModel).Assembly.Location) }
            .Where(r => !string.IsNullOrEmpty(r)).Distinct().ToArray();
        foreach (var root in roots)
        {
            var p = Path.Combine(root!, "DnnImageModels", folder, file);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"OnnxModel.LoadResNet18: DnnImageModels/{folder}/{file} was not found under {string.Join(" or ", roots)} (it is copied to the output folder by the FeatureViz.Onnx package).");
    }

    private static OnnxLoadOptions Checked(OnnxLoadOptions? options)
    {
        options ??= new OnnxLoadOptions();
        if (options.MaxTensorElements <= 0) throw new ArgumentException("OnnxLoadOptions.MaxTensorElements must be positive.", nameof(options));
        if (options.MaxTensorBytes <= 0) throw new ArgumentException("OnnxLoadOptions.MaxTensorBytes must be positive.", nameof(options));
        if (options.MaxStreamBytes <= 0 || options.MaxStreamBytes > OnnxLoadOptions.ProtobufLimit)
            throw new ArgumentException($"OnnxLoadOptions.MaxStreamBytes must be 1 to {OnnxLoadOptions.ProtobufLimit}.", nameof(options));
        return options;
    }

    private static OnnxModel Create(global::Onnx.ModelProto model, string? directory, OnnxLoadOptions? options)
    {
        options = Checked(options);
        var backend = options.Backend ?? DefaultBackend.Resolve("OnnxModel.Load");
        var t = PhaseTrace.Start();
        var graph = Untracked.Run(() => new OnnxGraph(model, backend, directory, options.InputShapes, options.MaxTensorElements, options.MaxTensorBytes, options.FuseConvolutions));
        PhaseTrace.End(t, "load: build the graph");
        return new OnnxModel(graph);
    }

    /// <summary>The backend the model's tensors live on.</summary>
    public IBackend Backend => _graph.Backend;

    /// <summary>The ai.onnx opset the model imports.</summary>
    public int Opset => _graph.Opset;

    /// <summary>The graph inputs that are not initializers, with their declared shapes (-1 for symbolic dims).</summary>
    public IReadOnlyList<ModelInput> Inputs { get; }

    /// <summary>Names of the graph outputs.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>
    /// Every node output computed from the model input, in topological order, with shapes for the default input
    /// shapes (declared dims, with symbolic ones from <see cref="OnnxLoadOptions.InputShapes"/> or 1). Outputs that
    /// depend only on weights (weight reshapes, constant subgraphs, folded at load) are not layers and are left out,
    /// so indices (and negative ones) count tensors computed from the input only. The first access runs
    /// the model once on zeros to find the shapes. A node without a name is named after its first output.
    /// </summary>
    public IReadOnlyList<LayerInfo> Layers => _layers ??= DiscoverLayers();

    private IReadOnlyList<LayerInfo> DiscoverLayers()
    {
        ThrowIfDisposed();
        var dims = new Dictionary<string, int[]>(StringComparer.Ordinal);
        try
        {
            using var scope = TensorScope.Begin();
            using var ng = GradMode.NoGrad();
            var all = _graph.Nodes.SelectMany(n => n.Outputs.Where(o => o.Length > 0)).ToArray();
            var values = _graph.Execute(_graph.DefaultFeeds(), all);
            foreach (var (k, v) in values) dims[k] = v.Dims;
        }
        catch (OnnxImportException)
        {
            // Shapes stay as declared in value_info where running on zeros fails (e.g. data-dependent shapes).
        }
        var list = new List<LayerInfo>();
        foreach (var n in _graph.Nodes)
            foreach (var o in n.Outputs.Where(o => o.Length > 0 && !_graph.IsConstant(o)))
                list.Add(new LayerInfo(list.Count, n.Name, o, n.OpType,
                    dims.TryGetValue(o, out var d) ? d : _graph.ValueInfoDims.GetValueOrDefault(o) ?? []));
        return list;
    }

    /// <summary>A layer by node name or output name; throws <see cref="ArgumentException"/> listing close matches when absent.</summary>
    public LayerInfo GetLayer(string name) => LayerSearch.Find(Layers, name);

    /// <summary>A layer by index; negative indices count from the end.</summary>
    public LayerInfo GetLayer(int index) => LayerSearch.Find(Layers, index);

    /// <summary>
    /// Runs the graph. Returns the requested tensors by name (graph outputs when <paramref name="outputs"/> is null).
    /// Inputs must match their declared shapes (<see cref="ModelInput.Accepts"/>): the rank and every static dim;
    /// symbolic dims take any size (e.g. another batch size). Shape arithmetic is folded once per distinct set of input
    /// shapes. A layer may be named by its output name or its node name. Integer results
    /// (e.g. a Shape node's) come back as float tensors.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown input or output name (an unknown output has <see cref="ArgumentException.ParamName"/> "outputs"), a missing input, or an input whose shape differs from the declared one (the message names the input and both shapes).</exception>
    /// <exception cref="OnnxImportException">A node fails on the given inputs (the message names the node and op).</exception>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs, IEnumerable<string>? outputs = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ThrowIfDisposed();
        var feeds = inputs.ToDictionary(kv => kv.Key, kv => (Value)new TensorValue(kv.Value ?? throw new ArgumentNullException(nameof(inputs), $"Run: input '{kv.Key}' is null.")), StringComparer.Ordinal);
        var requested = (outputs ?? Outputs).ToArray();
        var resolved = requested.Select(ResolveName).ToArray();
        var started = PhaseTrace.Start();
        var values = _graph.Execute(feeds, resolved);
        PhaseTrace.End(started, "run: whole forward");
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < requested.Length; i++)
            result[requested[i]] = values[resolved[i]] switch
            {
                TensorValue t => t.Tensor,
                HostValue h => h.ToTensor(Backend),
                _ => throw new InvalidOperationException(),
            };
        return result;
    }

    /// <summary>Runs a single-input model and returns one tensor (the first graph output when <paramref name="output"/> is null).</summary>
    public Tensor Run(Tensor input, string? output = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Inputs.Count != 1) throw new ArgumentException($"Run: the model has {Inputs.Count} inputs; pass them by name.", nameof(input));
        var name = output ?? Outputs[0];
        return Run(new Dictionary<string, Tensor> { [Inputs[0].Name] = input }, [name])[name];
    }

    /// <summary>Maps a node name to its first output; output, input and initializer names map to themselves.</summary>
    private string ResolveName(string name)
    {
        if (_graph.IsInput(name) || _graph.IsConstant(name) || _graph.Producer(name) is not null) return name;
        var node = _graph.Nodes.FirstOrDefault(n => n.Name == name);
        if (node is not null && node.Outputs.FirstOrDefault(o => o.Length > 0) is { } o) return o;
        throw new ArgumentException($"Run: the model has no tensor or node '{name}'.{Suggest.CloseMatches(name, _graph.AllNames())}", "outputs");
    }

    /// <summary>Runs with raw values (host integers included); for tests.</summary>
    internal Dictionary<string, Value> RunValues(IReadOnlyDictionary<string, Value> feeds, IReadOnlyList<string> outputs) => _graph.Execute(feeds, outputs);

    internal OnnxGraph Graph => _graph;

    /// <summary>
    /// Frees the model's constants; the model cannot run afterwards. Tensors it returned stay valid, but a backward
    /// pass through them needs the weights, so finish differentiating before disposing the model.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        _graph.Dispose();
    }

    private bool _disposed;

    private void ThrowIfDisposed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(OnnxModel), "The ONNX model was disposed; load it again to run it or list its layers.");
    }
}

/// <summary>A graph input: its name and declared shape (-1 where the model has a symbolic or unknown dimension).</summary>
public sealed record ModelInput(string Name, int[] Shape)
{
    /// <summary>
    /// Whether <see cref="OnnxModel.Run(IReadOnlyDictionary{string, Tensor}, IEnumerable{string})"/> accepts a tensor of
    /// <paramref name="shape"/> for this input: the declared rank and every static dim equal (symbolic dims take any size).
    /// </summary>
    public bool Accepts(IReadOnlyList<int> shape) => OnnxGraph.Fits(Shape, shape);

    /// <summary>Null when <see cref="Accepts"/> holds, else why: "input 'x' has shape [..] (n values), but the model declares [..] (m values)".</summary>
    public string? ShapeMismatch(IReadOnlyList<int> shape) => Accepts(shape) ? null
        : $"input '{Name}' has shape {OnnxGraph.DescribeShape(shape)}, but the model declares {OnnxGraph.DescribeShape(Shape)}";
}

/// <summary>One node output: its position, node, tensor name, op type and shape (for the default input shapes).</summary>
public sealed record LayerInfo(int Index, string NodeName, string OutputName, string OpType, int[] Shape);

/// <summary>Options for <see cref="OnnxModel.Load(string, OnnxLoadOptions?)"/>.</summary>
public sealed record OnnxLoadOptions
{
    /// <summary>The backend to run on (default: <see cref="DefaultBackend"/>, which the application registers).</summary>
    public IBackend? Backend { get; init; }

    /// <summary>Fixed input shapes by input name (replacing symbolic dims); unspecified symbolic dims default to 1.</summary>
    public IReadOnlyDictionary<string, int[]>? InputShapes { get; init; }

    /// <summary>
    /// The largest tensor (in elements) the importer will create from model data, and any op of the model may create
    /// while it runs (outputs, shape arithmetic, workspaces; default 2^28); a model asking for more is rejected, before
    /// the memory is allocated, with an <see cref="OnnxImportException"/> naming the node and op.
    /// </summary>
    public long MaxTensorElements { get; init; } = OnnxGraph.DefaultMaxElements;

    /// <summary>
    /// The largest tensor (in bytes: 4 per float32 element, 8 per integer element of shape arithmetic) any op of the
    /// model may create while it runs (default 2^31); like <see cref="MaxTensorElements"/>, which also holds every
    /// op's output, it is checked before the memory is allocated, and a node exceeding it fails with an
    /// <see cref="OnnxImportException"/> naming the node and op.
    /// </summary>
    public long MaxTensorBytes { get; init; } = OnnxGraph.DefaultMaxBytes;

    /// <summary>
    /// The most bytes <see cref="OnnxModel.Load(Stream, OnnxLoadOptions?)"/> reads from its stream (default and maximum
    /// 2 GiB - 1, protobuf's own limit): a longer stream is refused as soon as reading passes it, instead of buffering
    /// an endless one until memory runs out.
    /// </summary>
    public long MaxStreamBytes { get; init; } = ProtobufLimit;

    /// <summary>
    /// Whether Conv + BatchNormalization + activation chains run as one fused convolution (default true):
    /// BatchNormalization (inference form) folded into the convolution's weights and bias, and a following Relu, Clip,
    /// LeakyRelu or HardSigmoid applied in the convolution's epilogue (<see cref="Tensor.Conv2dActivation"/>). A chain is
    /// fused only as far as the layers requested in a run allow: when a run asks for a BatchNormalization's or a
    /// convolution's output, that tensor is computed as in the unfused graph (see docs/onnx-import.md). Results agree
    /// with the unfused graph within float32 rounding; input gradients are exact. Set false to run every node as it is
    /// (for debugging, or to compare).
    /// </summary>
    /// <remarks>A model with folded chains keeps both its own and the folded weights once a chain has run fused.</remarks>
    public bool FuseConvolutions { get; init; } = true;

    /// <summary>Protobuf messages, and so ONNX model files without external data, are under 2 GiB.</summary>
    public const long ProtobufLimit = int.MaxValue;
}

/// <summary>A model that cannot be loaded or run: the message names the node, op and problem.</summary>
public sealed class OnnxImportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OnnxImportException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// The exception contract of <see cref="OnnxModel"/>, in one place. Whatever the bytes of a model file or stream
/// (and of its external data), loading throws <see cref="OnnxImportException"/> for anything wrong in that content;
/// <see cref="ArgumentException"/> only for the caller's arguments and options; and <see cref="FileNotFoundException"/>,
/// <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> only for the model path itself. Running
/// throws <see cref="OnnxImportException"/> when a node fails on the given inputs, <see cref="ArgumentException"/>
/// for unknown names or inputs of the wrong rank or type, and <see cref="ObjectDisposedException"/> after
/// <see cref="OnnxModel.Dispose"/>. Anything else (NullReferenceException, IndexOutOfRangeException,
/// InvalidCastException, OverflowException, protobuf exceptions, OutOfMemoryException...) is a defect.
/// </summary>
public static class OnnxModelErrors
{
    /// <summary>The types <see cref="OnnxModel.Load(string, OnnxLoadOptions?)"/>, <see cref="OnnxModel.Load(Stream, OnnxLoadOptions?)"/> and <see cref="OnnxModel.LoadResNet18"/> may throw (subclasses included).</summary>
    public static IReadOnlyList<Type> LoadExceptions { get; } =
        [typeof(OnnxImportException), typeof(ArgumentException), typeof(IOException), typeof(UnauthorizedAccessException)];

    /// <summary>
    /// The types <see cref="OnnxModel.Run(IReadOnlyDictionary{string, Tensor}, IEnumerable{string})"/>,
    /// <see cref="OnnxModel.Run(Tensor, string?)"/>, <see cref="OnnxModel.Layers"/> and <see cref="OnnxModel.GetLayer(string)"/> may throw (subclasses included).
    /// </summary>
    public static IReadOnlyList<Type> RunExceptions { get; } =
        [typeof(OnnxImportException), typeof(ArgumentException), typeof(ObjectDisposedException)];

    /// <summary>Whether <paramref name="e"/> is one of <see cref="LoadExceptions"/>.</summary>
    public static bool IsDocumentedForLoad(Exception e) => LoadExceptions.Any(t => t.IsInstanceOfType(e));

    /// <summary>Whether <paramref name="e"/> is one of <see cref="RunExceptions"/>.</summary>
    public static bool IsDocumentedForRun(Exception e) => RunExceptions.Any(t => t.IsInstanceOfType(e));
}
