using System.Reflection;

namespace FeatureViz.TestSupport;

/// <summary>Finds the suite classes of a test assembly and the backends that do not run them.</summary>
public static class BackendSuiteCoverage
{
    /// <summary>The suite classes: abstract generic classes of <paramref name="assembly"/> deriving from <see cref="BackendSuite{TBackend}"/>.</summary>
    public static IReadOnlyList<Type> SuiteClasses(Assembly assembly) => assembly.GetTypes()
        .Where(t => t.IsAbstract && t.IsGenericTypeDefinition && FactoryOf(t) is not null)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    /// <summary>
    /// The factory type argument of the <see cref="BackendSuite{TBackend}"/> that <paramref name="type"/> derives from
    /// (a generic parameter for a suite class itself), or null when it is not part of the suite.
    /// </summary>
    public static Type? FactoryOf(Type type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(BackendSuite<>)) return t.GetGenericArguments()[0];
        return null;
    }

    /// <summary>"Suite&lt;Factory&gt;" for every suite class of <paramref name="assembly"/> that has no concrete subclass for one of <paramref name="factories"/>.</summary>
    public static IReadOnlyList<string> MissingSubclasses(Assembly assembly, IEnumerable<Type> factories)
    {
        var concrete = assembly.GetTypes().Where(t => !t.IsAbstract && !t.ContainsGenericParameters).ToList();
        return (from suite in SuiteClasses(assembly)
                from factory in factories
                let closed = suite.MakeGenericType(factory)
                where !concrete.Any(closed.IsAssignableFrom)
                select $"{suite.Name.Split('`')[0]}<{factory.Name}>").ToList();
    }
}
