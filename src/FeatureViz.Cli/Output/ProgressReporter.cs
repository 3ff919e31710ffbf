using System.Diagnostics;
using System.Globalization;
using FeatureViz.Cli.Render;
using Spectre.Console;

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
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: 1);
                result = body(new Live(console, task));
                task.Value = task.MaxValue;
            });
        return result;
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

    private sealed class Plain(TextWriter log) : IRunProgress
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private double _lastPrint = double.NegativeInfinity;
        private int _done;
        private string _label = "";
        private int _every = 1;
        private int _total;

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
            if (!periodic && _clock.Elapsed.TotalSeconds - _lastPrint < 15) return;
            _lastPrint = _clock.Elapsed.TotalSeconds;
            var eta = TimeSpan.FromSeconds(_clock.Elapsed.TotalSeconds / _done * Math.Max(0, _total - _done));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{_label} step {r.Step}/{r.TotalSteps} loss {r.Loss:G5} elapsed {_clock.Elapsed:hh\\:mm\\:ss} eta {eta:hh\\:mm\\:ss}"));
            log.Flush();
        }

        public void Message(string text)
        {
            log.WriteLine(text);
            log.Flush();
        }
    }
}
