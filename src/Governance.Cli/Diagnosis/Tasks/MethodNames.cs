namespace Governance.Cli.Diagnosis.Tasks;

/// <summary>
/// Turns the names the runtime gives compiler-generated types and methods back into the names people wrote:
/// <c>Shop.OrderStore+&lt;SaveAsync&gt;d__2</c> is <c>OrderStore.SaveAsync</c>, <c>Program+&lt;&gt;c+&lt;&lt;Main&gt;b__0_0&gt;d</c>
/// is a lambda in <c>Program.Main</c>.
/// </summary>
internal static class MethodNames
{
    /// <summary>The method an async state machine type runs, short (<c>Type.Method</c>) and qualified (with the namespace).</summary>
    internal static (string Short, string Qualified) FromStateMachine(string stateMachineType)
    {
        var segments = SplitTopLevel(stateMachineType, '+');
        var last = segments[^1];
        var method = last.StartsWith('<') ? Enclosed(last) : StripGenericArguments(last);
        return Compose(segments.Take(segments.Count - 1), method);
    }

    /// <summary>A method (a timer's callback, say) by its declaring type's name and its own name.</summary>
    internal static (string Short, string Qualified) FromMethod(string? declaringType, string methodName) =>
        Compose(declaringType is null ? [] : SplitTopLevel(declaringType, '+'), methodName);

    /// <summary>The type an async state-machine box runs: the argument of <c>...+AsyncStateMachineBox&lt;T&gt;</c>.</summary>
    internal static string? StateMachineOfBox(string boxType)
    {
        const string marker = "StateMachineBox<";
        var at = boxType.LastIndexOf(marker, StringComparison.Ordinal);
        if (at < 0 || !boxType.EndsWith('>'))
        {
            return null;
        }

        var start = at + marker.Length;
        return boxType[start..^1];
    }

    /// <summary>A type name without its namespace and generic arguments, nested types joined with dots.</summary>
    internal static string ShortType(string typeName)
    {
        var parts = SplitTopLevel(typeName, '+').Where(s => !s.StartsWith('<')).Select(StripGenericArguments).ToList();
        if (parts.Count == 0)
        {
            return typeName;
        }

        parts[0] = parts[0][(parts[0].LastIndexOf('.') + 1)..];
        return string.Join('.', parts);
    }

    /// <summary>A type's short name with its generic arguments' short names: <c>Task&lt;Order&gt;</c>, <c>Dictionary&lt;String, Order&gt;</c>.</summary>
    internal static string ShortTypeWithArguments(string typeName)
    {
        var open = typeName.IndexOf('<', StringComparison.Ordinal);
        var close = typeName.LastIndexOf('>');
        if (open < 0 || close < open)
        {
            return ShortType(typeName);
        }

        var arguments = SplitTopLevel(typeName[(open + 1)..close], ',').Select(ShortType);
        return ShortType(typeName) + "<" + string.Join(", ", arguments) + ">";
    }

    private static (string Short, string Qualified) Compose(IEnumerable<string> typeSegments, string method)
    {
        var types = typeSegments.Where(s => !s.StartsWith('<')).Select(StripGenericArguments).ToList();
        var display = DisplayMethod(method);
        if (types.Count == 0)
        {
            return (display, display);
        }

        var qualified = string.Join('.', types) + "." + display;
        types[0] = types[0][(types[0].LastIndexOf('.') + 1)..];
        return (string.Join('.', types) + "." + display, qualified);
    }

    /// <summary>
    /// A method name as written: <c>&lt;Main&gt;b__0_0</c> (a lambda) is <c>Main.lambda</c>, <c>&lt;Main&gt;g__Poll|0_1</c> (a
    /// local function) is <c>Main.Poll</c>, <c>&lt;Main&gt;$</c> (top-level statements) is <c>Main</c>.
    /// </summary>
    internal static string DisplayMethod(string method)
    {
        if (!method.StartsWith('<'))
        {
            // Constructors keep their names without the leading dot, so a lambda in one reads Type.ctor.lambda.
            return method is ".ctor" or ".cctor" ? method[1..] : method;
        }

        var inner = Enclosed(method);
        var close = MatchingClose(method, 0);
        var rest = close < 0 ? string.Empty : method[(close + 1)..];
        var outer = DisplayMethod(inner);
        if (rest.StartsWith("g__", StringComparison.Ordinal))
        {
            var name = rest[3..];
            var bar = name.IndexOf('|', StringComparison.Ordinal);
            return outer + "." + (bar < 0 ? name : name[..bar]);
        }

        if (rest.StartsWith("b__", StringComparison.Ordinal))
        {
            return outer + ".lambda";
        }

        return outer;
    }

    private static string Enclosed(string name)
    {
        var close = MatchingClose(name, 0);
        return close < 0 ? name : name[1..close];
    }

    private static int MatchingClose(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '<')
            {
                depth++;
            }
            else if (text[i] == '>' && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static string StripGenericArguments(string name)
    {
        var open = name.IndexOf('<', StringComparison.Ordinal);
        var plain = open <= 0 ? name : name[..open];
        var tick = plain.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? plain : plain[..tick];
    }

    /// <summary>
    /// Splits a type name at <paramref name="separator"/> where it is not inside angle or square brackets: at the '+' of
    /// nesting (leaving generic arguments and compiler names whole), or at the ',' between generic arguments.
    /// </summary>
    private static List<string> SplitTopLevel(string typeName, char separator)
    {
        var segments = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < typeName.Length; i++)
        {
            var c = typeName[i];
            if (c is '<' or '[')
            {
                depth++;
            }
            else if (c is '>' or ']')
            {
                depth--;
            }
            else if (c == separator && depth == 0)
            {
                segments.Add(typeName[start..i].Trim());
                start = i + 1;
            }
        }

        segments.Add(typeName[start..].Trim());
        return segments;
    }
}
