using System.Globalization;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using TinyKd.Distill.Models;

namespace TinyKd.Tests.Packaging;

// What `dotnet pack -c Release` produces, used as a .NET developer outside the repository would: the tool installed
// from the local feed, a console app that references TinyKd.Distill and TinyKd.Samples from it and runs the README's
// example. Offline: see PackedFeed. About 10 s on 2 cores when the build is up to date (pack 7 s, tool install 1 s, app build 4 s).
public sealed partial class PackageTests(PackedFeed feed) : IClassFixture<PackedFeed>
{
    [Theory]
    [InlineData("TinyKd.Tensor", "System.Numerics.Tensors")]
    [InlineData("TinyKd.Autograd", "TinyKd.Tensor")]
    [InlineData("TinyKd.Distill", "TinyKd.Autograd")]
    [InlineData("TinyKd.Recommender", "TinyKd.Distill")]
    [InlineData("TinyKd.Kernels.Gpu", "TinyKd.Tensor", "ILGPU", "ILGPU.Algorithms")]
    [InlineData("TinyKd.Samples", "TinyKd.Distill")]
    public void A_library_package_carries_its_metadata_docs_and_symbols_and_depends_on_the_layer_below_and_its_named_packages_alone(string id,
        params string[] dependencies)
    {
        using ZipArchive package = ZipFile.OpenRead(feed.Package(id));
        XElement metadata = Metadata(package, id);
        Assert.Equal(id, Value(metadata, "id"));
        Assert.Equal(feed.Version, Value(metadata, "version"));
        Assert.False(string.IsNullOrWhiteSpace(Value(metadata, "description")), $"{id} has no description");
        Assert.Equal("README.md", Value(metadata, "readme"));
        Assert.NotNull(package.GetEntry("README.md"));
        AssertMitLicence(metadata, id);
        Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.dll"));
        Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.xml"));
        Assert.Equal(dependencies.Order(), metadata.Descendants(metadata.Name.Namespace + "dependency").Select(d => (string)d.Attribute("id")!).Order());

        using ZipArchive symbols = ZipFile.OpenRead(feed.Package(id, "snupkg"));
        Assert.NotNull(symbols.GetEntry($"lib/net10.0/{id}.pdb"));
    }

    [Fact]
    public void The_packages_that_carry_the_Fashion_MNIST_sample_carry_its_licence_notice()
    {
        foreach (string id in new[] { "TinyKd.Samples", "TinyKd.Cli" })
        {
            using ZipArchive package = ZipFile.OpenRead(feed.Package(id));
            ZipArchiveEntry? notice = package.GetEntry("fashion-mnist-sample/LICENSE");
            Assert.True(notice is not null, $"{id} has no fashion-mnist-sample/LICENSE");
            using var reader = new StreamReader(notice.Open());
            Assert.Contains("Copyright (c) 2017 Zalando SE", reader.ReadToEnd());
        }
    }

    // A library embedded in other programs carries no data set: the sample is TinyKd.Samples alone (issue 16).
    [Fact]
    public void The_core_packages_carry_no_data_and_together_stay_under_one_megabyte()
    {
        string[] core = ["TinyKd.Tensor", "TinyKd.Autograd", "TinyKd.Distill", "TinyKd.Recommender"];
        foreach (string id in core)
        {
            using ZipArchive package = ZipFile.OpenRead(feed.Package(id));
            Assert.Null(package.GetEntry("fashion-mnist-sample/LICENSE"));
            using var dll = new MemoryStream();
            using (Stream entry = package.GetEntry($"lib/net10.0/{id}.dll")!.Open()) entry.CopyTo(dll);
            dll.Position = 0;
            using var pe = new PEReader(dll);
            Assert.Empty(pe.GetMetadataReader().ManifestResources);
        }

        long total = core.Sum(id => new FileInfo(feed.Package(id)).Length);
        Assert.True(total < 1_000_000, $"the core packages together are {total:N0} bytes ({string.Join(", ", core.Select(id => $"{id} {new FileInfo(feed.Package(id)).Length:N0}"))})");
    }

    [Fact]
    public void The_tool_installs_from_the_feed_and_trains_one_epoch()
    {
        using (ZipArchive package = ZipFile.OpenRead(feed.Package("TinyKd.Cli")))
        {
            XElement metadata = Metadata(package, "TinyKd.Cli");
            Assert.Equal("DotnetTool", (string?)metadata.Descendants(metadata.Name.Namespace + "packageType").Single().Attribute("name"));
            Assert.Empty(metadata.Descendants(metadata.Name.Namespace + "dependency"));
            AssertMitLicence(metadata, "TinyKd.Cli");
        }

        string tools = Path.Combine(feed.Root, "tools");
        feed.Dotnet(feed.Root, "tool", "install", "--tool-path", tools, "--configfile", Path.Combine(feed.Root, "nuget.config"),
            "--add-source", feed.Folder, "TinyKd.Cli", "--version", feed.Version);
        string tinykd = Path.Combine(tools, OperatingSystem.IsWindows() ? "tinykd.exe" : "tinykd");

        Assert.Contains("usage: tinykd <command>", feed.Program(tinykd, "--help"));

        string model = Path.Combine(feed.Root, "one-epoch.tkd");
        string output = feed.Program(tinykd, "train", "--model", "784-64-10", "--dropout", "0", "--epochs", "1", "--out", model);
        Match printed = TrainAccuracy().Match(output);
        Assert.True(printed.Success, $"no test accuracy in the output of tinykd train:\n{output}");

        // The file the installed tool wrote is one the library reads, and it is that run's model.
        SavedModel saved = ModelFile.Load(model);
        Assert.Equal(new[] { 784, 64, 10 }, saved.Model.Spec.Sizes);
        double accuracy = double.Parse(saved.Metadata["test_accuracy"], CultureInfo.InvariantCulture);
        Assert.Equal(printed.Groups[1].Value, (accuracy * 100).ToString("F2", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_console_app_referencing_TinyKd_Distill_and_the_sample_from_the_feed_runs_the_readme_example()
    {
        string output = BuildAndRun("readme-app", ReadmeCSharp("## Using it from C#", "epoch <= 5", "epoch <= 1"));

        Match printed = ReadmeAccuracy().Match(output);
        Assert.True(printed.Success, $"the README's example printed no test accuracy:\n{output}");
        double accuracy = double.Parse(printed.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy > 75, $"accuracy after one epoch {accuracy}% (seed 42)");
        Assert.True(Directory.Exists(Path.Combine(feed.Root, "packages", "tinykd.distill", feed.Version)),
            "TinyKd.Distill was not restored from the feed into the private packages folder");
    }

    // A console app in feed.Root/NAME that references TinyKd.Distill and TinyKd.Samples from the feed and whose
    // Program.cs is CODE, built and run there (its working directory); returns what it printed.
    private string BuildAndRun(string name, string code)
    {
        string app = Directory.CreateDirectory(Path.Combine(feed.Root, name)).FullName;
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TinyKd.Distill" Version="{feed.Version}" />
                <PackageReference Include="TinyKd.Samples" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), code);
        feed.Dotnet(app, "build", "-c", "Release");
        return feed.Dotnet(app, Path.Combine(app, "bin", "Release", "net10.0", "App.dll"));
    }

    // The first C# block of the README's section HEADING, with its one LONG run shortened to SHORT (one epoch instead
    // of five, as ReadmeExampleTests does in-process).
    private string ReadmeCSharp(string heading, string longRun, string shortRun)
    {
        string readme = File.ReadAllText(Path.Combine(feed.RepositoryRoot, "README.md"));
        int section = readme.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(section >= 0, $"README.md has no section '{heading}'");
        int start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        string code = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        Assert.True(code.Split(longRun).Length == 2, $"the README's example under '{heading}' no longer has one '{longRun}' to shorten:\n{code}");
        return code.Replace(longRun, shortRun, StringComparison.Ordinal);
    }

    private static XElement Metadata(ZipArchive package, string id)
    {
        ZipArchiveEntry nuspec = package.GetEntry($"{id}.nuspec") ?? throw new InvalidDataException($"{id}'s package has no {id}.nuspec");
        using Stream stream = nuspec.Open();
        XElement root = XDocument.Load(stream).Root!;
        return root.Element(root.Name.Namespace + "metadata")!;
    }

    // The repository's LICENSE as an SPDX expression (NuGet's <license type="expression">), not a file or a URL.
    private static void AssertMitLicence(XElement metadata, string id)
    {
        XElement? licence = metadata.Element(metadata.Name.Namespace + "license");
        Assert.True(licence is not null, $"{id} carries no licence");
        Assert.Equal(("expression", "MIT"), ((string?)licence.Attribute("type"), licence.Value));
    }

    private static string? Value(XElement metadata, string name) => (string?)metadata.Element(metadata.Name.Namespace + name);

    [GeneratedRegex(@"^test: accuracy ([0-9]+\.[0-9]{2})%", RegexOptions.Multiline)]
    private static partial Regex TrainAccuracy();

    [GeneratedRegex(@"test accuracy ([0-9]+\.[0-9]+) ?%")]
    private static partial Regex ReadmeAccuracy();
}
