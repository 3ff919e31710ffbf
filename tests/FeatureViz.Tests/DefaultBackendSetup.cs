using System.Runtime.CompilerServices;
using FeatureViz.Backends;

namespace FeatureViz.Tests;

/// <summary>The tests choose the backend as the application does: models loaded without one run on the CPU backend.</summary>
internal static class DefaultBackendSetup
{
    [ModuleInitializer]
    internal static void Register() => FeatureVizBackends.RegisterDefault();
}
