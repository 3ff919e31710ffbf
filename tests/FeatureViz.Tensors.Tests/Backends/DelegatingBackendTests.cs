using System.Reflection;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;
using Xunit.Sdk;

namespace FeatureViz.Tensors.Tests.Backends;

/// <summary>The delegating backend is a faithful stand-in for an added backend, and the suite really runs on it.</summary>
public class DelegatingBackendTests
{
    [Fact]
    public void ImplementsEveryIBackendMemberItself()
    {
        // A member left to a default interface body would run that composition instead of the inner backend's own.
        var map = typeof(DelegatingBackend).GetInterfaceMap(typeof(IBackend));
        var notForwarded = map.InterfaceMethods.Where((m, i) => map.TargetMethods[i].DeclaringType != typeof(DelegatingBackend))
            .Select(m => m.Name).ToList();
        Assert.True(notForwarded.Count == 0, "IBackend members DelegatingBackend does not forward: " + string.Join(", ", notForwarded));
        var notVirtual = map.TargetMethods.Where(m => !m.IsVirtual || m.IsFinal).Select(m => m.Name).ToList();
        Assert.True(notVirtual.Count == 0, "DelegatingBackend members that tests cannot override: " + string.Join(", ", notVirtual));
    }

    [Fact]
    public void TensorsMadeOnTheWrapperStayOnItAndMatchTheInnerBackendExactly()
    {
        using var wrapper = new CountingBackend(CpuBackend.Default);
        var (xv, _) = Rand.Of(1, 1, 2, 5, 5);
        var (wv, _) = Rand.Of(2, 3, 2, 3, 3);
        float[] Run(IBackend b, out float[] grad, out IBackend resultBackend)
        {
            using var scope = TensorScope.Begin();
            var x = Tensor.FromArray(b, xv, 1, 2, 5, 5).RequireGrad();
            var y = x.Conv2d(Tensor.FromArray(b, wv, 3, 2, 3, 3), null, new Conv2dOptions(PadTop: 1, PadLeft: 1, PadBottom: 1, PadRight: 1)).Relu();
            grad = Grad.Of(y.Sum(), [x])[0].ToArray();
            resultBackend = y.Backend;
            return y.ToArray();
        }
        var expected = Run(CpuBackend.Default, out var expectedGrad, out _);
        var actual = Run(wrapper, out var actualGrad, out var onBackend);
        Assert.Same(wrapper, onBackend);
        Assert.Equal(expected, actual);
        Assert.Equal(expectedGrad, actualGrad);
        foreach (var m in new[] { nameof(IBackend.Upload), nameof(IBackend.Conv2d), nameof(IBackend.Unary), nameof(IBackend.Reduce),
                     nameof(IBackend.Conv2dBackwardInput), nameof(IBackend.Download) })
            Assert.True(wrapper.Calls(m) >= 1, $"{m} did not reach the wrapper: " + string.Join(", ", wrapper.Snapshot().Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.Equal(0, wrapper.Calls(nameof(IBackend.Conv2dBackwardWeight)));

        // A tensor of the inner backend cannot be mixed in: nothing reaches the inner backend around the wrapper.
        using var onWrapper = Tensor.FromArray(wrapper, [1f, 2f], 2);
        using var onInner = Tensor.FromArray(CpuBackend.Default, [1f, 2f], 2);
        var e = Assert.Throws<ArgumentException>(() => onWrapper.Add(onInner));
        Assert.Contains("different backends", e.Message);
    }

    public static TheoryData<Type> DelegatingSuiteClasses()
    {
        var d = new TheoryData<Type>();
        foreach (var t in typeof(DelegatingBackendTests).Assembly.GetTypes()
                     .Where(t => !t.IsAbstract && BackendSuiteCoverage.FactoryOf(t) == typeof(DelegatingCpuBackendFactory))
                     .OrderBy(t => t.Name, StringComparer.Ordinal))
            d.Add(t);
        return d;
    }

    // Calls that move memory; any other call is a kernel.
    private static readonly HashSet<string> MemoryMethods =
    [
        nameof(IBackend.Allocate), nameof(IBackend.Upload), nameof(IBackend.Download), nameof(IBackend.Fill),
        nameof(IBackend.Copy), nameof(IBackend.Synchronize),
    ];

    [Theory]
    [MemberData(nameof(DelegatingSuiteClasses))]
    public void TheSuiteOnTheDelegatingBackendRunsItsKernelsThroughTheWrapper(Type suiteClass)
    {
        // Runs the suite class's tests in order (first data row of a theory) on this thread until one runs a kernel
        // through the wrapper, counting only this thread's calls: other tests may use the same wrapper in parallel.
        // A wrapper that let storage escape to the inner backend would see the uploads but no kernel.
        var wrapper = DelegatingCpuBackendFactory.Wrapper;
        var tests = suiteClass.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<FactAttribute>() is { Skip: null })
            .OrderBy(m => m.MetadataToken)
            .ToList();
        Assert.NotEmpty(tests);
        foreach (var method in tests)
        {
            Assert.Equal(typeof(void), method.ReturnType); // synchronous tests only: an awaited test could hop threads
            var args = method.GetParameters().Length == 0
                ? []
                : method.GetCustomAttributes<DataAttribute>().SelectMany(a => a.GetData(method)).First();
            var before = wrapper.SnapshotOfCurrentThread();
            var instance = Activator.CreateInstance(suiteClass)!;
            try
            {
                method.Invoke(instance, args);
            }
            finally
            {
                (instance as IDisposable)?.Dispose();
            }
            var kernels = wrapper.SnapshotOfCurrentThread()
                .Where(kv => !MemoryMethods.Contains(kv.Key) && kv.Value > before.GetValueOrDefault(kv.Key))
                .Select(kv => kv.Key).ToList();
            if (kernels.Count > 0) return;
        }
        Assert.Fail($"No test of {suiteClass.Name} ran a kernel through the delegating backend.");
    }
}
