using System.Runtime.ExceptionServices;

namespace FeatureViz.Kernels.Cpu;

/// <summary>
/// An allocation-free replacement for <see cref="System.Threading.Tasks.Parallel.For(int, int, ParallelOptions, Action{int})"/>
/// on the kernels' hot path: <c>Parallel.For</c> allocates its task, replicas and queues on every call (about a third
/// of the bytes a ResNet18 optimization step allocated), and the CPU backend makes hundreds of such calls per step.
/// </summary>
/// <remarks>
/// The caller runs items itself while up to <c>workers - 1</c> pooled jobs on the thread pool take the others, so
/// progress never depends on a pool thread being free (nested calls are safe). A job goes back to the pool when the
/// caller and every queued helper have let go of it. The first exception of a body is rethrown as is.
/// </remarks>
internal static class ForkJoin
{
    private static readonly Stack<Job> Pool = new();

    /// <summary>Runs <paramref name="body"/>(i) for every i in [0, <paramref name="count"/>) on up to <paramref name="workers"/> threads.</summary>
    public static void For(int count, int workers, Action<int> body)
    {
        if (count <= 0) return;
        int helpers = Math.Min(workers, count) - 1;
        if (helpers <= 0)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Job? job;
        lock (Pool) Pool.TryPop(out job);
        job ??= new Job();
        job.Start(body, count, helpers + 1);
        for (int h = 0; h < helpers; h++) ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
        job.Work();
        job.Done.Wait();
        var error = job.Error;
        job.Release();
        error?.Throw();
    }

    private sealed class Job : IThreadPoolWorkItem
    {
        private Action<int>? _body;
        private int _count, _next, _remaining, _holders;
        public readonly ManualResetEventSlim Done = new(false, spinCount: 64);
        public ExceptionDispatchInfo? Error;

        public void Start(Action<int> body, int count, int holders)
        {
            _body = body;
            _count = count;
            _next = 0;
            Error = null;
            Done.Reset();
            Volatile.Write(ref _remaining, count);
            Volatile.Write(ref _holders, holders);
        }

        public void Execute()
        {
            Work();
            Release();
        }

        /// <summary>Takes items until none are left.</summary>
        public void Work()
        {
            var body = _body!;
            int i;
            while ((i = Interlocked.Increment(ref _next) - 1) < _count)
            {
                try
                {
                    body(i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref Error, ExceptionDispatchInfo.Capture(e), null);
                }
                if (Interlocked.Decrement(ref _remaining) == 0) Done.Set();
            }
        }

        /// <summary>The last holder (the caller or a helper) to let go returns the job to the pool.</summary>
        public void Release()
        {
            if (Interlocked.Decrement(ref _holders) != 0) return;
            _body = null;
            lock (Pool) Pool.Push(this);
        }
    }
}
