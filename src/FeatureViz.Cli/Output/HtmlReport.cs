using System.Globalization;
using System.Net;
using System.Text;

namespace FeatureViz.Cli.Output;

/// <summary>index.html: the images with their names, loss curves (inline SVG) and every parameter. No external assets.</summary>
internal static class HtmlReport
{
    public const string FileName = "index.html";

    /// <summary>The manifest parameter naming the seed image file of an accentuation run (shown beside each result).</summary>
    public const string SeedFileParameter = "seedFile";

    public static string Build(Manifest m, ExamplesManifest? examples = null)
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
            .card.seeded{width:520px} .trio{display:flex;gap:4px} .trio figure{margin:0;font-size:11px;color:#555;text-align:center}
            .trio img{width:168px;height:auto} .diff{position:relative} .diff img+img{position:absolute;left:0;top:0;mix-blend-mode:difference}
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
        string? seed = m.Parameters.GetValueOrDefault(SeedFileParameter) is { } f && OutputFolder.IsPlainFileName(f) ? f : null;
        foreach (var item in m.Items)
        {
            sb.AppendLine(seed is null ? "<div class=\"card\">" : "<div class=\"card seeded\">");
            if (seed is null) AppendImage(sb, item.File, item.Name, item.Width, item.Height);
            else Trio(sb, seed, item);
            if (item.Transparency is not null && item.TransparencyMap is not null)
            {
                // MaCo: the image with its transparency map as alpha, and the map alone.
                sb.Append("<div class=\"maco\"><img class=\"alpha\" src=\"").Append(E(Uri.EscapeDataString(item.Transparency))).Append("\" alt=\"").Append(E(item.Name)).Append(" with transparency\" width=\"")
                  .Append(item.Width / 2).Append("\" height=\"").Append(item.Height / 2).Append("\"> <img class=\"map\" src=\"").Append(E(Uri.EscapeDataString(item.TransparencyMap)))
                  .Append("\" alt=\"").Append(E(item.Name)).Append(" transparency map\" width=\"").Append(item.Width / 2).Append("\" height=\"").Append(item.Height / 2).AppendLine("\"></div>");
            }
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
        sb.AppendLine("</div>");
        if (examples is not null) AppendExamples(sb, m, examples);
        sb.AppendLine("</body></html>");
        return sb.ToString();
    }

    /// <summary>An accentuation card's pictures: the seed, the result, and their per-channel difference (CSS blend).</summary>
    private static void Trio(StringBuilder sb, string seed, ManifestItem item)
    {
        sb.Append("<div class=\"trio\"><figure>");
        AppendImage(sb, seed, "seed", item.Width, item.Height);
        sb.Append("<figcaption>seed</figcaption></figure><figure>");
        AppendImage(sb, item.File, item.Name, item.Width, item.Height);
        sb.Append("<figcaption>accentuated</figcaption></figure><figure><div class=\"diff\">");
        AppendImage(sb, seed, "seed", item.Width, item.Height);
        AppendImage(sb, item.File, "difference", item.Width, item.Height);
        sb.AppendLine("</div><figcaption>|accentuated - seed|</figcaption></figure></div>");
    }

    private static void AppendImage(StringBuilder sb, string file, string alt, int width, int height) =>
        sb.Append("<img src=\"").Append(E(Uri.EscapeDataString(file))).Append("\" alt=\"").Append(E(alt))
          .Append("\" width=\"").Append(width).Append("\" height=\"").Append(height).AppendLine("\">");

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

    /// <summary>
    /// The dataset examples: for each objective, its visualization (the render item of the same name, when there is
    /// one) beside its top images with their scores, and the files that were skipped.
    /// </summary>
    private static void AppendExamples(StringBuilder sb, Manifest m, ExamplesManifest x)
    {
        var rendered = m.Items.GroupBy(i => i.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        sb.AppendLine("<h2 id=\"examples\">Dataset examples</h2>");
        sb.Append("<p class=\"loss\">The images of <code>").Append(E(x.Images)).Append("</code> that score highest on each objective (as the model sees them: resized and cropped to its input) &middot; ")
          .Append(x.ImagesScored).Append(" image(s) scored, ").Append(x.SkippedCount).AppendLine(" skipped.</p>");
        if (!x.Complete) sb.AppendLine("<p class=\"incomplete\">The search is incomplete (interrupted); these are the best of the images scored so far.</p>");
        foreach (var o in x.Objectives)
        {
            sb.AppendLine("<div class=\"examples\" style=\"display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start;margin:12px 0\">");
            sb.Append("<div class=\"card\"><div class=\"name\">").Append(E(o.Name)).AppendLine("</div>");
            if (rendered.TryGetValue(o.Name, out var item))
                sb.Append("<img class=\"visualization\" src=\"").Append(E(Uri.EscapeDataString(item.File))).Append("\" alt=\"visualization of ").Append(E(o.Name)).AppendLine("\">");
            else
                sb.AppendLine("<div class=\"loss\">(no visualization in this folder)</div>");
            if (o.ReceptiveField is { } f)
                sb.Append("<div class=\"loss\">receptive field ").Append(f.Width).Append(" x ").Append(f.Height).Append(" at (").Append(f.X).Append(", ").Append(f.Y).AppendLine(")</div>");
            sb.AppendLine("</div>");
            foreach (var image in o.Images)
            {
                sb.Append("<figure class=\"example\" style=\"margin:0;width:120px\">");
                string? shown = image.Crop ?? image.File;
                if (shown is not null)
                    sb.Append("<img src=\"").Append(E(Uri.EscapeDataString(shown))).Append("\" alt=\"").Append(E(Path.GetFileName(image.Source)))
                      .Append("\" style=\"width:112px;height:auto;image-rendering:pixelated\">");
                sb.Append("<figcaption class=\"name\">#").Append(image.Rank).Append(' ').Append(E(Path.GetFileName(image.Source)))
                  .Append("<br>").Append(image.Score.ToString("G5", CultureInfo.InvariantCulture)).AppendLine("</figcaption></figure>");
            }
            sb.AppendLine("</div>");
        }
        if (x.SkippedCount > 0)
        {
            sb.Append("<details><summary>").Append(x.SkippedCount).AppendLine(" skipped file(s)</summary><table id=\"skipped\">");
            foreach (var s in x.Skipped)
                sb.Append("<tr><td>").Append(E(s.Failure)).Append("</td><td><code>").Append(E(s.Path)).Append("</code></td><td>").Append(E(s.Message)).AppendLine("</td></tr>");
            sb.AppendLine("</table></details>");
        }
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
