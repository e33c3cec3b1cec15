using TinyKd.Distill.Data;

namespace TinyKd.Tests.Data;

/// <summary>
/// A fact about the full Fashion-MNIST set (Debian's dataset-fashion-mnist in <see cref="FashionMnist.DebianDirectory"/>):
/// reported as skipped, with the reason, where the package is not installed; where <c>TINYKD_REQUIRE_FULL_DATA=1</c>
/// (as .ci/run sets after installing it) it always runs, so a missing folder there is a failure, not a skip.
/// </summary>
public sealed class FullDataFactAttribute : FactAttribute
{
    /// <summary>The environment variable that turns a missing full set from a skip into a failure.</summary>
    public const string RequireVariable = "TINYKD_REQUIRE_FULL_DATA";

    /// <summary>True when the environment demands the full set.</summary>
    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the full set is absent and not required.</summary>
    public FullDataFactAttribute()
    {
        if (!Required && !Directory.Exists(FashionMnist.DebianDirectory))
            Skip = $"{FashionMnist.DebianDirectory} is not installed (scripts/install-full-data.sh installs it; {RequireVariable}=1 makes its absence a failure)";
    }
}
