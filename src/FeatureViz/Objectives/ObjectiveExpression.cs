using System.Globalization;

namespace FeatureViz.Objectives;

/// <summary>
/// How an objective combines its terms' per-image scores: sums, products and constants over term indices. Each term
/// appears exactly once; scalar weights live in the terms' multipliers (see <see cref="Scale"/>).
/// </summary>
internal abstract record ObjectiveExpression
{
    /// <summary>The same expression with every term index moved up by <paramref name="offset"/>.</summary>
    public abstract ObjectiveExpression Shift(int offset);

    /// <summary>
    /// Multiplies the expression by <paramref name="k"/>: a sum scales both sides, a product its left factor, a
    /// constant its value, a term its multiplier (in <paramref name="terms"/>, a copy the caller owns).
    /// </summary>
    public abstract ObjectiveExpression Scale(float k, SubObjective[] terms);

    /// <summary>Text for <see cref="Objective.ToString"/>.</summary>
    public abstract string Format(IReadOnlyList<SubObjective> terms);
}

internal sealed record TermNode(int Index) : ObjectiveExpression
{
    public override ObjectiveExpression Shift(int offset) => new TermNode(Index + offset);

    public override ObjectiveExpression Scale(float k, SubObjective[] terms)
    {
        terms[Index] = terms[Index].Scaled(k);
        return this;
    }

    public override string Format(IReadOnlyList<SubObjective> terms)
    {
        var t = terms[Index];
        var layers = string.Join(", ", t.Inputs.Select(i => i.Info.OutputName));
        return $"{t.Multiplier.ToString(CultureInfo.InvariantCulture)} * {(t.Kind == SubObjectiveKind.Function ? t.DisplayName : t.Kind.ToString())}({layers}, {t.VariantCount})";
    }
}

internal sealed record ConstantNode(float Value) : ObjectiveExpression
{
    public override ObjectiveExpression Shift(int offset) => this;

    public override ObjectiveExpression Scale(float k, SubObjective[] terms) => new ConstantNode(Value * k);

    public override string Format(IReadOnlyList<SubObjective> terms) => Value.ToString(CultureInfo.InvariantCulture);
}

internal sealed record SumNode(ObjectiveExpression A, ObjectiveExpression B) : ObjectiveExpression
{
    public override ObjectiveExpression Shift(int offset) => new SumNode(A.Shift(offset), B.Shift(offset));

    public override ObjectiveExpression Scale(float k, SubObjective[] terms) => new SumNode(A.Scale(k, terms), B.Scale(k, terms));

    public override string Format(IReadOnlyList<SubObjective> terms) => $"{A.Format(terms)} + {B.Format(terms)}";
}

internal sealed record ProductNode(ObjectiveExpression A, ObjectiveExpression B) : ObjectiveExpression
{
    public override ObjectiveExpression Shift(int offset) => new ProductNode(A.Shift(offset), B.Shift(offset));

    public override ObjectiveExpression Scale(float k, SubObjective[] terms) => new ProductNode(A.Scale(k, terms), B);

    public override string Format(IReadOnlyList<SubObjective> terms) => $"({A.Format(terms)}) * ({B.Format(terms)})";
}
