namespace FeatureViz.Objectives;

/// <summary>How <see cref="Objective.Layer"/> reduces a whole layer to one score per image.</summary>
public enum LayerReducer
{
    /// <summary>
    /// Mean of the squared activations (Lucid's <c>deepdream</c>). Xplique's docstring says "mean of absolute
    /// values" but its code squares; we follow the code and say so.
    /// </summary>
    Magnitude,

    /// <summary>Mean of the activations.</summary>
    Mean,
}
