namespace FeatureViz.Objectives;

// Operators. None mutates its operands. Every binary operator between two objectives concatenates their terms, so the
// batch is the cartesian product of all terms' variants (Xplique's rule for +, kept for *, -), and the expression
// says how the per-image term scores combine. Constants and scalars never add images.
public sealed partial class Objective
{
    /// <summary>
    /// Sum: per image, <c>a + b</c>. The batch is the cartesian product of both operands' variants (last term varying
    /// fastest); both must be built on the same model. A new objective; operands are unchanged.
    /// </summary>
    public static Objective operator +(Objective a, Objective b) => Combine(a, b, "+", (x, y) => new SumNode(x, y));

    /// <summary>Difference: maximises <paramref name="a"/> and minimises <paramref name="b"/> (cartesian batch as for +).</summary>
    public static Objective operator -(Objective a, Objective b) => a + (-b);

    /// <summary>
    /// Product: per image, the product of the two scores (Lucid's <c>obj * obj</c>), for example a channel gated by
    /// another. The batch is the cartesian product of both operands' variants, as for +.
    /// </summary>
    public static Objective operator *(Objective a, Objective b) => Combine(a, b, "*", (x, y) => new ProductNode(x, y));

    /// <summary>Negation: the score times -1.</summary>
    public static Objective operator -(Objective a) => a * -1.0;

    /// <summary>Scales the score by <paramref name="k"/> (any numeric type converts: <c>obj * 2</c>, <c>obj * 0.5f</c>, <c>obj * 1.0</c>).</summary>
    public static Objective operator *(Objective a, double k)
    {
        ArgumentNullException.ThrowIfNull(a);
        float f = CheckMultiplier(k, nameof(k));
        var terms = (SubObjective[])a._terms.Clone();
        var e = a._expression.Scale(f, terms);
        return new Objective(a.Model, terms, e);
    }

    /// <summary>Scales the score by <paramref name="k"/>.</summary>
    public static Objective operator *(double k, Objective a) => a * k;

    /// <summary>Divides the score by <paramref name="k"/> (finite, non-zero).</summary>
    public static Objective operator /(Objective a, double k)
    {
        if (k == 0 || !double.IsFinite(k)) throw new ArgumentOutOfRangeException(nameof(k), k, "Objective /: the divisor must be finite and non-zero.");
        return a * (1.0 / k);
    }

    /// <summary>Adds a constant to every image's score (changes reported values, not the optimum). Adds no images.</summary>
    public static Objective operator +(Objective a, double c)
    {
        ArgumentNullException.ThrowIfNull(a);
        float f = CheckMultiplier(c, nameof(c));
        return new Objective(a.Model, a._terms, new SumNode(a._expression, new ConstantNode(f)));
    }

    /// <summary>Adds a constant to every image's score.</summary>
    public static Objective operator +(double c, Objective a) => a + c;

    /// <summary>Subtracts a constant from every image's score.</summary>
    public static Objective operator -(Objective a, double c) => a + (-c);

    /// <summary>The constant minus the objective, per image.</summary>
    public static Objective operator -(double c, Objective a) => -a + c;

    private static Objective Combine(Objective a, Objective b, string op, Func<ObjectiveExpression, ObjectiveExpression, ObjectiveExpression> node)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!ReferenceEquals(a.Model, b.Model))
            throw new ArgumentException($"Objective {op}: both objectives must be built on the same model.", nameof(b));
        return new Objective(a.Model, [.. a._terms, .. b._terms], node(a._expression, b._expression.Shift(a._terms.Length)));
    }
}
