using FeatureViz.Onnx.Ops;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Profiling;

namespace FeatureViz.Onnx.Graph;

internal sealed partial class OnnxGraph
{
    private readonly object _sync = new();
    private readonly Dictionary<string, Dictionary<string, Value>> _plans = new(StringComparer.Ordinal);

    /// <summary>The default byte limit of any one tensor a node creates (a 2^28-element float32 tensor takes 2^30).</summary>
    public const long DefaultMaxBytes = 1L << 31;

    /// <summary>The byte limit of any one tensor a node creates (<see cref="TensorLimits"/>).</summary>
    public long MaxBytes { get; }

    /// <summary>
    /// Runs one node under the model's element and byte limits (<see cref="TensorLimits"/>: every output and
    /// workspace is checked before it is allocated), wrapping op errors with the node's name and op type.
    /// </summary>
    private Value?[] RunNode(GraphNode n, Func<string, Value> lookup)
    {
        var inputs = new Value?[n.Inputs.Length];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = n.Inputs[i].Length > 0 ? lookup(n.Inputs[i]) : null;
        Value?[] outs;
        try
        {
            var profile = OpProfile.Active;
            long started = profile is null ? 0 : OpProfile.Start();
            using (TensorLimits.Begin(MaxElements, MaxBytes)) outs = n.Kernel(new Args(inputs, Backend, n.Context));
            profile?.Add(OpPhase.Forward, n.OpType, n.Name, started);
        }
        catch (OnnxImportException) { throw; }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotImplementedException or NotSupportedException or IndexOutOfRangeException or ArithmeticException)
        {
            var shapes = string.Join(", ", inputs.Select(v => v?.ToString() ?? "-"));
            // ArgumentException.Message appends " (Parameter 'x')", a .NET detail that means nothing to a model's user.
            string message = e is ArgumentException ae && ae.ParamName is { } p ? e.Message.Replace($" (Parameter '{p}')", "") : e.Message;
            throw new OnnxImportException($"Node '{n.Name}' ({n.OpType}, opset {Opset}) failed on inputs ({shapes}): {message}", e);
        }
        for (int k = outs.Length; k < n.Outputs.Length; k++)
            if (n.Outputs[k].Length > 0) throw n.Context.Fail($"output {k} ('{n.Outputs[k]}') is not supported");
        for (int k = 0; k < Math.Min(outs.Length, n.Outputs.Length); k++)
            if (n.Outputs[k].Length > 0 && outs[k] is null) throw n.Context.Fail($"output {k} ('{n.Outputs[k]}') is not supported");
        return outs;
    }

    /// <summary>All names (node outputs, inputs, initializers) in graph order, for error messages.</summary>
    public IEnumerable<string> AllNames() =>
        Inputs.Select(i => i.Name).Concat(Nodes.SelectMany(n => n.Outputs.Where(o => o.Length > 0).Prepend(n.Name))).Distinct();

    /// <summary>
    /// Runs the part of the graph the <paramref name="wanted"/> names need. Nodes whose values are fixed for the
    /// given input shapes (shape arithmetic) are computed once per shape signature and reused.
    /// </summary>
    public Dictionary<string, Value> Execute(IReadOnlyDictionary<string, Value> feeds, IReadOnlyList<string> wanted)
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // The nodes the requested names depend on.
            var needed = new bool[Nodes.Count];
            var neededInputs = new HashSet<string>(StringComparer.Ordinal);
            var stack = new Stack<string>();
            foreach (var w in wanted)
            {
                if (!IsInput(w) && !IsConstant(w) && Producer(w) is null)
                    throw new ArgumentException($"Run: '{w}' is not a tensor of this model.{Suggest.CloseMatches(w, AllNames())}");
                stack.Push(w);
            }
            while (stack.Count > 0)
            {
                var name = stack.Pop();
                if (IsInput(name)) { neededInputs.Add(name); continue; }
                var p = Producer(name);
                if (p is null || needed[p.Index]) continue;
                needed[p.Index] = true;
                if (p.Kind == NodeKind.Constant) continue;
                foreach (var i in p.Inputs) if (i.Length > 0) stack.Push(i);
            }

            var env = new Dictionary<string, Value>(StringComparer.Ordinal);
            foreach (var (name, v) in feeds)
            {
                var gi = Input(name) ?? throw new ArgumentException($"Run: '{name}' is not an input of this model (inputs: {string.Join(", ", Inputs.Select(i => i.Name))}).");
                env[name] = CheckFeed(gi, v);
            }
            foreach (var name in neededInputs)
                if (!env.ContainsKey(name))
                    throw new ArgumentException($"Run: input '{name}' is required (shape [{string.Join(", ", Input(name)!.DeclaredDims)}]) for the requested outputs.");

            var sig = string.Join(";", neededInputs.Order(StringComparer.Ordinal).Select(n => $"{n}:{env[n].Type}:{string.Join(",", env[n].Dims)}"));
            if (!_plans.TryGetValue(sig, out var plan))
            {
                // Many distinct shapes (e.g. random crops) would grow the cache without bound: start over past a limit.
                // Dropped, not disposed: autodiff graphs of earlier results may still read them.
                if (_plans.Count >= MaxPlans) _plans.Clear();
                _plans[sig] = plan = new(StringComparer.Ordinal);
            }
            var newlyStatic = new List<(string Name, Value V)>();

            Value Lookup(string name) =>
                env.TryGetValue(name, out var v) ? v
                : plan.TryGetValue(name, out v) ? v
                : _constants.TryGetValue(name, out v) ? v
                : throw new InvalidOperationException($"'{name}' has not been computed.");

            void Store(GraphNode n, Value?[] outs)
            {
                for (int k = 0; k < Math.Min(outs.Length, n.Outputs.Length); k++)
                {
                    if (n.Outputs[k].Length == 0 || outs[k] is not { } v) continue;
                    env[n.Outputs[k]] = v;
                    if (n.Kind == NodeKind.ShapeStatic) newlyStatic.Add((n.Outputs[k], v));
                }
            }

            var fusion = PlanFusion(wanted);
            // The nodes to run, in order (a fused chain as its head, reading the Conv's inputs), and under NoGrad the
            // number of readers of each name, so that intermediate tensors are freed after their last reader.
            var running = new List<GraphNode>();
            foreach (var n in Nodes)
            {
                if (!needed[n.Index] || n.Kind == NodeKind.Constant) continue;
                if (n.Kind == NodeKind.ShapeStatic && n.Outputs.All(o => o.Length == 0 || plan.ContainsKey(o))) continue;
                if (fusion is { } f && f.Folded.Contains(n.Index)) continue;
                running.Add(n);
            }
            var readers = Tensors.Autograd.GradMode.IsEnabled ? null : CountReaders(running.Select(n => n.Inputs));
            var wantedSet = readers is null ? null : wanted.ToHashSet(StringComparer.Ordinal);
            foreach (var n in running)
            {
                var t = PhaseTrace.Start();
                if (fusion is { } f && f.Heads.TryGetValue(n.Index, out int length))
                {
                    RunChain(_chains[n.Index], length, Lookup, Store);
                    if (PhaseTrace.Enabled) PhaseTrace.End(t, $"node {n.Name} ({n.OpType} fused x{length}) -> {env[_chains[n.Index].Stages[length - 1].Outputs[0]]}");
                }
                else
                {
                    Store(n, RunNode(n, Lookup));
                    if (PhaseTrace.Enabled) PhaseTrace.End(t, $"node {n.Name} ({n.OpType}) -> {(n.Outputs.Length > 0 && env.TryGetValue(n.Outputs[0], out var o0) ? o0.ToString() : "-")}");
                }
                if (readers is not null) ReleaseAfter(n.Inputs, readers, env, feeds, wantedSet!, plan);
            }
            if (newlyStatic.Count > 0)
            {
                var kept = Untracked.Persist(newlyStatic.Select(e => e.V).ToArray());
                for (int i = 0; i < kept.Length; i++) plan[newlyStatic[i].Name] = Persistent(kept[i]);
            }

            var result = new Dictionary<string, Value>(StringComparer.Ordinal);
            foreach (var w in wanted)
            {
                if (env.TryGetValue(w, out var v)) result[w] = v;
                else
                {
                    // Cached values belong to the model: hand out copies.
                    var c = Lookup(w);
                    result[w] = c is TensorValue t ? new TensorValue(t.Tensor.Detach(), t.Type) : c;
                }
            }
            return result;
        }
    }

    /// <summary>
    /// Runs the first <paramref name="length"/> stages of a chain as one fused convolution. Inputs that are not float32
    /// (float16, double: each op rounds its output to the declared type) run the stages one by one instead.
    /// </summary>
    private void RunChain(ConvChain chain, int length, Func<string, Value> lookup, Action<GraphNode, Value?[]> store)
    {
        var conv = chain.Stages[0];
        if (lookup(conv.Inputs[0]).Type != ElemType.Float)
        {
            for (int s = 0; s < length; s++) store(chain.Stages[s], RunNode(chain.Stages[s], lookup));
            return;
        }
        var (node, constants) = chain.Variant(length, name => _constants[name], Backend);
        store(node, RunNode(node, name => constants.TryGetValue(name, out var v) ? v : lookup(name)));
    }

    private bool _disposed;
    private const int MaxPlans = 64;


    /// <summary>Frees the constants and cached folded tensors (backend memory).</summary>
    public void Dispose()
    {
        lock (_sync)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var v in _constants.Values.Concat(_plans.Values.SelectMany(p => p.Values)))
                if (v is TensorValue t) t.Tensor.Dispose();
                else if (v is HostValue h) h.DisposeDevice();
            _constants.Clear();
            _plans.Clear();
            foreach (var chain in _chains.Values) chain.Dispose();
            _chains.Clear();
        }
    }

    private Value CheckFeed(GraphInput gi, Value v)
    {
        if (gi.DeclaredDims.Length > 0 || v.Rank == 0)
        {
            if (v.Rank != gi.DeclaredDims.Length)
                throw new ArgumentException($"Run: input '{gi.Name}' has shape [{string.Join(", ", v.Dims)}], but the model expects rank {gi.DeclaredDims.Length} ([{string.Join(", ", gi.DeclaredDims)}], -1 = any).");
            if (!Fits(gi.DeclaredDims, v.Dims))
                throw new ArgumentException($"Run: input '{gi.Name}' has shape {DescribeShape(v.Dims)}, but the model declares {DescribeShape(gi.DeclaredDims)}.");
        }
        if (ElemTypes.IsFloating(gi.Type))
        {
            if (v is TensorValue tv) return tv.Type == gi.Type ? tv : new TensorValue(tv.Tensor, gi.Type);
            throw new ArgumentException($"Run: input '{gi.Name}' must be floating-point ({ElemTypes.Name(gi.Type)}), not {ElemTypes.Name(v.Type)}.");
        }
        // Integer inputs: a float tensor is accepted when it holds integers.
        if (v is HostValue h) return h.Type == gi.Type ? h : new HostValue(gi.Type, h.Dims, h.Data);
        var f = ((TensorValue)v).Tensor.ToArray();
        var l = new long[f.Length];
        for (int i = 0; i < f.Length; i++)
        {
            if (f[i] != MathF.Round(f[i])) throw new ArgumentException($"Run: input '{gi.Name}' is {ElemTypes.Name(gi.Type)}, but element {i} is {f[i]}.");
            l[i] = (long)f[i];
        }
        return new HostValue(gi.Type, v.Dims, l);
    }

    /// <summary>
    /// Whether a tensor of <paramref name="given"/> dims fits an input declared with <paramref name="declared"/>: the
    /// same rank and every static dim equal (-1, a symbolic dim, takes any size; an input declared without dims takes any shape).
    /// </summary>
    internal static bool Fits(IReadOnlyList<int> declared, IReadOnlyList<int> given)
    {
        if (declared.Count == 0) return true;
        if (given.Count != declared.Count) return false;
        for (int i = 0; i < declared.Count; i++)
            if (declared[i] >= 0 && declared[i] != given[i]) return false;
        return true;
    }

    /// <summary>A shape with its element count, e.g. "[1, 1, 28, 28] (784 values)"; "-1 = any size" where dims are symbolic.</summary>
    internal static string DescribeShape(IReadOnlyList<int> dims)
    {
        string text = "[" + string.Join(", ", dims) + "]";
        if (dims.Any(d => d < 0)) return text + " (-1 = any size)";
        long n = 1;
        foreach (var d in dims) n *= d;
        return $"{text} ({n} values)";
    }

    /// <summary>Zero-valued inputs with the default shapes (for shape discovery).</summary>
    public Dictionary<string, Value> DefaultFeeds() => Inputs.ToDictionary(
        i => i.Name,
        i => ElemTypes.IsFloating(i.Type)
            ? (Value)new TensorValue(Tensor.Zeros(Backend, i.DefaultDims), i.Type)
            : new HostValue(i.Type, i.DefaultDims, new long[i.DefaultDims.Aggregate(1, (a, b) => a * b)]),
        StringComparer.Ordinal);
}
