using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using TinyKd.Distill.Models;

namespace TinyKd.Tests.Packaging;

// What `dotnet pack -c Release` produces, used as a .NET developer outside the repository would: the tool installed
// from the local feed, a console app that references TinyKd.Distill from it and runs the README's example. Offline:
// see PackedFeed. About 10 s on 2 cores when the build is up to date (pack 7 s, tool install 1 s, app build 4 s).
public sealed partial class PackageTests(PackedFeed feed) : IClassFixture<PackedFeed>
{
    [Theory]
    [InlineData("TinyKd.Tensor", "System.Numerics.Tensors")]
    [InlineData("TinyKd.Autograd", "TinyKd.Tensor")]
    [InlineData("TinyKd.Distill", "TinyKd.Autograd")]
    [InlineData("TinyKd.Recommender", "TinyKd.Distill")]
    [InlineData("TinyKd.Kernels.Gpu", "TinyKd.Tensor", "ILGPU", "ILGPU.Algorithms")]
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
        Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.dll"));
        Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.xml"));
        Assert.Equal(dependencies.Order(), metadata.Descendants(metadata.Name.Namespace + "dependency").Select(d => (string)d.Attribute("id")!).Order());

        using ZipArchive symbols = ZipFile.OpenRead(feed.Package(id, "snupkg"));
        Assert.NotNull(symbols.GetEntry($"lib/net10.0/{id}.pdb"));
    }

    [Fact]
    public void The_packages_that_carry_the_Fashion_MNIST_sample_carry_its_licence_notice()
    {
        foreach (string id in new[] { "TinyKd.Distill", "TinyKd.Cli" })
        {
            using ZipArchive package = ZipFile.OpenRead(feed.Package(id));
            ZipArchiveEntry? notice = package.GetEntry("fashion-mnist-sample/LICENSE");
            Assert.True(notice is not null, $"{id} has no fashion-mnist-sample/LICENSE");
            using var reader = new StreamReader(notice.Open());
            Assert.Contains("Copyright (c) 2017 Zalando SE", reader.ReadToEnd());
        }
    }

    [Fact]
    public void The_tool_installs_from_the_feed_and_trains_one_epoch()
    {
        using (ZipArchive package = ZipFile.OpenRead(feed.Package("TinyKd.Cli")))
        {
            XElement metadata = Metadata(package, "TinyKd.Cli");
            Assert.Equal("DotnetTool", (string?)metadata.Descendants(metadata.Name.Namespace + "packageType").Single().Attribute("name"));
            Assert.Empty(metadata.Descendants(metadata.Name.Namespace + "dependency"));
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
    public void A_console_app_referencing_TinyKd_Distill_from_the_feed_runs_the_readme_example()
    {
        string app = Directory.CreateDirectory(Path.Combine(feed.Root, "readme-app")).FullName;
        File.WriteAllText(Path.Combine(app, "ReadmeApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TinyKd.Distill" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), ReadmeExample());

        feed.Dotnet(app, "build", "-c", "Release");
        string output = feed.Dotnet(app, Path.Combine(app, "bin", "Release", "net10.0", "ReadmeApp.dll"));

        Match printed = ReadmeAccuracy().Match(output);
        Assert.True(printed.Success, $"the README's example printed no test accuracy:\n{output}");
        double accuracy = double.Parse(printed.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy > 75, $"accuracy after one epoch {accuracy}% (seed 42)");
        Assert.True(Directory.Exists(Path.Combine(feed.Root, "packages", "tinykd.distill", feed.Version)),
            "TinyKd.Distill was not restored from the feed into the private packages folder");
    }

    // The first C# block of the README's "Using it from C#" section, run for one epoch instead of five (as
    // ReadmeExampleTests does in-process).
    private string ReadmeExample()
    {
        string readme = File.ReadAllText(Path.Combine(feed.RepositoryRoot, "README.md"));
        int section = readme.IndexOf("## Using it from C#", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no section '## Using it from C#'");
        int start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        string code = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        const string FiveEpochs = "epoch <= 5";
        Assert.True(code.Split(FiveEpochs).Length == 2, $"the README's example no longer has one '{FiveEpochs}' to shorten:\n{code}");
        return code.Replace(FiveEpochs, "epoch <= 1", StringComparison.Ordinal);
    }

    private static XElement Metadata(ZipArchive package, string id)
    {
        ZipArchiveEntry nuspec = package.GetEntry($"{id}.nuspec") ?? throw new InvalidDataException($"{id}'s package has no {id}.nuspec");
        using Stream stream = nuspec.Open();
        XElement root = XDocument.Load(stream).Root!;
        return root.Element(root.Name.Namespace + "metadata")!;
    }

    private static string? Value(XElement metadata, string name) => (string?)metadata.Element(metadata.Name.Namespace + name);

    [GeneratedRegex(@"^test: accuracy ([0-9]+\.[0-9]{2})%", RegexOptions.Multiline)]
    private static partial Regex TrainAccuracy();

    [GeneratedRegex(@"test accuracy ([0-9]+\.[0-9]+) ?%")]
    private static partial Regex ReadmeAccuracy();
}
