using TinyKd.Distill;
using TinyKd.Tests.Data;

namespace TinyKd.Tests.Files;

/// <summary>
/// Stale temporary files of killed writes are removed by the next write of the same target — but never one a writer
/// holds open, never a fresh one of a running process, never another target's or an unrelated file.
/// </summary>
public sealed class AtomicFileTests : IDisposable
{
    // Process ids on Linux stop at 2^22, so this one never runs.
    private const int GoneProcess = 1 << 30;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Temp(string target, int pid, TimeSpan age)
    {
        string path = _dir.File($".{target}.{pid}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(path, "partial");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    private void WriteTarget(string target = "model.tkd") => AtomicFile.Write(_dir.File(target), s => s.WriteByte(1));

    [Fact]
    public void Write_removes_the_temporary_file_of_a_writer_that_is_gone()
    {
        string stale = Temp("model.tkd", GoneProcess, TimeSpan.Zero);

        WriteTarget();

        Assert.False(File.Exists(stale));
    }

    [Fact]
    public void Write_keeps_a_fresh_temporary_file_of_a_running_process()
    {
        string fresh = Temp("model.tkd", Environment.ProcessId, TimeSpan.FromMinutes(5));

        WriteTarget();

        Assert.True(File.Exists(fresh));
    }

    [Fact]
    public void Write_removes_a_temporary_file_untouched_for_longer_than_the_stale_age_even_if_its_process_id_runs()
    {
        string old = Temp("model.tkd", Environment.ProcessId, AtomicFile.StaleAfter + TimeSpan.FromMinutes(1));

        WriteTarget();

        Assert.False(File.Exists(old));
    }

    [Fact]
    public void Write_never_removes_a_temporary_file_a_writer_holds_open()
    {
        string held = Temp("model.tkd", GoneProcess, AtomicFile.StaleAfter * 2);
        using (new FileStream(held, FileMode.Open, FileAccess.Write, FileShare.None))
        {
            File.SetLastWriteTimeUtc(held, DateTime.UtcNow - AtomicFile.StaleAfter * 2);
            WriteTarget();
            Assert.True(File.Exists(held));
        }
    }

    [Fact]
    public void Write_leaves_other_targets_and_unrelated_files_alone()
    {
        string otherTarget = Temp("model.tkd.bak", GoneProcess, TimeSpan.Zero);
        string unrelated = _dir.File(".model.tkd.notes.tmp");
        File.WriteAllText(unrelated, "mine");

        WriteTarget();

        Assert.True(File.Exists(otherTarget));
        Assert.True(File.Exists(unrelated));
    }

    [Fact]
    public void RemoveStaleTemporaryFiles_counts_what_it_removed()
    {
        Temp("model.tkd", GoneProcess, TimeSpan.Zero);
        Temp("model.tkd", GoneProcess, TimeSpan.Zero);
        Temp("model.tkd", Environment.ProcessId, TimeSpan.Zero);

        Assert.Equal(2, AtomicFile.RemoveStaleTemporaryFiles(_dir.File("model.tkd")));
    }
}
