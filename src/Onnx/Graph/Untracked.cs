using System.Runtime.ExceptionServices;
using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Graph;

/// <summary>
/// Creates tensors that outlive the caller's <see cref="TensorScope"/> (model constants and cached folded values).
/// Scopes are per thread, so work that must not be tracked runs on a short-lived thread when a scope is active.
/// </summary>
internal static class Untracked
{
    public static T Run<T>(Func<T> f)
    {
        if (TensorScope.Current is null) return f();
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try { result = f(); }
            catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }
        }, 16 * 1024 * 1024);
        thread.Start();
        thread.Join();
        error?.Throw();
        return result;
    }

    /// <summary>Untracked copies of the tensor values (host values are returned as they are).</summary>
    public static Value[] Persist(IReadOnlyList<Value> values)
    {
        if (TensorScope.Current is null || values.All(v => v is not TensorValue)) return values.ToArray();
        var storages = values.Select(v => v is TensorValue t ? t.Tensor.Backend.Copy(t.Tensor.Storage) : null).ToArray();
        return Run(() => values.Select((v, i) => v is TensorValue t
            ? new TensorValue(Tensor.FromStorage(storages[i]!, t.Tensor.Shape), t.Type)
            : v).ToArray());
    }
}
