using System.Linq;
using Governance.Analyzers.Operations;
using Governance.Analyzers.Symbols;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Governance.Analyzers.Timers;

/// <summary>The timer types of one compilation, resolved once at compilation start.</summary>
internal sealed class TimerSymbols
{
    private TimerSymbols(Compilation compilation)
    {
        ThreadingTimer = compilation.GetTypeByMetadataName("System.Threading.Timer");
        TimersTimer = compilation.GetTypeByMetadataName("System.Timers.Timer");
        PeriodicTimer = compilation.GetTypeByMetadataName("System.Threading.PeriodicTimer");
        TimerInterface = compilation.GetTypeByMetadataName("System.Threading.ITimer");
        TimeProvider = compilation.GetTypeByMetadataName("System.TimeProvider");
        Timeout = compilation.GetTypeByMetadataName("System.Threading.Timeout");
    }

    public INamedTypeSymbol? ThreadingTimer { get; }

    public INamedTypeSymbol? TimersTimer { get; }

    public INamedTypeSymbol? PeriodicTimer { get; }

    public INamedTypeSymbol? TimerInterface { get; }

    public INamedTypeSymbol? TimeProvider { get; }

    public INamedTypeSymbol? Timeout { get; }

    /// <summary>Null when the compilation has no timer type at all: the timer rules then register nothing.</summary>
    public static TimerSymbols? Create(Compilation compilation)
    {
        var symbols = new TimerSymbols(compilation);
        return symbols.ThreadingTimer is null && symbols.TimersTimer is null && symbols.PeriodicTimer is null && symbols.TimerInterface is null
            ? null
            : symbols;
    }

    /// <summary>
    /// Whether a variable of this type can hold a timer: a timer type itself, or <c>object</c>, <c>IDisposable</c>,
    /// <c>IAsyncDisposable</c>.
    /// </summary>
    public bool CanHoldTimer(ITypeSymbol? type)
        => type is not null
            && (type.SpecialType is SpecialType.System_Object or SpecialType.System_IDisposable
                || type.Name == "IAsyncDisposable"
                || IsTimerClass(type)
                || type.IsType(TimerInterface));

    /// <summary>
    /// A new timer: <c>new</c> of one of the timer classes, or <c>TimeProvider.CreateTimer</c> (any override).
    /// </summary>
    public bool IsTimerCreation(IOperation operation, out ITypeSymbol timerType)
    {
        switch (operation)
        {
            case IObjectCreationOperation { Type: { } type } when IsTimerClass(type):
                timerType = type;
                return true;
            case IInvocationOperation { TargetMethod: { Name: "CreateTimer" } method, Type: { } returned }
                when method.ContainingType.IsOrDerivesFrom(TimeProvider) && returned.IsType(TimerInterface):
                timerType = returned;
                return true;
            default:
                timerType = null!;
                return false;
        }
    }

    /// <summary>
    /// A one-shot timer stops by itself after its single tick (a period of <c>Timeout.Infinite</c>, or
    /// <c>AutoReset = false</c> in the initializer), so leaving it undisposed leaks nothing that keeps running.
    /// </summary>
    public bool IsOneShot(IOperation creation)
    {
        switch (creation)
        {
            case IObjectCreationOperation { Initializer: { } initializer }
                when initializer.Initializers.Any(i => i is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "AutoReset" }, Value.ConstantValue: { HasValue: true, Value: false } }):
                return true;
            // `new Timer(callback)` starts disabled and passes itself as the callback's state, so that the callback
            // can dispose it: the one-shot idiom of the Timer documentation.
            case IObjectCreationOperation { Arguments.Length: 1 } selfState when selfState.Type.IsOrDerivesFrom(ThreadingTimer):
                return true;
            case IObjectCreationOperation { Arguments.Length: 4 } threadingTimer when threadingTimer.Type.IsOrDerivesFrom(ThreadingTimer):
                return threadingTimer.Arguments.GetArgumentValue("period") is { } period && IsNoPeriod(period);
            case IInvocationOperation { Arguments.Length: 4 } createTimer:
                return createTimer.Arguments.GetArgumentValue("period") is { } providedPeriod && IsNoPeriod(providedPeriod);
            default:
                return false;
        }
    }

    /// <summary>
    /// A creation that leaves the timer disabled: <c>new Timer(callback)</c>, or an infinite due time. Nothing runs
    /// until someone calls <c>Change</c>, which needs a reference.
    /// </summary>
    public bool IsCreatedDisabled(IOperation creation)
        => creation switch
        {
            IObjectCreationOperation { Arguments.Length: 1 } selfState => selfState.Type.IsOrDerivesFrom(ThreadingTimer),
            IObjectCreationOperation { Arguments.Length: 4 } threadingTimer => threadingTimer.Arguments.GetArgumentValue("dueTime") is { } due && IsInfinite(due),
            IInvocationOperation { Arguments.Length: 4 } createTimer => createTimer.Arguments.GetArgumentValue("dueTime") is { } providedDue && IsInfinite(providedDue),
            _ => false,
        };

    /// <summary>Timers that start on creation and, unreferenced, can be collected while still scheduled.</summary>
    public bool StartsOnCreation(ITypeSymbol timerType)
        => timerType.IsOrDerivesFrom(ThreadingTimer) || timerType.IsType(TimerInterface);

    private bool IsTimerClass(ITypeSymbol type)
        => type.IsOrDerivesFrom(ThreadingTimer) || type.IsOrDerivesFrom(TimersTimer) || type.IsOrDerivesFrom(PeriodicTimer);

    /// <summary>
    /// A call that stops the timer for good: <c>Dispose</c>, <c>DisposeAsync</c>, <c>Close</c> and <c>Stop</c>
    /// (System.Timers.Timer), or <c>Change(Timeout.Infinite, ...)</c>.
    /// </summary>
    public bool IsStoppingCall(IInvocationOperation invocation)
    {
        switch (invocation.TargetMethod.Name)
        {
            case "Dispose":
            case "DisposeAsync":
            case "Close":
            case "Stop":
                return true;
            // Change(Timeout.Infinite, ...) stops the timer; Change(due, 0 or Infinite) leaves one last tick.
            case "Change" when invocation.Arguments.Length > 0:
                return (invocation.Arguments.GetArgumentValue("dueTime") is { } changedDue && IsInfinite(changedDue))
                    || (invocation.Arguments.GetArgumentValue("period") is { } changedPeriod && IsNoPeriod(changedPeriod));
            default:
                return false;
        }
    }

    /// <summary>
    /// <c>Change(due, period)</c> with a finite due time and a period that is neither zero nor infinite: from here
    /// on the timer ticks periodically, whatever it was created with.
    /// </summary>
    public bool IsPeriodicStart(IInvocationOperation invocation)
        => invocation is { TargetMethod.Name: "Change", Arguments.Length: 2 }
            && (invocation.TargetMethod.ContainingType.IsOrDerivesFrom(ThreadingTimer) || invocation.TargetMethod.ContainingType.IsOrImplements(TimerInterface))
            && invocation.Arguments.GetArgumentValue("dueTime") is { } due && !IsInfinite(due)
            && invocation.Arguments.GetArgumentValue("period") is { } period && !IsNoPeriod(period);

    /// <summary>A period of zero or infinite: the timer ticks once and stops.</summary>
    private bool IsNoPeriod(IOperation value)
    {
        var period = value.WalkDownConversions();
        return IsInfinite(period)
            || (period.ConstantValue is { HasValue: true, Value: int or long or uint } constant && System.Convert.ToInt64(constant.Value, System.Globalization.CultureInfo.InvariantCulture) == 0)
            || period is IFieldReferenceOperation { Field.Name: "Zero", Field.ContainingType.Name: "TimeSpan" };
    }

    /// <summary><c>-1</c>, <c>Timeout.Infinite</c> or <c>Timeout.InfiniteTimeSpan</c>: "never" to a timer.</summary>
    private bool IsInfinite(IOperation value)
    {
        value = value.WalkDownConversions();
        return value.ConstantValue is { HasValue: true, Value: int or long or uint } constant
                && System.Convert.ToInt64(constant.Value, System.Globalization.CultureInfo.InvariantCulture) is -1 or uint.MaxValue
            || value is IFieldReferenceOperation { Field.Name: "InfiniteTimeSpan" or "Infinite" } field && field.Field.ContainingType.IsType(Timeout);
    }

    public static string DisplayName(ITypeSymbol timerType)
        => timerType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
}
