using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Channels;

internal static class ChannelReferenceClassifier
{
    /// <summary>
    /// Classifies one reference to a variable or member holding a channel. A read that waits for the channel to
    /// complete without observing a token (<c>ReadAllAsync()</c>, <c>WaitToReadAsync()</c>) is returned in
    /// <paramref name="unobservedReadLoop"/>.
    /// </summary>
    public static ChannelUses Classify(IOperation reference, ChannelSymbols symbols, out IOperation? unobservedReadLoop)
    {
        unobservedReadLoop = null;
        var consumer = reference.GetConsumer(out var child);
        switch (consumer)
        {
            case IAssignmentOperation assignment when assignment.Target == child:
            case IBinaryOperation:
            case IIsPatternOperation:
            case IIsTypeOperation:
            case INameOfOperation:
                return ChannelUses.None;
            case IPropertyReferenceOperation { Property.Name: "Reader" } reader when reader.Instance == child:
                unobservedReadLoop = FindUnobservedReadLoop(reader, symbols);
                return ChannelUses.Read;
            case IPropertyReferenceOperation { Property.Name: "Writer" } writer when writer.Instance == child:
                return ClassifyWriter(writer);
            case IMemberReferenceOperation member when member.Instance == child:
            case IInvocationOperation invocation when invocation.Instance == child:
                return ChannelUses.None;
            default:
                return ChannelUses.Escaped;
        }
    }

    private static ChannelUses ClassifyWriter(IOperation writer)
    {
        var consumer = writer.GetConsumer(out var child);
        if (consumer is IInvocationOperation invocation && invocation.Instance == child)
        {
            return invocation.TargetMethod.Name switch
            {
                "Complete" or "TryComplete" => ChannelUses.Complete,
                "TryWrite" or "WriteAsync" or "WaitToWriteAsync" => ChannelUses.Write,
                _ => ChannelUses.None,
            };
        }

        // An invalid operation is code being typed (`_channel.Writer.`): not a use yet.
        return consumer is IBinaryOperation or IIsPatternOperation or IMemberReferenceOperation or IInvalidOperation
            ? ChannelUses.None
            : ChannelUses.WriterEscaped | ChannelUses.Write;
    }

    private static IOperation? FindUnobservedReadLoop(IOperation reader, ChannelSymbols symbols)
    {
        var consumer = reader.GetConsumer(out var child);
        if (consumer is not IInvocationOperation { TargetMethod.Name: "ReadAllAsync" or "WaitToReadAsync" } read || read.Instance != child)
        {
            return null;
        }

        if (PassesToken(read, symbols))
        {
            return null;
        }

        // `await foreach (var x in reader.ReadAllAsync().WithCancellation(token))`: an extension method, so the
        // read is its first argument.
        var readConsumer = read.GetConsumer(out var readChild);
        if (readConsumer is IArgumentOperation { Parent: IInvocationOperation argumentOf } && argumentOf.Arguments.Length > 0 && argumentOf.Arguments[0] == readConsumer)
        {
            readConsumer = argumentOf;
            readChild = argumentOf.Arguments[0];
        }

        if (readConsumer is IInvocationOperation { TargetMethod.Name: "WithCancellation" } withCancellation
            && (withCancellation.Instance == readChild || (withCancellation.Arguments.Length > 0 && withCancellation.Arguments[0] == readChild))
            && PassesToken(withCancellation, symbols))
        {
            return null;
        }

        return read;
    }

    /// <summary>Whether a real token is given: an omitted argument, <c>default</c> or <c>CancellationToken.None</c> is not one.</summary>
    public static bool PassesToken(IInvocationOperation invocation, ChannelSymbols symbols)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue || argument.Parameter is null || !argument.Parameter.Type.IsType(symbols.CancellationToken))
            {
                continue;
            }

            var value = argument.Value.WalkDownConversions();
            if (value is IDefaultValueOperation || value is IPropertyReferenceOperation { Property.Name: "None" } none && none.Property.ContainingType.IsType(symbols.CancellationToken))
            {
                continue;
            }

            return true;
        }

        return false;
    }
}
