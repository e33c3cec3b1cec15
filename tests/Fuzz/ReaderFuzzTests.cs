using Xunit.Abstractions;
using TinyKd.Distill.Data;
using TinyKd.Distill.Interop;
using TinyKd.Distill.Models;
using TinyKd.Recommender;
using TinyKd.Distill.Training;

namespace TinyKd.Tests.Fuzz;

/// <summary>
/// Every file reader, fed a few hundred seeded mutations of a valid file, either loads it or throws an
/// <see cref="InvalidDataException"/> naming the file — never another exception, never a header-sized allocation
/// (see <see cref="MutationFuzzer"/>). The counts per format are written to the test output.
/// </summary>
public sealed class ReaderFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261203;

    private static readonly IReadOnlyList<Mutations.Mutation> TextAndBinary = [.. Mutations.Binary, .. Mutations.Text];

    private static readonly IReadOnlyList<Mutations.Mutation> TkdMutationSet = [.. Mutations.Binary, TkdMutations.EditHeader, TkdMutations.EditHeader];

    [Fact]
    public void IdxReader_survives_mutated_raw_images_files() => Check(MutationFuzzer.Run(
        "idx-images-raw", ValidFiles.IdxImages(), "-idx3-ubyte", p => IdxReader.ReadImages(p), 400, Seed, Mutations.Binary));

    [Fact]
    public void IdxReader_survives_mutated_raw_labels_files() => Check(MutationFuzzer.Run(
        "idx-labels-raw", ValidFiles.IdxLabels(), "-idx1-ubyte", p => IdxReader.ReadLabels(p), 200, Seed, Mutations.Binary));

    [Fact]
    public void IdxReader_survives_mutated_gzip_images_files() => Check(MutationFuzzer.Run(
        "idx-images-gzip", ValidFiles.Gzip(ValidFiles.IdxImages()), "-idx3-ubyte.gz", p => IdxReader.ReadImages(p), 400, Seed, Mutations.Binary));

    [Fact]
    public void IdxReader_survives_mutated_gzip_labels_files() => Check(MutationFuzzer.Run(
        "idx-labels-gzip", ValidFiles.Gzip(ValidFiles.IdxLabels()), "-idx1-ubyte.gz", p => IdxReader.ReadLabels(p), 200, Seed, Mutations.Binary));

    [Fact]
    public void NpyFile_survives_mutated_files() => Check(MutationFuzzer.Run(
        "npy", ValidFiles.Npy(), ".npy", p => NpyFile.ReadFloat32Matrix(p, out _, out _), 400, Seed, TextAndBinary));

    [Fact]
    public void SafeTensorsFile_survives_mutated_files() => Check(MutationFuzzer.Run(
        "safetensors", ValidFiles.SafeTensors(), ".safetensors", p => SafeTensorsFile.Read(p), 400, Seed, TextAndBinary));

    [Fact]
    public void CsvDataset_survives_mutated_files() => Check(MutationFuzzer.Run(
        "csv", ValidFiles.Csv(), ".csv", p => CsvDataset.Load(p, "label"), 400, Seed, TextAndBinary));

    [Fact]
    public void MovieLensCsv_survives_mutated_files() => Check(MutationFuzzer.Run(
        "movielens-csv", ValidFiles.MovieLens(), ".csv", p => MovieLensCsv.Read(p), 400, Seed, TextAndBinary));

    [Fact]
    public void ModelFile_survives_mutated_files_with_and_without_a_valid_checksum() => Check(MutationFuzzer.Run(
        "model-tkd", ValidFiles.Model(), ".tkd", p => ModelFile.Load(p), 500, Seed, TkdMutationSet, TkdMutations.Reseal));

    [Fact]
    public void Sparse_model_file_survives_mutated_files_with_and_without_a_valid_checksum() => Check(MutationFuzzer.Run(
        "sparse-model-tkd", ValidFiles.SparseModel(), ".tkd", p => ModelFile.Load(p), 500, Seed, TkdMutationSet, TkdMutations.Reseal));

    [Fact]
    public void Checkpoint_survives_mutated_files_with_and_without_a_valid_checksum() => Check(MutationFuzzer.Run(
        "checkpoint", ValidFiles.Checkpoint(), ".ckpt", p => Checkpoint.Load(p), 500, Seed, TkdMutationSet, TkdMutations.Reseal));

    [Fact]
    public void RecommenderFile_survives_mutated_files_with_and_without_a_valid_checksum() => Check(MutationFuzzer.Run(
        "recommender-tkd", ValidFiles.Recommender(), ".tkd", p => RecommenderFile.Load(p), 400, Seed, TkdMutationSet, TkdMutations.Reseal));

    private void Check(MutationFuzzer.Report report) => MutationFuzzer.AssertClean(report, output);
}
