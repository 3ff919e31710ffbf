using FeatureViz.Models;
using FeatureViz.Tensors;

namespace FeatureViz.Objectives;

/// <summary>
/// An <see cref="Objective"/> compiled for one batch (Xplique's <c>compile()</c>): the names, the layers to fetch,
/// the model input shape and the per-image score function. Holds constant masks; dispose it when done.
/// </summary>
public sealed class CompiledObjective : IDisposable
{
    private readonly Objective _objective;
    private readonly int[][] _variants; // [term][image] -> variant index
    private Tensor?[]? _masks;
    private Tensor?[]? _vectorNorms;

    internal CompiledObjective(Objective objective)
    {
        _objective = objective;
        var combos = objective.Combinations().ToArray();
        BatchSize = combos.Length;
        Names = objective.Names.ToArray();
        _variants = new int[objective.TermCount][];
        for (int k = 0; k < objective.TermCount; k++)
        {
            _variants[k] = new int[BatchSize];
            for (int n = 0; n < BatchSize; n++) _variants[k][n] = combos[n][k];
        }
        OutputNames = objective.Terms.Select(t => t.Layer.OutputName).Distinct().ToArray();
        var input = objective.Model.Input.Shape;
        InputShape = input.Length > 0 ? [BatchSize, .. input[1..]] : [BatchSize];
    }

    /// <summary>The model.</summary>
    public VisualizationModel Model => _objective.Model;

    /// <summary>Number of images (product of the terms' variant counts).</summary>
    public int BatchSize { get; }

    /// <summary>One name per image, the terms' variant names joined with " &amp; ".</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The layer output names the score needs.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>The model input shape for this batch: [BatchSize, C, H, W] (-1 where the model's size is symbolic).</summary>
    public int[] InputShape { get; }

    /// <summary>
    /// The score of each image, shape [BatchSize]: <c>sum_k multiplier_k * f_k(activation_k)</c> (to maximise).
    /// <paramref name="activations"/> maps layer output names to [BatchSize, ...] tensors.
    /// </summary>
    public Tensor Evaluate(IReadOnlyDictionary<string, Tensor> activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureConstants();
        Tensor? total = null;
        var terms = _objective.Terms;
        for (int k = 0; k < terms.Count; k++)
        {
            var t = terms[k];
            if (!activations.TryGetValue(t.Layer.OutputName, out var a))
                throw new ArgumentException($"CompiledObjective: no activation for layer '{t.Layer.OutputName}'.", nameof(activations));
            var expected = (int[])[BatchSize, .. t.LayerShape];
            if (!a.Shape.Dims.SequenceEqual(expected))
                throw new ArgumentException($"CompiledObjective: activation '{t.Layer.OutputName}' has shape {a.Shape}, expected [{string.Join(", ", expected)}].", nameof(activations));
            var f = ObjectiveLosses.Term(t, a, _masks![k], _vectorNorms![k]);
            var weighted = t.Multiplier == 1f ? f : f.Mul(t.Multiplier);
            total = total is null ? weighted : total.Add(weighted);
        }
        return total!;
    }

    private void EnsureConstants()
    {
        if (_masks is not null) return;
        var terms = _objective.Terms;
        var masks = new Tensor?[terms.Count];
        var norms = new Tensor?[terms.Count];
        var backend = Model.Backend;
        using (Tensors.Autograd.GradMode.NoGrad())
        {
            for (int k = 0; k < terms.Count; k++)
            {
                var (mask, norm) = ObjectiveLosses.Constants(terms[k], _variants[k]);
                var dims = (int[])[BatchSize, .. terms[k].LayerShape];
                if (mask is not null)
                {
                    var m = Tensor.FromArray(backend, mask, dims);
                    TensorScope.Current?.Keep(m);
                    masks[k] = m;
                }
                if (norm is not null)
                {
                    var v = Tensor.FromArray(backend, norm, BatchSize);
                    TensorScope.Current?.Keep(v);
                    norms[k] = v;
                }
            }
        }
        _masks = masks;
        _vectorNorms = norms;
    }

    private bool _disposed;

    /// <summary>Frees the constant masks.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var m in _masks ?? []) m?.Dispose();
        foreach (var m in _vectorNorms ?? []) m?.Dispose();
    }
}
