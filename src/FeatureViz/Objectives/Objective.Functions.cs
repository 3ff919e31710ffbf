using FeatureViz.Models;
using FeatureViz.Tensors;

namespace FeatureViz.Objectives;

// Terms written as functions of layer activations: the public way to write one's own term, and the base of the
// built-in Lucid objectives.
public sealed partial class Objective
{
    /// <summary>
    /// A term written as a function of one layer's activations. <paramref name="score"/> receives the layer's
    /// activations for the whole batch, shape [N, C, H, W] (or [N, units]), row i being image i, and returns one score
    /// per image, shape [N], computed with <see cref="Tensor"/> operations so that it is differentiable (for example
    /// <c>a =&gt; a.Slice([0, 3, 0, 0], [n, 4, h / 2, w / 2]).Mean([1, 2, 3])</c>). The term has one variant, so it
    /// adds no images; it combines with other objectives by +, -, * and scalars like any other.
    /// </summary>
    /// <remarks>
    /// At the first optimization step the result is checked: a shape other than [N], a NaN or infinite score, or a
    /// score with no gradient path to the image (built from constants, host copies or <c>Detach</c>) fails with an
    /// <see cref="InvalidOperationException"/> naming the term.
    /// </remarks>
    /// <param name="model">The model.</param>
    /// <param name="layer">Layer name or index.</param>
    /// <param name="score">Activations [N, ...] to scores [N].</param>
    /// <param name="name">The term's name (used in image names and error messages).</param>
    /// <param name="multiplier">Weight of this term.</param>
    public static Objective FromFunction(VisualizationModel model, LayerRef layer, Func<Tensor, Tensor> score, string name, double multiplier = 1)
    {
        ArgumentNullException.ThrowIfNull(score);
        return FromFunction(model, [layer], a => score(a[0]), name, multiplier);
    }

    /// <summary>
    /// A term written as a function of several layers' activations (one tensor per layer of <paramref name="layers"/>,
    /// in that order, each [N, ...]); see the one-layer overload for the contract and the checks.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="layers">The layers the function reads.</param>
    /// <param name="score">Activations to scores [N].</param>
    /// <param name="name">The term's name.</param>
    /// <param name="multiplier">Weight of this term.</param>
    public static Objective FromFunction(VisualizationModel model, IEnumerable<LayerRef> layers, Func<IReadOnlyList<Tensor>, Tensor> score, string name, double multiplier = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var refs = layers.ToArray();
        if (refs.Length == 0) throw new ArgumentException($"Objective.FromFunction: term '{name}' reads no layer.", nameof(layers));
        var inputs = refs.Select(l => Resolve(model, l, "FromFunction")).ToArray();
        return FunctionTerm(model, inputs, [name], CheckMultiplier(multiplier), _ => score, userWritten: true);
    }

    internal static Objective FunctionTerm(VisualizationModel model, (Onnx.LayerInfo Info, int[] Shape)[] inputs, IReadOnlyList<string> names, float multiplier, TermBuilder builder, bool userWritten = false)
    {
        var first = inputs[0];
        var term = new SubObjective(SubObjectiveKind.Function, first.Info, first.Shape, names, multiplier)
        {
            Inputs = inputs,
            Builder = builder,
            Checked = userWritten,
        };
        return new Objective(model, [term]);
    }
}
