namespace TinyKd.Tests.Support;

/// <summary>The repository the tests were built from.</summary>
public static class Repository
{
    /// <summary>The repository's root (the folder of TinyKd.sln above the test assembly).</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TinyKd.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no TinyKd.sln above the test assembly's folder {AppContext.BaseDirectory}");
    }
}
