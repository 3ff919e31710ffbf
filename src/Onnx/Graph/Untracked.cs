using FeatureViz.Tensors;

namespace FeatureViz.Onnx.Graph;

/// <summary>
/// Creates tensors that outlive the caller's <see cref="TensorScope"/> (model constants and cached folded values).
/// </summary>
internal static class Untracked
{
    public static T Run<T>(Func<T> f)
    {
        using (TensorScope.Suspend()) return f();
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
