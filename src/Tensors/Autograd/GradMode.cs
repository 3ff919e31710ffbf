namespace FeatureViz.Tensors.Autograd;

/// <summary>Thread-local switches for graph recording.</summary>
public static class GradMode
{
    [ThreadStatic] private static int _noGradDepth;
    [ThreadStatic] private static int _straightThroughDepth;

    /// <summary>True unless inside a <see cref="NoGrad"/> scope.</summary>
    public static bool IsEnabled => _noGradDepth == 0;

    /// <summary>True inside a <see cref="StraightThroughRelu"/> scope.</summary>
    public static bool ReluIsStraightThrough => _straightThroughDepth > 0;

    /// <summary>No graph is recorded until the returned scope is disposed.</summary>
    public static IDisposable NoGrad()
    {
        _noGradDepth++;
        return new Restore(() => _noGradDepth--);
    }

    /// <summary>ReLUs created until the returned scope is disposed pass gradients unchanged (feature-visualization warm-up).</summary>
    public static IDisposable StraightThroughRelu()
    {
        _straightThroughDepth++;
        return new Restore(() => _straightThroughDepth--);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        private Action? _undo = undo;

        public void Dispose()
        {
            _undo?.Invoke();
            _undo = null;
        }
    }
}
