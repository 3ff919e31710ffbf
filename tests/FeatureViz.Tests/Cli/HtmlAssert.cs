using System.Text.RegularExpressions;

namespace FeatureViz.Tests.Cli;

/// <summary>Structural checks of generated HTML: doctype, balanced non-void elements, attribute quoting.</summary>
internal static partial class HtmlAssert
{
    private static readonly HashSet<string> Void = ["meta", "img", "br", "hr", "link", "input", "rect", "polyline", "path", "circle", "line"];

    public static void WellFormed(string html)
    {
        Assert.StartsWith("<!DOCTYPE html>", html);
        var stack = new Stack<string>();
        string body = StyleBlock().Replace(html, "<style></style>");
        foreach (Match m in Tag().Matches(body))
        {
            string name = m.Groups[2].Value.ToLowerInvariant();
            bool closing = m.Groups[1].Value == "/";
            bool selfClosing = m.Value.EndsWith("/>");
            if (name == "!doctype" || selfClosing || (!closing && Void.Contains(name))) continue;
            if (!closing) stack.Push(name);
            else
            {
                Assert.True(stack.Count > 0, $"unexpected </{name}>");
                Assert.Equal(stack.Pop(), name);
            }
        }
        Assert.Empty(stack);
        foreach (var tag in new[] { "html", "head", "title", "body" }) Assert.Contains($"<{tag}", html);
    }

    [GeneratedRegex(@"<style>.*?</style>", RegexOptions.Singleline)]
    private static partial Regex StyleBlock();

    [GeneratedRegex(@"<(/?)(!?[A-Za-z][A-Za-z0-9]*)[^>]*>")]
    private static partial Regex Tag();
}
