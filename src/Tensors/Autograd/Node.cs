namespace FeatureViz.Tensors.Autograd;

/// <summary>
/// Vector-Jacobian product of one op: given dL/d(output) and which inputs need a gradient, returns dL/d(input) for
/// each input (null where not needed). A returned gradient may have the broadcast shape; the caller sums it back.
/// </summary>
public delegate Tensor?[] VjpFunction(Tensor gradOutput, bool[] needsGrad);

/// <summary>A recorded op in the autodiff graph.</summary>
public sealed class Node
{
    internal Node(string opName, Tensor[] inputs, VjpFunction vjp)
    {
        OpName = opName;
        Inputs = inputs;
        Vjp = vjp;
    }

    /// <summary>The op's name.</summary>
    public string OpName { get; }

    /// <summary>The op's tensor inputs (constants included).</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    internal VjpFunction Vjp { get; }
}
