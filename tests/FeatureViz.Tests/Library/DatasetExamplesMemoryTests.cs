using System.Diagnostics;
using FeatureViz.Examples;
using FeatureViz.Objectives;
using FeatureViz.Tests.Cli;
using FeatureViz.TestSupport;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Library;

/// <summary>
/// Issue 12's verification that dataset examples stream: over a folder of 10,000 images the GC heap and the working
/// set grow by under 5% between image 1,000 and image 10,000 (what is kept per image: nothing). The control keeps
/// 10% of the heap's size spread over the images (alone: about 70 bytes an image, less than a path string) and must
/// be caught. Runs alone (process-wide figures; see <see cref="MemoryGrowthTests"/>).
/// </summary>
[Collection(nameof(MemoryGrowthCollection))]
public class DatasetExamplesMemoryTests(ITestOutputHelper output)
{
    private const int Images = 10_000;
    private const int Baseline = 1_000;
    private const double MaxGrowth = 0.05;

    [Fact]
    public void MemoryStaysFlatOverTenThousandImages()
    {
        string dir = CliHarness.TempDir();
        try
        {
            var random = new Random(10);
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < Images; i++)
                ExampleImageFiles.Gray(Path.Combine(dir, $"img_{i:D5}.png"), DatasetExamplesTests.RandomBytes(random, 64), 8, 8);
            output.WriteLine($"wrote {Images} images in {clock.Elapsed.TotalSeconds:F1} s");
            var model = DatasetExamplesTests.TinyModel(8);
            var objective = Objective.Channel(model, "act", [0, 1]) + Objective.Neuron(model, "act", [3, 70]);

            var (ws, heap) = Measure(objective, dir, leak: 0);
            Assert.True(heap < MaxGrowth, $"GC heap grew by {heap:P2} from image {Baseline} to {Images}");
            Assert.True(ws < MaxGrowth, $"working set grew by {ws:P2} from image {Baseline} to {Images}");

            // Twice the threshold: the images' leaks start after the baseline sample, so a leak of exactly 5% ends a little under it.
            var (_, leakedHeap) = Measure(objective, dir, leak: 2 * MaxGrowth);
            Assert.True(leakedHeap >= MaxGrowth, $"the control leak was not detected: GC heap grew by {leakedHeap:P2}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private (double WorkingSet, double GcHeap) Measure(Objective objective, string dir, double leak)
    {
        (long WorkingSet, long Heap)? atBaseline = null, atEnd = null;
        var kept = new List<byte[]>();
        int leakPerImage = 0, lastScored = 0;
        var clock = Stopwatch.StartNew();
        var result = DatasetExamples.Find(objective, dir, new DatasetExampleOptions
        {
            TopK = 9,
            BatchSize = 16,
            Progress = new SyncProgress<DatasetExamplesProgress>(p =>
            {
                if (p.Skipped is not null) return;
                if (leakPerImage > 0)
                    for (int i = lastScored; i < p.ImagesScored; i++) kept.Add(new byte[leakPerImage]);
                lastScored = p.ImagesScored;
                if (atBaseline is null && p.ImagesScored >= Baseline)
                {
                    atBaseline = Sample();
                    leakPerImage = (int)(leak * atBaseline.Value.Heap / (Images - Baseline));
                }
                if (p.ImagesScored == Images) atEnd = Sample();
            }),
        });
        Assert.Equal(Images, result.ImagesScored);
        var (a, b) = (atBaseline!.Value, atEnd!.Value);
        double ws = (double)(b.WorkingSet - a.WorkingSet) / a.WorkingSet, heap = (double)(b.Heap - a.Heap) / a.Heap;
        output.WriteLine($"leak {leak:P0}: {Images} images in {clock.Elapsed.TotalSeconds:F1} s; working set {a.WorkingSet / 1048576.0:F1} -> {b.WorkingSet / 1048576.0:F1} MiB ({ws:+0.00%;-0.00%}), " +
                         $"GC heap {a.Heap / 1048576.0:F2} -> {b.Heap / 1048576.0:F2} MiB ({heap:+0.00%;-0.00%}); kept {kept.Count} control arrays");
        GC.KeepAlive(kept);
        return (ws, heap);
    }

    private static (long WorkingSet, long Heap) Sample()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var self = Process.GetCurrentProcess();
        return (self.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false));
    }
}
