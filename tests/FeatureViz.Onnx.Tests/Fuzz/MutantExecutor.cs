using System.Diagnostics;
using FeatureViz.Onnx.Graph;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;

namespace FeatureViz.Onnx.Tests.Fuzz;

/// <summary>How one mutant ended.</summary>
public enum Outcome
{
    /// <summary>Loaded and ran (or ran as far as its inputs allow).</summary>
    Ran,
    /// <summary>Loaded; not run because an input's declared shape is too large for the fuzz budget.</summary>
    LoadedNotRun,
    RejectedAtLoad,
    RejectedAtRun,
    /// <summary>Run refused the inputs with ArgumentException (documented for Run).</summary>
    ArgumentAtRun,
    /// <summary>An exception type outside <see cref="OnnxModelErrors"/>' documented set.</summary>
    Undocumented,
    /// <summary>A node made a tensor over the load options' MaxTensorElements.</summary>
    OverLimit,
    /// <summary>A documented outcome, but not the one the mutant demands (e.g. a cycle that loads).</summary>
    WrongVerdict,
    /// <summary>The worker process died.</summary>
    Crash,
    Hang,
}

/// <summary>Loads and runs one mutant the way a user would, and classifies what happened.</summary>
internal static class MutantExecutor
{
    /// <summary>The fuzz run's element limit: a mutant may not make tensors over 64 MiB of floats.</summary>
    public const long MaxTensorElements = 1L << 24;

    private const long MaxInputElements = 1L << 20;

    public static (Outcome Outcome, string Detail) Execute(Mutant m)
    {
        var options = new OnnxLoadOptions { MaxTensorElements = MaxTensorElements };
        OnnxModel model;
        try
        {
            model = m.ModelPath is not null ? OnnxModel.Load(m.ModelPath, options) : OnnxModel.Load(new MemoryStream(m.Bytes!), options);
        }
        catch (OnnxImportException e)
        {
            return m.Expect == Expectation.Load ? (Outcome.WrongVerdict, Describe("load (must load)", e)) : (Outcome.RejectedAtLoad, Describe("load", e));
        }
        catch (Exception e)
        {
            // The arguments are valid, so the documented ArgumentException/IOException cases cannot apply: content
            // errors must be OnnxImportException.
            return (Outcome.Undocumented, Describe("load", e));
        }
        if (m.Expect == Expectation.Reject)
        {
            model.Dispose();
            return (Outcome.WrongVerdict, "loaded, but the mutant must be refused");
        }
        using (model)
        {
            try
            {
                using var ng = GradMode.NoGrad();
                if (!m.IsResNet)
                {
                    using var s0 = TensorScope.Begin();
                    _ = model.Layers;
                    // Every node's output on the default inputs must respect the element limit (issue 9: it was
                    // enforced for a few ops only). Layers can't tell: it falls back to declared shapes.
                    var g = model.Graph;
                    var all = g.Nodes.SelectMany(n => n.Outputs.Where(o => o.Length > 0)).ToArray();
                    foreach (var (name, v) in g.Execute(g.DefaultFeeds(), all))
                        if (v.Dims.Aggregate(1L, (a, d) => a * d) is var n && n > MaxTensorElements)
                            return (Outcome.OverLimit, $"layers: {g.Producer(name)?.OpType} over the element limit: '{name}' is [{string.Join(", ", v.Dims)}] = {n} elements, over {MaxTensorElements}");
                }
                using var scope = TensorScope.Begin();
                var feeds = Feeds(model, new Random(m.Id));
                if (feeds is null) return (Outcome.LoadedNotRun, "");
                foreach (var (name, t) in model.Run(feeds))
                    if (t.Shape.Numel > MaxTensorElements)
                        return (Outcome.OverLimit, $"run: output over the element limit: '{name}' has {t.Shape.Numel} elements, over {MaxTensorElements}");
                return (Outcome.Ran, "");
            }
            catch (Exception e) when (OnnxModelErrors.IsDocumentedForRun(e))
            {
                return (e is OnnxImportException ? Outcome.RejectedAtRun : Outcome.ArgumentAtRun, Describe("run", e));
            }
            catch (Exception e)
            {
                return (Outcome.Undocumented, Describe("run", e));
            }
        }
    }

    /// <summary>Inputs of the declared shapes (symbolic dims 1): small floats, or 0/1 for integer inputs.</summary>
    private static Dictionary<string, Tensor>? Feeds(OnnxModel model, Random r)
    {
        var feeds = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var input in model.Inputs)
        {
            var dims = input.Shape.Select(d => d < 0 ? 1 : d).ToArray();
            long n = 1;
            foreach (var d in dims) n = n > MaxInputElements ? n : n * d; // n <= 2^20 and d < 2^31: no overflow
            if (n > MaxInputElements) return null;
            var floating = model.Graph.Input(input.Name) is { } gi && ElemTypes.IsFloating(gi.Type);
            var data = new float[n];
            for (int i = 0; i < data.Length; i++) data[i] = floating ? (float)(r.NextDouble() * 4 - 2) : r.Next(2);
            feeds[input.Name] = Tensor.FromArray(model.Backend, data, dims);
        }
        return feeds;
    }

    private static string Describe(string stage, Exception e)
    {
        var frame = new StackTrace(e, false).GetFrames().FirstOrDefault(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("FeatureViz", StringComparison.Ordinal) == true)?.GetMethod();
        var where = frame is null ? "" : $" at {frame.DeclaringType?.Name}.{frame.Name}";
        var msg = e.Message.Length > 240 ? e.Message[..240] + "..." : e.Message;
        return $"{stage}: {e.GetType().Name}{where}: {msg}".Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ');
    }
}
