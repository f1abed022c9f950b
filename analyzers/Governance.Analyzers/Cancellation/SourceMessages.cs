using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Cancellation;

/// <summary>The messages of GOV5001 and GOV5002: they name the parent tokens and the delay the code uses.</summary>
internal static class SourceMessages
{
    private const int MaxQuotedLength = 48;

    public static string LocalNeverDisposed(string name, SourceKind kind, IOperation creation, IOperation? timerStart)
        => kind == SourceKind.Linked
            ? $"Linked source '{name}' is never disposed: {Registrations(creation)} until {Parents(creation, "that token is", "those tokens are")} cancelled, one more on every call"
            : $"CancellationTokenSource '{name}' {Timer(creation, timerStart)} and is never disposed or cancelled: the timer keeps the source, and every callback registered on its token, alive until it fires";

    public static string LocalSomePaths(string name, SourceKind kind, IOperation creation, IOperation? timerStart, IOperation exit)
    {
        var line = exit.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
        return kind == SourceKind.Linked
            ? $"Linked source '{name}' is disposed on some paths but not on the one through the 'return' at line {line}: on that path {Registrations(creation)} after the call"
            : $"CancellationTokenSource '{name}' {Timer(creation, timerStart)} and is disposed or cancelled on some paths but not on the one through the 'return' at line {line}: on that path the timer stays alive until it fires";
    }

    public static string MemberNeverDisposed(string member, string type, SourceKind kind, IOperation creation, string? stopMethod)
        => kind == SourceKind.Linked
            ? $"Linked source '{member}' is never disposed in '{type}', not even by '{stopMethod}': {Registrations(creation)} after '{type}' is disposed"
            : $"CancellationTokenSource '{member}' has a timer and is never disposed or cancelled in '{type}', not even by '{stopMethod}': the timer keeps the source, and every callback registered on its token, alive after '{type}' is {Ended(stopMethod!)}";

    public static string Reassigned(string member, SourceKind kind)
        => kind == SourceKind.Linked
            ? $"'{member}' is re-assigned here without disposing the linked source it held: every call leaves one more registration on the parent token"
            : $"'{member}' is re-assigned here without disposing or cancelling the source it held: every call leaves its timer alive until it fires";

    private static string Ended(string stopMethod) => stopMethod.StartsWith("Stop", System.StringComparison.Ordinal) ? "stopped" : "disposed";

    private static string Registrations(IOperation creation)
        => $"its {(ParentCount(creation) == 1 ? "registration" : "registrations")} on {Parents(creation, null, null)} {(ParentCount(creation) == 1 ? "stays" : "stay")}";

    private static string Parents(IOperation creation, string? one, string? many)
    {
        var parents = creation is IInvocationOperation linked ? CancellationSymbols.GetParents(linked).ToList() : new List<IOperation>();
        if (one is not null)
        {
            return parents.Count == 1 ? one : many!;
        }

        var texts = parents.Select(p => p.Syntax.ToString()).ToList();
        if (texts.Count == 0 || texts.Count > 2 || texts.Any(t => t.Length > MaxQuotedLength || t.IndexOf('\n') >= 0))
        {
            return texts.Count == 1 ? "its parent token" : "its parent tokens";
        }

        return string.Join(" and ", texts.Select(t => $"'{t}'"));
    }

    private static int ParentCount(IOperation creation)
        => creation is IInvocationOperation linked ? CancellationSymbols.GetParents(linked).Count() : 0;

    private static string Timer(IOperation creation, IOperation? timerStart)
    {
        if (creation is IObjectCreationOperation objectCreation && CancellationSymbols.GetDelay(objectCreation) is { } delay)
        {
            var text = delay.Syntax.ToString();
            return text.Length <= MaxQuotedLength && text.IndexOf('\n') < 0 ? $"has a timer ({text})" : "has a timer";
        }

        if (timerStart is not null)
        {
            var line = timerStart.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            return $"gets a timer from CancelAfter at line {line}";
        }

        return "has a timer";
    }
}
