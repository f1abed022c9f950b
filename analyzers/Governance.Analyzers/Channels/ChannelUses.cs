using System;

namespace Governance.Analyzers.Channels;

/// <summary>What the references to one channel variable or member do with it, accumulated.</summary>
[Flags]
internal enum ChannelUses
{
    None = 0,

    /// <summary>The <c>Reader</c> is used in any way.</summary>
    Read = 1,

    /// <summary>The <c>Writer</c> writes (<c>TryWrite</c>, <c>WriteAsync</c>, <c>WaitToWriteAsync</c>).</summary>
    Write = 2,

    /// <summary><c>Writer.Complete()</c> or <c>Writer.TryComplete()</c>.</summary>
    Complete = 4,

    /// <summary>The <c>Writer</c> is handed elsewhere (passed, stored, returned): somebody else may complete it.</summary>
    WriterEscaped = 8,

    /// <summary>The channel itself is handed elsewhere or converted to a reader or writer.</summary>
    Escaped = 16,
}
