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
    private Func<IReadOnlyList<Tensor>, Tensor>?[]? _functions;
    private readonly List<Tensor> _owned = [];
    private bool _valuesChecked;
    private bool _gradientChecked;

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
        OutputNames = objective.Terms.SelectMany(t => t.Inputs).Select(i => i.Info.OutputName).Distinct().ToArray();
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
    /// The score of each image, shape [BatchSize] (to maximise): each term's per-image score times its multiplier,
    /// combined as the objective's expression says (sums, products, constants). <paramref name="activations"/> maps
    /// layer output names to [BatchSize, ...] tensors.
    /// </summary>
    /// <exception cref="ArgumentException">An activation is missing or has the wrong shape.</exception>
    /// <exception cref="InvalidOperationException">
    /// At the first evaluation: a term written with <see cref="Objective.FromFunction(VisualizationModel, LayerRef, Func{Tensor, Tensor}, string, double)"/>
    /// returned a shape other than [BatchSize], a non-finite score, or (when gradients are recorded) a score with no
    /// gradient path to its activations.
    /// </exception>
    public Tensor Evaluate(IReadOnlyDictionary<string, Tensor> activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureConstants();
        var terms = _objective.Terms;
        var values = new Tensor[terms.Count];
        for (int k = 0; k < terms.Count; k++)
        {
            var t = terms[k];
            var inputs = new Tensor[t.Inputs.Count];
            for (int i = 0; i < inputs.Length; i++)
            {
                var (info, shape) = t.Inputs[i];
                if (!activations.TryGetValue(info.OutputName, out var a))
                    throw new ArgumentException($"CompiledObjective: no activation for layer '{info.OutputName}'.", nameof(activations));
                var expected = (int[])[BatchSize, .. shape];
                if (!a.Shape.Dims.SequenceEqual(expected))
                    throw new ArgumentException($"CompiledObjective: activation '{info.OutputName}' has shape {a.Shape}, expected [{string.Join(", ", expected)}].", nameof(activations));
                inputs[i] = a;
            }
            var f = t.Kind == SubObjectiveKind.Function ? _functions![k]!(inputs) : ObjectiveLosses.Term(t, inputs[0], _masks![k], _vectorNorms![k]);
            if (t.Checked) Check(t, f, inputs);
            values[k] = t.Multiplier == 1f ? f : f.Mul(t.Multiplier);
        }
        _valuesChecked = true;
        return Fold(_objective.Expression, values);
    }

    private Tensor Fold(ObjectiveExpression e, Tensor[] values) => e switch
    {
        TermNode t => values[t.Index],
        SumNode { B: ConstantNode c } s => Fold(s.A, values).Add(c.Value),
        SumNode { A: ConstantNode c } s => Fold(s.B, values).Add(c.Value),
        SumNode s => Fold(s.A, values).Add(Fold(s.B, values)),
        ProductNode p => Fold(p.A, values).Mul(Fold(p.B, values)),
        ConstantNode c => Tensor.Full(Model.Backend, c.Value, BatchSize),
        _ => throw new InvalidOperationException($"CompiledObjective: unknown expression node {e.GetType().Name}."),
    };

    /// <summary>The first-step checks of a user-written term: shape [N], finite values, a gradient path.</summary>
    private void Check(SubObjective t, Tensor f, Tensor[] inputs)
    {
        string term = $"Objective term '{t.DisplayName}'";
        if (!f.Shape.Dims.SequenceEqual([BatchSize]))
            throw new InvalidOperationException($"{term} returned shape {f.Shape}; one score per image, shape [{BatchSize}], is expected (reduce every axis but the batch axis 0, e.g. a.Mean([1, 2, 3])).");
        if (!_valuesChecked)
        {
            float[] v;
            using (Tensors.Autograd.GradMode.NoGrad()) v = f.ToArray();
            int bad = Array.FindIndex(v, x => !float.IsFinite(x));
            if (bad >= 0)
                throw new InvalidOperationException($"{term} returned {v[bad]} for image {bad} ('{Names[bad]}'); scores must be finite.");
        }
        if (!_gradientChecked && Tensors.Autograd.GradMode.IsEnabled && inputs.Any(a => a.RequiresGrad))
        {
            if (!f.RequiresGrad)
                throw new InvalidOperationException($"{term} has no gradient path to the image: its score does not depend on the activations it was given through differentiable tensor operations (it was built from constants, host copies such as ToArray, or Detach).");
            _gradientChecked = true;
        }
    }

    /// <summary>The image names and the model input shape: <c>var (names, inputShape) = compiled;</c>.</summary>
    public void Deconstruct(out IReadOnlyList<string> names, out int[] inputShape)
    {
        names = Names;
        inputShape = InputShape;
    }

    /// <summary>
    /// Xplique's <c>compile()</c> quadruple: <c>var (model, score, names, inputShape) = objective.Compile();</c>
    /// (<paramref name="score"/> is <see cref="Evaluate"/>). Keep the compiled objective to dispose it.
    /// </summary>
    public void Deconstruct(out VisualizationModel model, out Func<IReadOnlyDictionary<string, Tensor>, Tensor> score, out IReadOnlyList<string> names, out int[] inputShape)
    {
        model = Model;
        score = Evaluate;
        names = Names;
        inputShape = InputShape;
    }

    private void EnsureConstants()
    {
        if (_masks is not null) return;
        var terms = _objective.Terms;
        var masks = new Tensor?[terms.Count];
        var norms = new Tensor?[terms.Count];
        var functions = new Func<IReadOnlyList<Tensor>, Tensor>?[terms.Count];
        var backend = Model.Backend;
        for (int k = 0; k < terms.Count; k++)
        {
            if (terms[k].Builder is { } build)
            {
                functions[k] = build(new TermBuildContext(backend, _variants[k], _owned));
                continue;
            }
            using (Tensors.Autograd.GradMode.NoGrad())
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
        _functions = functions;
        _vectorNorms = norms;
        _masks = masks;
    }

    private bool _disposed;

    /// <summary>Frees the constant tensors.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var m in _masks ?? []) m?.Dispose();
        foreach (var m in _vectorNorms ?? []) m?.Dispose();
        foreach (var m in _owned) m.Dispose();
    }
}
