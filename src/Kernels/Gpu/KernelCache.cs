using System.Collections.Concurrent;
using ILGPU.Runtime;

namespace FeatureViz.Kernels.Gpu;

/// <summary>
/// The loaded kernels of one accelerator: each (kernel, specialisation) pair is compiled and loaded once per process
/// and its launcher reused (ILGPU's own cache holds weak references only and would recompile after a collection).
/// </summary>
public sealed class KernelCache
{
    private readonly ConcurrentDictionary<(string Kernel, Type? Specialization), Delegate> launchers = new();
    private readonly Accelerator accelerator;
    private long requests;

    internal KernelCache(Accelerator accelerator) => this.accelerator = accelerator;

    /// <summary>Number of kernels loaded so far.</summary>
    public int Count => launchers.Count;

    /// <summary>
    /// Launcher requests so far. Every launch site requests its launcher once per op, so this counts kernel launches,
    /// except that multi-pass ops (FFT passes, two-stage reductions) launch a requested kernel more than once.
    /// </summary>
    public long Requests => Interlocked.Read(ref requests);

    /// <summary>The launcher of <paramref name="kernel"/> specialised for <paramref name="specialization"/>, loading it on first use.</summary>
    /// <exception cref="InvalidOperationException">The kernel failed to compile or load; the message names it.</exception>
    public TLauncher Get<TLauncher>(string kernel, Type? specialization, Func<Accelerator, TLauncher> load)
        where TLauncher : Delegate
    {
        Interlocked.Increment(ref requests);
        return (TLauncher)launchers.GetOrAdd((kernel, specialization), key =>
        {
            try
            {
                return load(accelerator);
            }
            catch (Exception e) when (e is not InvalidOperationException)
            {
                throw new InvalidOperationException(
                    $"GPU kernel {key.Kernel}{(key.Specialization is null ? "" : $"<{key.Specialization.Name}>")} failed to load on {accelerator.Name}: {e.Message}", e);
            }
        });
    }
}
