using FeatureViz.Tensors.Autograd;
using FeatureViz.TestSupport;
using static FeatureViz.TestSupport.GradCheck;

namespace FeatureViz.Tensors.Tests.Autograd;

/// <summary>
/// The asynchrony rules of the backend contract, checked with <see cref="QueuedBackend"/> (which really defers
/// elementwise kernels until something waits): kernels may be queued; reading (Download, ToArray, Item) waits;
/// disposing storage whose work is queued is safe and frees it in stream order; Synchronize drains the queue.
/// </summary>
public abstract class AsyncRulesTests<TBackend> : BackendSuite<TBackend> where TBackend : IBackendFactory
{
    [Fact]
    public void KernelsAreQueued_AndAReadWaitsForThem()
    {
        using var q = new QueuedBackend(Backend);
        var data = Rand.Uniform(1, 12);
        var x = Tensor.FromArray(q, data, 3, 4);
        var y = x.Exp().Add(1f).Mul(x);
        Assert.Equal(3, q.Queued);
        var expected = data.Select(v => (Math.Exp(v) + 1) * v).ToArray();
        Approx.Equal(expected, y.ToArray(), 1e-6, 1e-7, "exp(x)+1 times x");
        Assert.Equal(0, q.Queued);
    }

    [Fact]
    public void ItemWaits()
    {
        using var q = new QueuedBackend(Backend);
        var a = Tensor.Scalar(q, 3f);
        var b = a.Mul(a).Add(-1f);
        Assert.True(q.Queued > 0);
        Assert.Equal(8f, b.Item());
    }

    [Fact]
    public void DisposingStorageWithQueuedWork_IsSafe_AndFreesItAfterTheQueue()
    {
        using var q = new QueuedBackend(Backend);
        var data = Rand.Uniform(2, 10);
        var x = Tensor.FromArray(q, data, 10);
        Tensor kept;
        using (var scope = TensorScope.Begin())
        {
            var t1 = x.Mul(2f);
            var t2 = t1.Add(1f);
            kept = scope.Keep(t2.Sin());
        }
        // The scope disposed t1 and t2 while the kernels reading them were still queued.
        Assert.True(q.Queued >= 3);
        Assert.True(q.DeferredReleases >= 2, $"{q.DeferredReleases} deferred releases");
        Approx.Equal(data.Select(v => Math.Sin(2.0 * v + 1)).ToArray(), kept.ToArray(), 1e-6, 1e-7, "sin(2x+1)");
    }

    [Fact]
    public void SynchronizeDrainsTheQueue()
    {
        using var q = new QueuedBackend(Backend);
        var x = Tensor.FromArray(q, Rand.Uniform(3, 5), 5).Relu().Neg();
        Assert.Equal(2, q.Queued);
        q.Synchronize();
        Assert.Equal(0, q.Queued);
        Assert.Equal(Tensor.FromArray(Backend, Rand.Uniform(3, 5), 5).Relu().Neg().ToArray(), x.ToArray());
    }

    [Fact]
    public void GradientsThroughQueuedAndEagerKernels_AreThoseOfTheInnerBackend()
    {
        var xd = Rand.Uniform(4, 2 * 3 * 6 * 6);
        var wd = Rand.Uniform(5, 4 * 3 * 3 * 3);
        float[][] Run(FeatureViz.Tensors.Backends.IBackend b)
        {
            using var scope = TensorScope.Begin();
            var x = Tensor.FromArray(b, xd, 2, 3, 6, 6).RequireGrad();
            var w = Tensor.FromArray(b, wd, 4, 3, 3, 3).RequireGrad();
            var y = x.Sigmoid().Conv2d(w, null, new Conv2dOptions(PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1)).Tanh().Mul(x.Sum([1], keepDims: true));
            var loss = y.Mul(y).Sum();
            var g = Grad.Of(loss, [x, w]);
            return [g[0].ToArray(), g[1].ToArray(), [loss.Item()]];
        }
        using var q = new QueuedBackend(Backend);
        var direct = Run(Backend);
        var queued = Run(q);
        Assert.True(q.MaxQueued >= 3, $"max queue {q.MaxQueued}");
        for (int i = 0; i < direct.Length; i++) Assert.Equal(direct[i], queued[i]);
    }
}
