using System.Diagnostics;
using System.Reflection;
using System.Text;
using TinyKd.Tests.Support;

namespace TinyKd.Tests.Packaging;

/// <summary>
/// The repository's packages, packed once per test class into a temporary folder (a local feed), and a way to run
/// <c>dotnet</c> against that feed as a user outside the repository would, offline. Packing uses the build's own
/// restore (the repository's projects and the NuGet cache it already filled); every consumer of the feed restores
/// into a private packages folder from two local sources only — the feed and the global packages folder, which is
/// itself a valid local feed — behind an unreachable proxy, so a hidden need for nuget.org fails here as it would
/// on a machine without a network, and no TinyKd 0.x package ever lands in the user's cache (where a stale copy of
/// the same version would shadow every later pack).
/// </summary>
public sealed class PackedFeed : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Packs every packable project of the solution into <see cref="Folder"/>.</summary>
    public PackedFeed()
    {
        Root = Directory.CreateTempSubdirectory("tinykd-pack-").FullName;
        Folder = Path.Combine(Root, "feed");
        RepositoryRoot = Repository.Root;
        Version = typeof(TinyKd.Distill.Models.ModelFile).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

        string configuration = typeof(PackedFeed).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        Run(DotnetHost(), RepositoryRoot, consumer: false, ["pack", Path.Combine(RepositoryRoot, "TinyKd.sln"), "-c", configuration, "-o", Folder]);

        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="tinykd" value="{Folder}" />
                <add key="cache" value="{GlobalPackagesFolder()}" />
              </packageSources>
            </configuration>
            """);
    }

    /// <summary>A temporary folder that holds the feed, its nuget.config (found by any project below it) and whatever a test puts there.</summary>
    public string Root { get; }

    /// <summary>The local feed: one .nupkg and one .snupkg per packable project.</summary>
    public string Folder { get; }

    /// <summary>The repository's root (the folder of TinyKd.sln).</summary>
    public string RepositoryRoot { get; }

    /// <summary>The packages' version: the one in Directory.Build.props, as stamped on the assemblies under test.</summary>
    public string Version { get; }

    /// <summary>The path of the package <paramref name="id"/> in the feed; fails the test when it was not packed.</summary>
    public string Package(string id, string extension = "nupkg")
    {
        string path = Path.Combine(Folder, $"{id}.{Version}.{extension}");
        Assert.True(File.Exists(path), $"{path} was not packed; the feed holds {string.Join(", ", Directory.GetFiles(Folder).Select(Path.GetFileName))}");
        return path;
    }

    /// <summary>
    /// Runs <c>dotnet</c> in <paramref name="directory"/> as an offline consumer of the feed; fails the test with its
    /// output when it exits with anything but 0 or runs past five minutes. Returns its standard output.
    /// </summary>
    public string Dotnet(string directory, params string[] arguments) => Run(DotnetHost(), directory, consumer: true, arguments);

    /// <summary>Runs a program a consumer installed from the feed (a tool's command), as <see cref="Dotnet"/> runs <c>dotnet</c>.</summary>
    public string Program(string path, params string[] arguments) => Run(path, Root, consumer: true, arguments);

    private string Run(string fileName, string directory, bool consumer, string[] arguments)
    {
        var info = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // `dotnet test` leaves MSBuild's own variables in the test host's environment; a nested build must find its SDK afresh.
        foreach (string name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(name);
        if (consumer)
        {
            info.Environment["NUGET_PACKAGES"] = Path.Combine(Root, "packages");
            info.Environment["http_proxy"] = info.Environment["https_proxy"] = "http://127.0.0.1:9";
        }

        using var process = Process.Start(info)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string command = $"{fileName} {string.Join(' ', arguments)}";
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{command}' ran past {Timeout.TotalMinutes} minutes\n{stdout}{stderr}");
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"'{command}' in {directory} exited with {process.ExitCode}\n{stdout}{stderr}");
        return stdout.ToString();
    }

    /// <inheritdoc/>
    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    private static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
