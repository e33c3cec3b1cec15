namespace TinyKd.Cli;

/// <summary>Exception text for people: one line, without .NET's "(Parameter 'x')" suffix.</summary>
public static class Messages
{
    /// <summary>The message of <paramref name="e"/> as one plain line.</summary>
    public static string Plain(Exception e)
    {
        if (e is TypeInitializationException { InnerException: { } inner }) e = inner;
        string message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
        return message.ReplaceLineEndings(" ");
    }
}
