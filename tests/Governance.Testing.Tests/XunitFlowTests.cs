using System.Reflection;
using Xunit.Sdk;

namespace Governance.Testing.Tests;

/// <summary>
/// The experiment the xunit integration rests on: which of xunit 2's hooks runs in the flow that then runs the test
/// method, so that an <see cref="AsyncLocal{T}"/> (the census scope) set there reaches the test. If an xunit update
/// changes this, these tests say so before the leak check silently stops seeing a test's work.
/// </summary>
public sealed class XunitFlowTests : IAsyncLifetime
{
    private static readonly AsyncLocal<string?> s_setInInitializeAsync = new();
    private static readonly AsyncLocal<string?> s_setSynchronouslyInInitializeAsync = new();
    private static readonly AsyncLocal<string?> s_setInConstructor = new();

    public XunitFlowTests() => s_setInConstructor.Value = "constructor";

    public Task InitializeAsync()
    {
        s_setSynchronouslyInInitializeAsync.Value = "initialize, synchronously";
        return SetAsync();

        static async Task SetAsync()
        {
            s_setInInitializeAsync.Value = "initialize";
            await Task.Yield();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void AnAsyncLocalSetInInitializeAsync_ReachesTheTestMethod_OnlyWhenSetBeforeItsFirstAwait()
    {
        // xunit awaits InitializeAsync in the same async frame that then calls the test method, so a value set
        // synchronously (before InitializeAsync's first await, or in a non-async InitializeAsync) reaches the test; one
        // set inside an async method is gone when that method returns, as anywhere in .NET.
        Assert.Equal("initialize, synchronously", s_setSynchronouslyInInitializeAsync.Value);
        Assert.Null(s_setInInitializeAsync.Value);
    }

    [Fact]
    [FlowProbe]
    public void AnAsyncLocalSetInBeforeAfterTestAttributeBefore_ReachesTheTestMethod()
    {
        Assert.Equal("before", FlowProbeAttribute.Value);
    }

    [Fact]
    public void AnAsyncLocalSetInTheTestClassConstructor_ReachesTheTestMethod_ButTheConstructorRunsBeforeTheAttributes()
    {
        // Not used by the leak check: a base class would have to begin the check in its constructor or in a non-async
        // InitializeAsync, and tie every test class to it. Recorded because it is another way in.
        Assert.Equal("constructor", s_setInConstructor.Value);
    }

    [AttributeUsage(AttributeTargets.Method)]
    private sealed class FlowProbeAttribute : BeforeAfterTestAttribute
    {
        private static readonly AsyncLocal<string?> s_value = new();

        public static string? Value => s_value.Value;

        public override void Before(MethodInfo methodUnderTest) => s_value.Value = "before";

        public override void After(MethodInfo methodUnderTest) => s_value.Value = null;
    }
}
