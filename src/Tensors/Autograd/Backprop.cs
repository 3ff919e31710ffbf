namespace FeatureViz.Tensors.Autograd;

/// <summary>Iterative reverse-mode sweep over the recorded graph.</summary>
internal static class Backprop
{
    public static void Run(Tensor root, Tensor? cotangent)
    {
        var grads = Gradients(root, cotangent, wrt: null);
        foreach (var (leaf, g) in grads)
        {
            if (leaf.Grad is null) leaf.Grad = g;
            else
            {
                using (GradMode.NoGrad())
                {
                    var sum = leaf.Grad.Add(g);
                    leaf.Grad = sum;
                }
            }
        }
    }

    /// <summary>dL/d(leaf) for every leaf reached (or only those in <paramref name="wrt"/>).</summary>
    public static Dictionary<Tensor, Tensor> Gradients(Tensor root, Tensor? cotangent, IReadOnlyCollection<Tensor>? wrt)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException($"Backward: tensor {root.Shape} does not require a gradient (no input of the graph was marked with RequireGrad, or it was computed under NoGrad).");
        if (cotangent is null && root.Numel != 1)
            throw new ArgumentException($"Backward: output {root.Shape} is not a scalar; pass a cotangent of that shape.", nameof(cotangent));
        if (cotangent is not null && cotangent.Shape != root.Shape)
            throw new ArgumentException($"Backward: cotangent shape {cotangent.Shape} does not match output shape {root.Shape}.", nameof(cotangent));

        var order = TopologicalOrder(root);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        var leaves = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        using var _ = GradMode.NoGrad();
        grads[root] = cotangent ?? Tensor.Full(root.Backend, 1f, root.Shape.ToArray());
        // How many pending gradient slots hold each tensor: a VJP may hand its incoming gradient through unchanged,
        // so a gradient is freed early only when nothing else still refers to it.
        var uses = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance) { [grads[root]] = 1 };

        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            if (!grads.Remove(t, out var g)) continue;
            var node = t.GradFn;
            if (node is null)
            {
                if (wrt is null || wrt.Contains(t)) leaves[t] = g;
                else Release(uses, g, cotangent);
                continue;
            }
            var needs = new bool[node.Inputs.Count];
            for (int k = 0; k < needs.Length; k++) needs[k] = node.Inputs[k].RequiresGrad;
            var profile = Profiling.OpProfile.Active;
            long started = profile is null ? 0 : Profiling.OpProfile.Start();
            var inGrads = node.Vjp(g, needs);
            profile?.Add(Profiling.OpPhase.Backward, node.OpName, "", started);
            for (int k = 0; k < needs.Length; k++)
            {
                if (!needs[k]) continue;
                var input = node.Inputs[k];
                var gi = inGrads[k] ?? throw new InvalidOperationException($"Backward: op {node.OpName} returned no gradient for input {k} {input.Shape}.");
                gi = Tensor.SumToShape(gi, input.Shape, node.OpName);
                if (grads.TryGetValue(input, out var prev))
                {
                    var sum = prev.Add(gi);
                    Release(uses, prev, cotangent);
                    if (!ReferenceEquals(gi, g)) Release(uses, gi, cotangent, counted: false);
                    gi = sum;
                }
                grads[input] = gi;
                uses[gi] = uses.GetValueOrDefault(gi) + 1;
            }
            Release(uses, g, cotangent);
        }
        return leaves;
    }

    /// <summary>Drops one use of a gradient and disposes it when no slot refers to it any more.</summary>
    private static void Release(Dictionary<Tensor, int> uses, Tensor g, Tensor? cotangent, bool counted = true)
    {
        int n = uses.GetValueOrDefault(g) - (counted ? 1 : 0);
        if (n > 0) { uses[g] = n; return; }
        uses.Remove(g);
        if (!ReferenceEquals(g, cotangent)) g.Dispose();
    }

    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor T, int Next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFn?.Inputs;
            if (inputs is not null && next < inputs.Count)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child.RequiresGrad && visited.Add(child)) stack.Push((child, 0));
            }
            else
            {
                order.Add(t);
            }
        }
        return order;
    }
}
