using System.Diagnostics;
using System.Globalization;
using FeatureViz.Cli.Render;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace FeatureViz.Cli.Output;

/// <summary>Progress of a run made of batches of optimization steps.</summary>
internal interface IRunProgress
{
    void BeginBatch(int index, int count, string label, int steps);

    void Step(StepReport report);

    void Message(string text);
}

/// <summary>Live Spectre.Console bar (step, loss, ETA) on a terminal; plain periodic lines otherwise (CI logs).</summary>
internal static class ProgressReporter
{
    public static T Run<T>(CliContext context, TextWriter log, Func<IRunProgress, T> body)
    {
        if (!context.Interactive) return body(new Plain(log));
        T result = default!;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(log) });
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new EtaColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: 1);
                result = body(new Live(console, task));
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>
    /// A duration as hh:mm:ss, with whole days in front when there are any ("2d 03:04:05"); TimeSpan's hh is the
    /// hours within the day, so the plain format silently drops days.
    /// </summary>
    internal static string FormatDuration(TimeSpan t)
    {
        if (t < TimeSpan.Zero) t = TimeSpan.Zero;
        string hms = t.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
        return t.Days > 0 ? $"{t.Days.ToString(CultureInfo.InvariantCulture)}d {hms}" : hms;
    }

    /// <summary>The time left at the average speed so far: <paramref name="elapsed"/> per <paramref name="done"/> steps, for <paramref name="total"/> in all.</summary>
    internal static TimeSpan Eta(TimeSpan elapsed, int done, int total)
    {
        double seconds = elapsed.TotalSeconds / Math.Max(1, done) * Math.Max(0, total - done);
        return TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2));
    }

    /// <summary>The remaining time with days (Spectre's RemainingTimeColumn shows hh:mm:ss and drops whole days).</summary>
    private sealed class EtaColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.RemainingTime is { } t ? FormatDuration(t) : "--:--:--", Style.Plain);
    }

    private sealed class Live(IAnsiConsole console, ProgressTask task) : IRunProgress
    {
        private string _label = "";
        private int _done;

        public void BeginBatch(int index, int count, string label, int steps)
        {
            // The batch's objectives go on their own line above the bar; the bar's description stays short enough for 80 columns.
            _label = $"batch {index + 1}/{count}";
            if (index == 0) task.MaxValue = Math.Max(1, count * steps);
            console.MarkupLine(Markup.Escape($"{_label}: {label}"));
            task.Description = Markup.Escape(_label);
        }

        public void Step(StepReport r)
        {
            _done++;
            task.Value = Math.Min(task.MaxValue, _done);
            task.Description = Markup.Escape($"{_label} step {r.Step}/{r.TotalSteps} loss {r.Loss.ToString("G4", CultureInfo.InvariantCulture)}");
        }

        public void Message(string text) => console.MarkupLine(Markup.Escape(text));
    }

    /// <summary>Periodic plain lines; <paramref name="elapsed"/> replaces the wall clock in tests.</summary>
    internal sealed class Plain(TextWriter log, Func<TimeSpan>? elapsed = null) : IRunProgress
    {
        private readonly Func<TimeSpan> _elapsed = elapsed ?? StartClock();
        private double _lastPrint = double.NegativeInfinity;
        private int _done;
        private string _label = "";
        private int _every = 1;
        private int _total;

        private static Func<TimeSpan> StartClock()
        {
            var clock = Stopwatch.StartNew();
            return () => clock.Elapsed;
        }

        public void BeginBatch(int index, int count, string label, int steps)
        {
            _label = $"[batch {index + 1}/{count}] {label}";
            _every = Math.Max(1, steps / 8);
            if (index == 0) _total = count * steps;
            log.WriteLine($"{_label}: {steps} steps");
            log.Flush();
        }

        public void Step(StepReport r)
        {
            _done++;
            bool periodic = r.Step % _every == 0 || r.Step == r.TotalSteps;
            var now = _elapsed();
            if (!periodic && now.TotalSeconds - _lastPrint < 15) return;
            _lastPrint = now.TotalSeconds;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{_label} step {r.Step}/{r.TotalSteps} loss {r.Loss:G5} elapsed {FormatDuration(now)} eta {FormatDuration(Eta(now, _done, _total))}"));
            log.Flush();
        }

        public void Message(string text)
        {
            log.WriteLine(text);
            log.Flush();
        }
    }
}
