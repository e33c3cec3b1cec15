namespace TinyKd.Cli;

/// <summary>
/// Checks, before a command starts training, that it will be able to write its outputs: a run of many minutes must
/// not fail at its very end on an empty name, a folder where a file was meant, or a place it may not write in. Each
/// problem is a <see cref="UsageException"/> naming the option and the path.
/// </summary>
public static class OutputPath
{
    /// <summary>Checks the file option <paramref name="option"/> (without dashes) and returns its path.</summary>
    /// <exception cref="UsageException">
    /// The path is empty, is a folder, is read-only or lies where no file can be created.
    /// </exception>
    public static string File(string option, string? path)
    {
        string full = FullPath(option, path, "a file name");
        if (Directory.Exists(full) || Path.EndsInDirectorySeparator(path!))
            throw new UsageException($"option '--{option}': '{path}' is a folder; give a file name");
        if (System.IO.File.Exists(full) && System.IO.File.GetAttributes(full).HasFlag(FileAttributes.ReadOnly))
            throw new UsageException($"option '--{option}': '{path}' is read-only");
        CheckCanCreateIn(option, path!, Path.GetDirectoryName(full)!);
        return path!;
    }

    /// <summary>Checks the folder option <paramref name="option"/> (without dashes) and returns its path.</summary>
    /// <exception cref="UsageException">The path is empty, is a file or lies where no folder can be created.</exception>
    public static string Folder(string option, string? path)
    {
        string full = FullPath(option, path, "a folder");
        if (System.IO.File.Exists(full)) throw new UsageException($"option '--{option}': '{path}' is a file; give a folder");
        CheckCanCreateIn(option, path!, full);
        return path!;
    }

    private static string FullPath(string option, string? path, string what)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UsageException($"option '--{option}' needs {what}; got '{path}'");
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"option '--{option}': '{path}' is not a valid path ({Messages.Plain(e)})");
        }
    }

    // The nearest existing folder on the way to `folder` must be a folder we may create files in: try it.
    private static void CheckCanCreateIn(string option, string path, string folder)
    {
        string? existing = folder;
        while (existing is not null && !Directory.Exists(existing))
        {
            if (System.IO.File.Exists(existing))
                throw new UsageException($"option '--{option}': '{existing}' is a file, so '{path}' cannot be created");
            existing = Path.GetDirectoryName(existing);
        }
        if (existing is null) throw new UsageException($"option '--{option}': no existing folder on the way to '{path}'");
        string probe = Path.Combine(existing, $".tinykd-write-check-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"option '--{option}': cannot write in '{existing}', so '{path}' could not be saved ({Messages.Plain(e)})");
        }
    }
}
