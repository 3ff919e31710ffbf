using System.Globalization;
using System.Net;
using System.Text;

namespace FeatureViz.Cli.Output;

/// <summary>index.html: the images with their names, loss curves (inline SVG) and every parameter. No external assets.</summary>
internal static class HtmlReport
{
    public const string FileName = "index.html";

    public static string Build(Manifest m)
    {
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html>");
        sb.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.Append("<title>").Append(E(m.Title)).AppendLine("</title>");
        sb.AppendLine("""
            <style>
            body{font-family:system-ui,sans-serif;margin:24px;background:#fafafa;color:#222}
            h1{font-size:20px} table{border-collapse:collapse;font-size:13px} td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}
            .grid{display:flex;flex-wrap:wrap;gap:16px;margin-top:16px}
            .card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px;width:240px}
            .card img{width:224px;height:auto;image-rendering:auto;display:block;margin:auto}
            .name{font-family:monospace;font-size:12px;word-break:break-all;margin:6px 0}
            .loss{font-size:12px;color:#555} .incomplete{color:#b00}
            </style></head><body>
            """);
        sb.Append("<h1>").Append(E(m.Title)).AppendLine("</h1>");
        sb.Append("<p>Model: <code>").Append(E(m.Model)).Append("</code> &middot; ").Append(m.Items.Count)
          .Append(" image(s) &middot; updated ").Append(E(m.Updated.ToString("u", CultureInfo.InvariantCulture))).AppendLine("</p>");
        sb.AppendLine("<p class=\"loss\">Each image's curve is its own objective value at every step (higher is better; long runs: the mean over each stretch of steps). Images from runs that did not record it show the loss minimised by their batch (the negated objectives plus the regularizers) instead.</p>");
        if (!m.Complete) sb.AppendLine("<p class=\"incomplete\">This run is incomplete (interrupted or still running); the images shown are finished.</p>");
        sb.AppendLine("<details><summary>Parameters</summary><table id=\"parameters\">");
        foreach (var (k, v) in m.Parameters) sb.Append("<tr><th>").Append(E(k)).Append("</th><td>").Append(E(v)).AppendLine("</td></tr>");
        foreach (var o in m.Objectives) sb.Append("<tr><th>objective</th><td><code>").Append(E(o)).AppendLine("</code></td></tr>");
        sb.AppendLine("</table></details>");
        sb.AppendLine("<div class=\"grid\">");
        foreach (var item in m.Items)
        {
            sb.AppendLine("<div class=\"card\">");
            sb.Append("<img src=\"").Append(E(Uri.EscapeDataString(item.File))).Append("\" alt=\"").Append(E(item.Name))
              .Append("\" width=\"").Append(item.Width).Append("\" height=\"").Append(item.Height).AppendLine("\">");
            sb.Append("<div class=\"name\">").Append(E(item.Name)).AppendLine("</div>");
            if (item.ObjectiveValues is { } objective)
            {
                sb.AppendLine(Curve(objective, item.CurveSteps, "objective curve", "#2a9d3c"));
                sb.Append("<div class=\"loss\">final objective ").Append((item.FinalObjective ?? double.NaN).ToString("G5", CultureInfo.InvariantCulture))
                  .Append(" &middot; batch loss ");
            }
            else
            {
                sb.AppendLine(Curve(item.Losses, item.CurveSteps, "loss curve", "#1f77b4"));
                sb.Append("<div class=\"loss\">final loss ");
            }
            sb.Append(item.FinalLoss.ToString("G5", CultureInfo.InvariantCulture));
            // A merged atlas records no timings (its bytes depend on the images only): no "0.0 s" there.
            if (item.Seconds > 0) sb.Append(" &middot; ").Append(item.Seconds.ToString("F1", CultureInfo.InvariantCulture)).Append(" s");
            if (item.Animation is not null)
                sb.Append(" &middot; <a href=\"").Append(E(Uri.EscapeDataString(item.Animation))).Append("\">animation</a>");
            sb.AppendLine("</div></div>");
        }
        sb.AppendLine("</div></body></html>");
        return sb.ToString();
    }

    /// <summary>An inline SVG polyline of the loss per step (the optimizer minimises it), with min/max labels.</summary>
    public static string LossCurve(IReadOnlyList<double> losses) => Curve(losses, null, "loss curve", "#1f77b4");

    /// <summary>
    /// An inline SVG polyline of a curve with min/max labels; <paramref name="steps"/> (the step of each point, for
    /// downsampled curves) places the points along x, else they are evenly spaced.
    /// </summary>
    public static string Curve(IReadOnlyList<double> values, IReadOnlyList<int>? steps, string label, string colour)
    {
        const int w = 224, h = 60;
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return "<svg class=\"curve\" width=\"224\" height=\"60\"></svg>";
        double lo = finite.Min(), hi = finite.Max();
        double span = hi > lo ? hi - lo : 1;
        if (steps is not null && steps.Count != values.Count) steps = null;
        double first = steps is null ? 0 : steps[0], last = steps is null ? values.Count - 1 : steps[^1];
        var points = new StringBuilder();
        for (int i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i])) continue;
            double at = steps is null ? i : steps[i];
            double x = last <= first ? w / 2.0 : (at - first) * (w - 1.0) / (last - first);
            double y = 4 + (hi - values[i]) / span * (h - 8);
            points.Append(x.ToString("F1", CultureInfo.InvariantCulture)).Append(',').Append(y.ToString("F1", CultureInfo.InvariantCulture)).Append(' ');
        }
        return $"<svg class=\"curve\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{E(label)}\">"
               + $"<rect width=\"{w}\" height=\"{h}\" fill=\"#f4f4f4\"/>"
               + $"<polyline fill=\"none\" stroke=\"{E(colour)}\" stroke-width=\"1.5\" points=\"{points.ToString().TrimEnd()}\"/>"
               + $"<text x=\"2\" y=\"10\" font-size=\"9\" fill=\"#666\">{E(hi.ToString("G4", CultureInfo.InvariantCulture))}</text>"
               + $"<text x=\"2\" y=\"{h - 2}\" font-size=\"9\" fill=\"#666\">{E(lo.ToString("G4", CultureInfo.InvariantCulture))}</text></svg>";
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
