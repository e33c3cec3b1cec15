using System.Diagnostics;
using System.Globalization;

namespace TinyKd.Distill;

/// <summary>
/// Writes a file so that readers only ever see the old content or the complete new one: the bytes go to a
/// temporary file beside the target, are flushed to disk, and the temporary file is renamed over the target (an
/// atomic replace on the same file system). A crash — even kill -9 — mid-write leaves the old file intact and at
/// most a stray <c>.NAME.PID.GUID.tmp</c> (PID the writer's process id, GUID 32 hex digits); any other failure
/// removes the temporary file. Every TinyKd file (models, checkpoints, .npy logits, reports) is written this way,
/// and each successful write then removes the stale temporary files of the same target (see
/// <see cref="RemoveStaleTemporaryFiles"/>), so killed writes do not accumulate.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// A temporary file whose writer process still runs (or whose process id was reused) is stale once it has not
    /// been written for this long (one hour); one whose writer process is gone is stale at once.
    /// </summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);

    /// <summary>Creates <paramref name="path"/> (and its folder) with what <paramref name="write"/> puts in the stream.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            // FileShare.None holds a lock for as long as the stream is open (flock on Unix), which is how
            // RemoveStaleTemporaryFiles tells a temporary file in use from an abandoned one.
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        RemoveStaleTemporaryFiles(fullPath);
    }

    /// <summary>
    /// Removes the temporary files that killed writes of <paramref name="path"/> left behind, and returns how many.
    /// Only files named exactly <c>.NAME.PID.GUID.tmp</c> for this target are considered (never another target's,
    /// never any other file), and one is removed only when no writer holds it open (its lock is free) and either its
    /// writer process is gone or it has not been written for <see cref="StaleAfter"/>. A write in progress holds its
    /// lock, so it is never touched. Cleaning is best-effort: a file that cannot be inspected or removed is left.
    /// </summary>
    public static int RemoveStaleTemporaryFiles(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        string prefix = "." + Path.GetFileName(fullPath) + ".";
        if (!Directory.Exists(directory)) return 0;
        int removed = 0;
        foreach (string candidate in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
        {
            if (WriterProcess(Path.GetFileName(candidate), prefix) is not int pid) continue;
            if (TryRemoveIfStale(candidate, pid)) removed++;
        }
        return removed;
    }

    // The process id in ".NAME.PID.GUID.tmp", or null when the name does not follow that pattern exactly.
    private static int? WriterProcess(string fileName, string prefix)
    {
        string[] parts = fileName[prefix.Length..].Split('.');
        bool matches = parts is [var pid, var guid, "tmp"]
            && pid.Length > 0 && pid.All(char.IsAsciiDigit)
            && guid.Length == 32 && guid.All(char.IsAsciiHexDigit);
        return matches && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int id) ? id : null;
    }

    private static bool TryRemoveIfStale(string candidate, int pid)
    {
        try
        {
            bool old = DateTime.UtcNow - File.GetLastWriteTimeUtc(candidate) > StaleAfter;
            if (!old && IsRunning(pid)) return false;
            // Taking the lock proves no writer holds it; the file is deleted while the lock is held, so no writer can
            // open it in between.
            using var probe = new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            File.Delete(candidate);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
