using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Graph;

/// <summary>
/// Early release of intermediate tensors during an inference run (<see cref="Execute"/> under
/// <see cref="Tensors.Autograd.GradMode.NoGrad"/>): nothing records them for a backward pass, so each is disposed
/// after its last reader and its memory goes back to the backend's pool for the next output of the same size.
/// A fresh process then first-touches (page-faults and zeroes) only the peak working set instead of every
/// activation of the run, and a warm run writes into buffers that are still in cache.
/// </summary>
internal sealed partial class OnnxGraph
{
    /// <summary>How many of the nodes in <paramref name="running"/> read each name (each node counted once per name).</summary>
    private static Dictionary<string, int> CountReaders(IEnumerable<string[]> running)
    {
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var inputs in running)
            foreach (var name in inputs.Distinct(StringComparer.Ordinal))
                if (name.Length > 0) readers[name] = readers.GetValueOrDefault(name) + 1;
        return readers;
    }

    /// <summary>
    /// Called after a node that read <paramref name="inputs"/> ran: disposes each input whose last reader this was,
    /// when it is a tensor computed in this run (a dynamic node's output, not a feed, a requested name, a constant or
    /// a cached shape value) and no other live name or constant holds the same tensor object (ops such as Identity
    /// may return their input).
    /// </summary>
    private void ReleaseAfter(string[] inputs, Dictionary<string, int> readers, Dictionary<string, Value> env,
        IReadOnlyDictionary<string, Value> feeds, HashSet<string> wanted, Dictionary<string, Value> plan)
    {
        foreach (var name in inputs.Distinct(StringComparer.Ordinal))
        {
            if (name.Length == 0 || !readers.TryGetValue(name, out int left)) continue;
            readers[name] = --left;
            if (left > 0 || wanted.Contains(name) || feeds.ContainsKey(name)) continue;
            if (Producer(name) is not { Kind: NodeKind.Dynamic }) continue;
            if (!env.TryGetValue(name, out var v) || v is not TensorValue tv) continue;
            env.Remove(name);
            if (Holds(env.Values, tv.Tensor) || Holds(_constants.Values, tv.Tensor) || Holds(plan.Values, tv.Tensor)) continue;
            tv.Tensor.Dispose();
        }
    }

    private static bool Holds(IEnumerable<Value> values, Tensor t)
    {
        foreach (var v in values)
            if (v is TensorValue o && ReferenceEquals(o.Tensor, t)) return true;
        return false;
    }
}
