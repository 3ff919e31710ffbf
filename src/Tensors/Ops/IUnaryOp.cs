namespace FeatureViz.Tensors.Ops;

/// <summary>
/// An elementwise unary function and its derivative. Implemented by small structs (which may carry parameters such
/// as a slope) so that every backend's generic kernel is specialised and inlined per op.
/// </summary>
public interface IUnaryOp
{
    /// <summary>The op's name in error messages and graphs.</summary>
    string Name { get; }

    /// <summary>y = f(x).</summary>
    float Forward(float x);

    /// <summary>dL/dx given x, y = f(x) and dL/dy.</summary>
    float Backward(float x, float y, float dy);
}

/// <summary>An elementwise binary function with its two partial derivatives.</summary>
public interface IBinaryOp
{
    /// <summary>The op's name in error messages and graphs.</summary>
    string Name { get; }

    /// <summary>y = f(a, b).</summary>
    float Forward(float a, float b);

    /// <summary>dL/da given a, b, y and dL/dy.</summary>
    float GradA(float a, float b, float y, float dy);

    /// <summary>dL/db given a, b, y and dL/dy.</summary>
    float GradB(float a, float b, float y, float dy);
}
