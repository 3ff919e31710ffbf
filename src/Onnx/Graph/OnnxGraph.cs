using FeatureViz.Onnx.Ops;
using FeatureViz.Tensors.Backends;
using Google.Protobuf;
using Onnx;

namespace FeatureViz.Onnx.Graph;

/// <summary>How a node's outputs vary: fixed for the model, fixed per input-shape signature, or per run.</summary>
internal enum NodeKind { Constant = 0, ShapeStatic = 1, Dynamic = 2 }

internal sealed class GraphNode
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required string OpType { get; init; }
    public required string[] Inputs { get; init; }
    public required string[] Outputs { get; init; }
    public required NodeContext Context { get; init; }
    public required Kernel Kernel { get; init; }
    public NodeKind Kind { get; set; }
}

internal sealed record GraphInput(string Name, int[] DeclaredDims, int[] DefaultDims, ElemType Type);

/// <summary>
/// A validated, topologically sorted ONNX graph with bound kernels. Initializers and nodes that depend only on them
/// are evaluated once at load; <see cref="Execute"/> runs the rest.
/// </summary>
internal sealed partial class OnnxGraph
{
    public const long DefaultMaxElements = 1L << 28;

    private readonly Dictionary<string, Value> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GraphNode> _producer = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GraphInput> _inputsByName = new(StringComparer.Ordinal);

    public IBackend Backend { get; }
    public int Opset { get; }
    public long MaxElements { get; }
    public List<GraphInput> Inputs { get; } = new();
    public List<string> Outputs { get; } = new();
    public List<GraphNode> Nodes { get; } = new();
    public Dictionary<string, int[]> ValueInfoDims { get; } = new(StringComparer.Ordinal);

    public static ModelProto Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) throw new OnnxImportException("Not an ONNX model: the data is empty.");
        ModelProto m;
        try { m = ModelProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e) { throw new OnnxImportException($"Not an ONNX model or a truncated/corrupt file: {e.Message}", e); }
        if (m.Graph is null || m.IrVersion <= 0)
            throw new OnnxImportException($"Not an ONNX model: {(m.Graph is null ? "it has no graph" : "ir_version is missing")}.");
        return m;
    }

    // The constants made here must outlive any TensorScope: construct through Untracked.Run (as OnnxModel does).
    public OnnxGraph(ModelProto model, IBackend backend, string? modelDirectory, IReadOnlyDictionary<string, int[]>? inputShapes, long maxElements, long maxBytes = DefaultMaxBytes,
        bool fuseConvolutions = false)
    {
        Backend = backend;
        MaxElements = maxElements;
        MaxBytes = maxBytes;
        var g = model.Graph;
        Opset = DefaultOpset(model);

        var tInit = PhaseTrace.Start();
        // Initializers (constants).
        if (g.SparseInitializer.Count > 0) throw new OnnxImportException("Sparse initializers are not supported.");
        foreach (var t in g.Initializer)
        {
            if (string.IsNullOrEmpty(t.Name)) throw new OnnxImportException("An initializer has no name.");
            if (_constants.ContainsKey(t.Name)) throw new OnnxImportException($"Initializer '{t.Name}' is defined twice.");
            _constants[t.Name] = Persistent(TensorProtoReader.Read(t, backend, modelDirectory, maxElements, "Initializer"));
        }

        PhaseTrace.End(tInit, $"load: {g.Initializer.Count} initializers");
        // Inputs that are not initializers.
        foreach (var vi in g.Input)
        {
            if (_constants.ContainsKey(vi.Name)) continue;
            if (string.IsNullOrEmpty(vi.Name)) throw new OnnxImportException("A graph input has no name.");
            if (_inputsByName.ContainsKey(vi.Name)) throw new OnnxImportException($"Graph input '{vi.Name}' is declared twice.");
            var input = ReadInput(vi, inputShapes);
            Inputs.Add(input);
            _inputsByName[vi.Name] = input;
        }
        if (inputShapes is not null)
            foreach (var name in inputShapes.Keys)
                if (!_inputsByName.ContainsKey(name))
                    throw new ArgumentException($"OnnxLoadOptions.InputShapes names '{name}', which is not a model input (inputs: {string.Join(", ", Inputs.Select(i => i.Name))}).");
        foreach (var vi in g.ValueInfo.Concat(g.Output))
            if (vi.Type?.TensorType?.Shape is { } s)
                ValueInfoDims[vi.Name] = s.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? (int)Math.Clamp(d.DimValue, -1, int.MaxValue) : -1).ToArray();

        foreach (var o in g.Output)
        {
            if (string.IsNullOrEmpty(o.Name)) throw new OnnxImportException("A graph output has no name.");
            Outputs.Add(o.Name);
        }

        var order = TopologicalOrder(g);
        foreach (var (proto, idx) in order.Select((p, i) => (p, i)))
        {
            var name = !string.IsNullOrEmpty(proto.Name) ? proto.Name : proto.Output.FirstOrDefault(o => o.Length > 0) ?? $"{proto.OpType}_{idx}";
            if (!string.IsNullOrEmpty(proto.Domain) && proto.Domain != "ai.onnx")
                throw new OnnxImportException($"Node '{name}' ({proto.OpType}): domain '{proto.Domain}' is not supported (only the default ONNX domain is).");
            var ctx = new NodeContext(proto, name, Opset, backend, maxElements);
            var factory = OpRegistry.Default.Find(proto.OpType, Opset);
            if (factory is null)
            {
                var versions = OpRegistry.Default.Versions(proto.OpType);
                throw new OnnxImportException(versions.Length > 0
                    ? $"Node '{name}': op {proto.OpType} is supported from opset {versions[0]}, but the model uses opset {Opset}."
                    : $"Node '{name}': op {proto.OpType} (opset {Opset}) is not supported. Supported ops: {string.Join(", ", OpRegistry.Default.OpTypes)}.");
            }
            Kernel kernel;
            try { kernel = factory(ctx); }
            catch (OnnxImportException) { throw; }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException)
            {
                throw ctx.Fail(e.Message);
            }
            ctx.CheckAllRead();
            var node = new GraphNode
            {
                Index = idx, Name = name, OpType = proto.OpType, Context = ctx, Kernel = kernel,
                Inputs = proto.Input.ToArray(), Outputs = proto.Output.ToArray(),
            };
            Nodes.Add(node);
            foreach (var o in node.Outputs) if (o.Length > 0) _producer[o] = node;
        }

        foreach (var o in Outputs)
            if (!_producer.ContainsKey(o) && !_constants.ContainsKey(o) && !_inputsByName.ContainsKey(o))
                throw new OnnxImportException($"Graph output '{o}' is produced by no node, input or initializer.");

        Classify();
        var phase = PhaseTrace.Start();
        EvaluateConstants();
        PhaseTrace.End(phase, "load: constant nodes");
        phase = PhaseTrace.Start();
        if (fuseConvolutions) FindConvChains();
        PhaseTrace.End(phase, "load: find fusable chains");
    }

    private static int DefaultOpset(ModelProto model)
    {
        int opset = -1;
        foreach (var o in model.OpsetImport)
            if (o.Domain is "" or "ai.onnx") opset = (int)Math.Clamp(o.Version, int.MinValue, int.MaxValue);
        if (opset < 0)
        {
            // IR version 1/2 models predate opset_import; they are opset 1.
            if (model.IrVersion <= 2) opset = 1;
            else throw new OnnxImportException("The model imports no default-domain (ai.onnx) opset.");
        }
        if (opset < OpRegistry.MinOpset || opset > OpRegistry.MaxOpset)
            throw new OnnxImportException($"The model uses ai.onnx opset {opset}; supported opsets are {OpRegistry.MinOpset} to {OpRegistry.MaxOpset}.");
        return opset;
    }

    private GraphInput ReadInput(ValueInfoProto vi, IReadOnlyDictionary<string, int[]>? inputShapes)
    {
        var tt = vi.Type?.TensorType ?? throw new OnnxImportException($"Graph input '{vi.Name}' is not a tensor (sequences, maps and optionals are not supported).");
        var type = (ElemType)tt.ElemType;
        if (!ElemTypes.IsSupported(type)) throw new OnnxImportException($"Graph input '{vi.Name}' has unsupported element type {type}.");
        int[] declared;
        if (tt.Shape is null) declared = inputShapes?.GetValueOrDefault(vi.Name) is { } fixedDims ? fixedDims.Select(_ => -1).ToArray() : [];
        else
        {
            declared = new int[tt.Shape.Dim.Count];
            for (int i = 0; i < declared.Length; i++)
            {
                var d = tt.Shape.Dim[i];
                if (d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue)
                {
                    if (d.DimValue < 0 || d.DimValue > int.MaxValue) throw new OnnxImportException($"Graph input '{vi.Name}': dimension {i} is {d.DimValue}.");
                    declared[i] = (int)d.DimValue;
                }
                else declared[i] = -1;
            }
        }
        int[] defaults;
        if (inputShapes is not null && inputShapes.TryGetValue(vi.Name, out var given))
        {
            if (tt.Shape is not null && given.Length != declared.Length)
                throw new ArgumentException($"OnnxLoadOptions.InputShapes['{vi.Name}'] has rank {given.Length}, but the model declares rank {declared.Length}.");
            for (int i = 0; i < Math.Min(given.Length, declared.Length); i++)
                if (declared[i] >= 0 && given[i] != declared[i])
                    throw new ArgumentException($"OnnxLoadOptions.InputShapes['{vi.Name}'] gives dimension {i} as {given[i]}, but the model declares it as {declared[i]} ([{string.Join(", ", declared)}]); only symbolic dims can be set.");
            defaults = (int[])given.Clone();
        }
        else defaults = declared.Select(d => d < 0 ? 1 : d).ToArray();
        TensorProtoReader.CheckedDims(defaults.Select(d => (long)d).ToArray(), $"Graph input '{vi.Name}'", MaxElements);
        return new GraphInput(vi.Name, declared, defaults, type);
    }

    /// <summary>Kahn's algorithm in the file's order; a node reading an unknown name or a cycle is an error.</summary>
    private List<NodeProto> TopologicalOrder(GraphProto g)
    {
        var producers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < g.Node.Count; i++)
            foreach (var o in g.Node[i].Output)
            {
                if (o.Length == 0) continue;
                if (_constants.ContainsKey(o) || _inputsByName.ContainsKey(o) || !producers.TryAdd(o, i))
                    throw new OnnxImportException($"Tensor '{o}' is produced twice (by node {i} '{g.Node[i].Name}' and earlier).");
            }
        var pending = new int[g.Node.Count];
        var consumers = new List<int>[g.Node.Count];
        for (int i = 0; i < g.Node.Count; i++) consumers[i] = new();
        for (int i = 0; i < g.Node.Count; i++)
        {
            foreach (var name in g.Node[i].Input)
            {
                if (name.Length == 0 || _constants.ContainsKey(name) || _inputsByName.ContainsKey(name)) continue;
                if (!producers.TryGetValue(name, out var p))
                    throw new OnnxImportException($"Node '{g.Node[i].Name}' ({g.Node[i].OpType}) reads '{name}', which no node, graph input or initializer produces.");
                pending[i]++;
                consumers[p].Add(i);
            }
        }
        var ready = new PriorityQueue<int, int>();
        for (int i = 0; i < pending.Length; i++) if (pending[i] == 0) ready.Enqueue(i, i);
        var order = new List<NodeProto>(g.Node.Count);
        while (ready.TryDequeue(out var i, out _))
        {
            order.Add(g.Node[i]);
            foreach (var c in consumers[i]) if (--pending[c] == 0) ready.Enqueue(c, c);
        }
        if (order.Count != g.Node.Count)
        {
            var stuck = Enumerable.Range(0, pending.Length).Where(i => pending[i] > 0).Take(5).Select(i => $"'{g.Node[i].Name}' ({g.Node[i].OpType})");
            throw new OnnxImportException($"The graph has a cycle involving nodes {string.Join(", ", stuck)}.");
        }
        return order;
    }

    private NodeKind KindOf(string name) =>
        _constants.ContainsKey(name) ? NodeKind.Constant
        : _inputsByName.ContainsKey(name) ? NodeKind.Dynamic
        : _producer[name].Kind;

    private void Classify()
    {
        foreach (var n in Nodes)
        {
            var k = NodeKind.Constant;
            foreach (var i in n.Inputs) if (i.Length > 0 && KindOf(i) > k) k = KindOf(i);
            // Shape and Size depend only on the input's shape, which the input-shape signature fixes.
            if (n.OpType is "Shape" or "Size" && k == NodeKind.Dynamic) k = NodeKind.ShapeStatic;
            n.Kind = k;
        }
    }

    private void EvaluateConstants()
    {
        var constNodes = Nodes.Where(n => n.Kind == NodeKind.Constant).ToList();
        if (constNodes.Count == 0) return;
        using var _ = FeatureViz.Tensors.Autograd.GradMode.NoGrad();
        foreach (var n in constNodes)
        {
            var outs = RunNode(n, name => _constants[name]);
            for (int k = 0; k < n.Outputs.Length; k++)
                if (n.Outputs[k].Length > 0 && outs[k] is { } v) _constants[n.Outputs[k]] = Persistent(v);
        }
    }

    /// <summary>Marks a host value the graph keeps across runs, so that ops upload it once.</summary>
    private static Value Persistent(Value v)
    {
        (v as HostValue)?.MarkPersistent();
        return v;
    }

    public bool IsInput(string name) => _inputsByName.ContainsKey(name);
    public bool IsConstant(string name) => _constants.ContainsKey(name);
    public GraphNode? Producer(string name) => _producer.GetValueOrDefault(name);
    public GraphInput? Input(string name) => _inputsByName.GetValueOrDefault(name);
}
