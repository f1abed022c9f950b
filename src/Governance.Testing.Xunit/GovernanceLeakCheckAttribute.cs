using System.Reflection;
using Xunit.Sdk;

namespace Governance.Testing;

/// <summary>
/// Checks each test it is put on (a test method, or every test of a class) for leaked governed work and timers, with
/// a <see cref="LeakCheck"/> that begins before the test method runs and is verified after it returns. Works with
/// parallel tests: each test sees only the work it started.
/// </summary>
/// <remarks>
/// <para><b>Why an attribute.</b> The check must begin in the flow that runs the test method, because its scope is an
/// <see cref="AsyncLocal{T}"/>. xunit 2 calls <see cref="BeforeAfterTestAttribute.Before"/> synchronously in that flow,
/// so a scope begun there reaches the test, and it needs no base class. (One begun in an <c>async</c>
/// <c>IAsyncLifetime.InitializeAsync</c> after an <c>await</c> does not: an async method's changes to an
/// <see cref="AsyncLocal{T}"/> end when it returns.)</para>
/// <para><b>What it covers.</b> Work the test method starts, and work that work starts. Not the test class's
/// constructor (it runs before <see cref="Before"/>), nor fixtures.</para>
/// <para><b>Time.</b> <see cref="LeakCheck.Current"/> is the running test's check: give the code under test its
/// <see cref="LeakCheck.TimeProvider"/> to have its undisposed timers reported.</para>
/// <para><b>Cost.</b> A test that leaves nothing behind pays one look. A leaky one blocks its xunit thread for up to
/// <see cref="RetryTimeoutMilliseconds"/> in <see cref="After"/>, which xunit 2 calls synchronously, then fails with a
/// <see cref="LeakCheckException"/> that lists each leaked group.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class GovernanceLeakCheckAttribute : BeforeAfterTestAttribute
{
    // The checks begun by this attribute in the running test's flow, innermost first (class and method may both carry it).
    private static readonly AsyncLocal<Began?> s_began = new();

    /// <summary>
    /// How long, in milliseconds, the check keeps looking before it fails (<see cref="LeakCheckOptions.RetryTimeout"/>).
    /// Defaults to 1000; 0 looks once; at most one hour.
    /// </summary>
    public int RetryTimeoutMilliseconds { get; set; } = 1000;

    /// <summary>Whether the test fails when nothing governed ran in it (<see cref="LeakCheckOptions.FailWhenNothingTracked"/>). Defaults to <see langword="false"/>.</summary>
    public bool FailWhenNothingTracked { get; set; }

    /// <summary>Members whose units and timers are not reported (<see cref="LeakCheckOptions.IgnoreSite"/> with a member).</summary>
    public string[]? IgnoreMembers { get; set; }

    /// <summary>Source files whose units and timers are not reported (<see cref="LeakCheckOptions.IgnoreSite"/> with a file).</summary>
    public string[]? IgnoreFiles { get; set; }

    /// <summary>Owner names (a group's, pool's, limiter's or ticker's <c>Name</c>) whose units are not reported (<see cref="LeakCheckOptions.IgnoreOwner"/> with a name).</summary>
    public string[]? IgnoreOwners { get; set; }

    /// <summary>Begins the test's check in the flow that is about to run the test method.</summary>
    /// <param name="methodUnderTest">The test method.</param>
    /// <exception cref="ArgumentException">A property is invalid; the message names it.</exception>
    public override void Before(MethodInfo methodUnderTest)
    {
        var check = LeakCheck.Begin(Options());
        s_began.Value = new Began(check, s_began.Value);
    }

    /// <summary>Verifies the test's check and ends it.</summary>
    /// <param name="methodUnderTest">The test method.</param>
    /// <exception cref="LeakCheckException">The test left governed work or a timer alive.</exception>
    public override void After(MethodInfo methodUnderTest)
    {
        if (s_began.Value is not { } began)
        {
            return;
        }

        s_began.Value = began.Outer;
        try
        {
            // xunit 2's After is synchronous. The check never captures a synchronization context, so waiting here cannot
            // deadlock; it blocks only while something is still alive, at most RetryTimeoutMilliseconds.
            began.Check.VerifyNoneAsync().GetAwaiter().GetResult();
        }
        finally
        {
            began.Check.Dispose();
        }
    }

    private LeakCheckOptions Options()
    {
        if (RetryTimeoutMilliseconds is < 0 or > 3_600_000)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryTimeoutMilliseconds), RetryTimeoutMilliseconds, "GovernanceLeakCheckAttribute.RetryTimeoutMilliseconds must be between 0 and 3600000 (one hour).");
        }

        var options = new LeakCheckOptions
        {
            RetryTimeout = TimeSpan.FromMilliseconds(RetryTimeoutMilliseconds),
            FailWhenNothingTracked = FailWhenNothingTracked,
        };
        foreach (var member in IgnoreMembers ?? Array.Empty<string>())
        {
            options.IgnoreSite(member: Named(member, nameof(IgnoreMembers)));
        }

        foreach (var file in IgnoreFiles ?? Array.Empty<string>())
        {
            options.IgnoreSite(file: Named(file, nameof(IgnoreFiles)));
        }

        foreach (var owner in IgnoreOwners ?? Array.Empty<string>())
        {
            options.IgnoreOwner(name: Named(owner, nameof(IgnoreOwners)));
        }

        return options;
    }

    private static string Named(string? value, string property) =>
        string.IsNullOrEmpty(value)
            ? throw new ArgumentException($"GovernanceLeakCheckAttribute.{property} must not hold a null or empty name.", property)
            : value;

    private sealed record Began(LeakCheck Check, Began? Outer);
}
