using System.Reflection;
using Xunit.Abstractions;

namespace Governance.Testing.Tests;

/// <summary>
/// The attribute as xunit runs it (a test that leaves nothing behind passes; the check is <see cref="LeakCheck.Current"/>
/// inside the test), and as these tests drive it by hand (a leak fails <see cref="GovernanceLeakCheckAttribute.After"/>,
/// which a real test could not show without failing).
/// </summary>
public sealed class GovernanceLeakCheckAttributeTests
{
    private static readonly MethodInfo AnyTest = typeof(GovernanceLeakCheckAttributeTests).GetMethod(nameof(ATestThatLeaves_NothingBehind_Passes))!;

    [Fact]
    [GovernanceLeakCheck]
    public async Task ATestThatLeaves_NothingBehind_Passes()
    {
        var check = LeakCheck.Current;
        Assert.NotNull(check);
        await Governed.Run(_ => Task.CompletedTask).Bounded();
        using (check.TimeProvider.CreateTimer(static _ => { }, null, TimeSpan.FromMinutes(1), Timeout.InfiniteTimeSpan))
        {
            Assert.True(check.Inspect().HasLeaks);
        }

        Assert.Equal(1, check.UnitsStarted);
    }

    [Fact]
    public async Task After_ALeak_FailsWithTheReport_AndEndsTheCheck()
    {
        var attribute = new GovernanceLeakCheckAttribute { RetryTimeoutMilliseconds = 50 };
        var gate = TestSupport.Gate();
        attribute.Before(AnyTest);
        var check = LeakCheck.Current;
        Assert.NotNull(check);
        var run = Governed.Run(_ => gate.Task); // leaked under the attribute

        var ex = Assert.Throws<LeakCheckException>(() => attribute.After(AnyTest));
        Assert.Equal(TestSupport.LineOf("var run = Governed.Run(_ => gate.Task); // leaked under the attribute"), Assert.Single(ex.Result.Units).Site.Line);
        Assert.Null(LeakCheck.Current);
        gate.SetResult();
        await run.Bounded();
        await Governed.Run(_ => Task.CompletedTask).Bounded();
        Assert.Equal(1, check.UnitsStarted); // the scope ended with After
    }

    [Fact]
    public async Task IgnoreProperties_LeaveOutTheWorkTheyName()
    {
        var attribute = new GovernanceLeakCheckAttribute
        {
            RetryTimeoutMilliseconds = 50,
            IgnoreOwners = [IgnorableWork.OwnerName],
            IgnoreMembers = [nameof(IgnorableWork.CreateTimer)],
            IgnoreFiles = ["Another.cs"],
        };
        var gate = TestSupport.Gate();
        await using var group = new TaskGroup(new TaskGroupOptions { MaxConcurrency = 1, Name = IgnorableWork.OwnerName });
        attribute.Before(AnyTest);
        await IgnorableWork.StartIgnorable(group, gate.Task);
        using var timer = IgnorableWork.CreateTimer(LeakCheck.Current!.TimeProvider);

        attribute.After(AnyTest); // passes: both are ignored
        gate.SetResult();
        await group.WaitAsync().Bounded();
    }

    [Fact]
    public void FailWhenNothingTracked_FailsATestInWhichNothingGovernedRan()
    {
        var attribute = new GovernanceLeakCheckAttribute { FailWhenNothingTracked = true };
        attribute.Before(AnyTest);
        var ex = Assert.Throws<LeakCheckException>(() => attribute.After(AnyTest));
        Assert.True(ex.Result.NothingTracked);

        var lenient = new GovernanceLeakCheckAttribute();
        lenient.Before(AnyTest);
        lenient.After(AnyTest); // passes; the result says it looked at nothing
        Assert.Null(LeakCheck.Current);
    }

    [Fact]
    public void ClassAndMethodBothCarryingIt_NestTwoChecks_AndUnwindThem()
    {
        var onClass = new GovernanceLeakCheckAttribute();
        var onMethod = new GovernanceLeakCheckAttribute();
        onClass.Before(AnyTest);
        var outer = LeakCheck.Current;
        onMethod.Before(AnyTest);
        Assert.NotSame(outer, LeakCheck.Current);
        onMethod.After(AnyTest);
        Assert.Same(outer, LeakCheck.Current);
        onClass.After(AnyTest);
        Assert.Null(LeakCheck.Current);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3_600_001)]
    public void RetryTimeoutMilliseconds_OutOfRange_FailsBeforeTheTest_NamingIt(int milliseconds)
    {
        var attribute = new GovernanceLeakCheckAttribute { RetryTimeoutMilliseconds = milliseconds };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => attribute.Before(AnyTest));
        Assert.Contains("GovernanceLeakCheckAttribute.RetryTimeoutMilliseconds", ex.Message, StringComparison.Ordinal);
        Assert.Null(LeakCheck.Current);
    }

    [Fact]
    public void IgnoreProperties_WithAnEmptyName_FailBeforeTheTest_NamingThem()
    {
        var ex = Assert.Throws<ArgumentException>(() => new GovernanceLeakCheckAttribute { IgnoreOwners = [""] }.Before(AnyTest));
        Assert.Contains("GovernanceLeakCheckAttribute.IgnoreOwners", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => new GovernanceLeakCheckAttribute { IgnoreMembers = [null!] }.Before(AnyTest));
        Assert.Contains("GovernanceLeakCheckAttribute.IgnoreMembers", ex.Message, StringComparison.Ordinal);
        Assert.Null(LeakCheck.Current);
    }

    [Fact]
    public async Task TwoTestsAtOnce_EachFailsWithItsOwnLeakOnly()
    {
        var gate = TestSupport.Gate();
        var aLeaked = TestSupport.Gate();
        var bLeaked = TestSupport.Gate();
        await using var groupA = new TaskGroup(new TaskGroupOptions { MaxConcurrency = 1, Name = "attribute-a" });
        await using var groupB = new TaskGroup(new TaskGroupOptions { MaxConcurrency = 1, Name = "attribute-b" });

        var a = Task.Run(() => RunAsTestAsync(groupA, aLeaked, bLeaked.Task, gate.Task));
        var b = Task.Run(() => RunAsTestAsync(groupB, bLeaked, aLeaked.Task, gate.Task));
        var failures = await Task.WhenAll(a, b).Bounded();

        Assert.Equal("attribute-a", Assert.Single(failures[0].Result.Units).OwnerName);
        Assert.Equal("attribute-b", Assert.Single(failures[1].Result.Units).OwnerName);
        gate.SetResult();
        await Task.WhenAll(groupA.WaitAsync(), groupB.WaitAsync()).Bounded();
    }

    // What xunit does around one test: Before in the test's flow, the test, After in the same flow.
    private static async Task<LeakCheckException> RunAsTestAsync(TaskGroup group, TaskCompletionSource leaked, Task otherLeaked, Task gate)
    {
        var attribute = new GovernanceLeakCheckAttribute { RetryTimeoutMilliseconds = 50 };
        attribute.Before(AnyTest);
        await TestBodyAsync();
        return Assert.Throws<LeakCheckException>(() => attribute.After(AnyTest));

        async Task TestBodyAsync()
        {
            Assert.True(await group.GoAsync(_ => gate));
            leaked.SetResult();
            await otherLeaked.Bounded(); // both "tests" are inside their checks, and both leaks are alive
        }
    }
}

/// <summary>Two test classes run in parallel by xunit (each class is its own collection), both under the attribute.</summary>
internal static class ParallelRendezvous
{
    internal static readonly TaskCompletionSource A = TestSupport.Gate();
    internal static readonly TaskCompletionSource B = TestSupport.Gate();

    /// <summary>
    /// Leaks one run held by a gate, waits a while for the other class's test to do the same (they overlap when xunit runs
    /// them at once; when it does not, the test still checks its own isolation), and checks that its own check lists
    /// exactly its own run. Then ends its run, so that the attribute's check passes.
    /// </summary>
    internal static async Task<bool> LeakAndCheckIsolationAsync(TaskCompletionSource mine, TaskCompletionSource other, string marker)
    {
        var check = LeakCheck.Current;
        Assert.NotNull(check);
        var gate = TestSupport.Gate();
        var run = StartRun(gate.Task, marker);
        mine.TrySetResult();
        var overlapped = await Task.WhenAny(other.Task, Task.Delay(TimeSpan.FromSeconds(3))) == other.Task;

        var unit = Assert.Single(check.Inspect().Units);
        Assert.Equal(marker, unit.Site.Member);
        gate.SetResult();
        await run.Bounded();
        return overlapped;
    }

    // The marker names the site, so that each test can tell its run from the other's.
    private static Task StartRun(Task gate, string marker) => marker switch
    {
        "ParallelA" => ParallelA(gate),
        _ => ParallelB(gate),
    };

    private static Task ParallelA(Task gate) => Governed.Run(_ => gate);

    private static Task ParallelB(Task gate) => Governed.Run(_ => gate);
}

[GovernanceLeakCheck]
public sealed class ParallelLeakCheckATests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoTestsInParallel_EachCheckSeesOnlyItsOwnWork_A()
    {
        var overlapped = await ParallelRendezvous.LeakAndCheckIsolationAsync(ParallelRendezvous.A, ParallelRendezvous.B, "ParallelA");
        output.WriteLine(overlapped ? "ran at the same time as B" : "B did not run at the same time");
    }
}

[GovernanceLeakCheck]
public sealed class ParallelLeakCheckBTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoTestsInParallel_EachCheckSeesOnlyItsOwnWork_B()
    {
        var overlapped = await ParallelRendezvous.LeakAndCheckIsolationAsync(ParallelRendezvous.B, ParallelRendezvous.A, "ParallelB");
        output.WriteLine(overlapped ? "ran at the same time as A" : "A did not run at the same time");
    }
}
