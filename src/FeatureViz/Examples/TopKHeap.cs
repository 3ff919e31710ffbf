namespace FeatureViz.Examples;

/// <summary>
/// The k best examples seen so far (a bounded min-heap whose root is the worst kept one), in
/// <see cref="DatasetExample.BestFirst"/> order: memory is O(k) whatever the number of images offered.
/// </summary>
internal sealed class TopKHeap
{
    private readonly int _k;
    private readonly PriorityQueue<DatasetExample, DatasetExample> _heap;

    public TopKHeap(int k, IEnumerable<DatasetExample>? initial = null)
    {
        _k = k;
        // The queue dequeues its smallest priority first: order by "worse is smaller".
        _heap = new PriorityQueue<DatasetExample, DatasetExample>(k + 1, Comparer<DatasetExample>.Create((a, b) => DatasetExample.BestFirst.Compare(b, a)));
        foreach (var e in initial ?? []) Offer(e);
    }

    public int Count => _heap.Count;

    /// <summary>Keeps <paramref name="example"/> when it is among the k best so far. NaN scores are never kept.</summary>
    public void Offer(DatasetExample example)
    {
        if (float.IsNaN(example.Score)) return;
        if (_heap.Count < _k)
        {
            _heap.Enqueue(example, example);
            return;
        }
        var worst = _heap.Peek();
        if (DatasetExample.BestFirst.Compare(example, worst) < 0) _heap.EnqueueDequeue(example, example);
    }

    /// <summary>The kept examples, best first.</summary>
    public List<DatasetExample> Sorted()
    {
        var list = _heap.UnorderedItems.Select(i => i.Element).ToList();
        list.Sort(DatasetExample.BestFirst);
        return list;
    }
}
