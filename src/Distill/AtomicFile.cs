namespace TinyKd.Distill;

/// <summary>
/// Writes a file so that readers only ever see the old content or the complete new one: the bytes go to a
/// temporary file beside the target, are flushed to disk, and the temporary file is renamed over the target (an
/// atomic replace on the same file system). A crash — even kill -9 — mid-write leaves the old file intact and at
/// most a stray <c>.NAME.PID.GUID.tmp</c>; any other failure removes the temporary file. Every TinyKd file
/// (models, checkpoints, .npy logits, reports) is written this way.
/// </summary>
public static class AtomicFile
{
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
    }
}
