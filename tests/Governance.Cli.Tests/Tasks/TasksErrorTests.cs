using System.Diagnostics;
using Governance.Cli.Diagnosis.Tasks;

namespace Governance.Cli.Tests.Tasks;

/// <summary>A process that cannot be looked at gets one clear line and exit code 2, never a stack trace.</summary>
[Collection(TargetProcesses.Name)]
public sealed class TasksErrorTests
{
    [Fact]
    public async Task NoSuchProcess_OneLine_Exit2()
    {
        var (exit, output, errors) = await TasksCommandTests.RunAsync("tasks", (int.MaxValue - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(2, exit);
        Assert.Equal($"governance: no process with id {int.MaxValue - 1}", errors.Trim());
        Assert.Empty(output);
    }

    [Theory]
    [InlineData("dump", "it is not a .NET process with a diagnostics socket")]
    [InlineData("attach", "is not a .NET process")]
    public async Task NotADotnetProcess_OneLine_Exit2(string method, string expected)
    {
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            // A process of its own: this test host is the sleeper's parent, and a parent cannot also be its tracer here.
            var (exit, _, errors) = await CliProcess.RunAsync("tasks", sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--method", method);

            Assert.Equal(2, exit);
            Assert.Single(errors.Trim().Split('\n'));
            Assert.True(
                errors.Contains(expected, StringComparison.Ordinal) || (method == "attach" && errors.Contains("permission denied (ptrace)", StringComparison.Ordinal)),
                errors);
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Theory]
    [InlineData("--diff", "soon")]
    [InlineData("--diff", "0s")]
    [InlineData("--top", "0")]
    [InlineData("--format", "xml")]
    [InlineData("--method", "peek")]
    public async Task MalformedOption_IsAUsageError_InOneLineNamingIt(string option, string value)
    {
        var (exit, _, errors) = await TasksCommandTests.RunAsync("tasks", "1", option, value);

        Assert.Equal(2, exit);
        Assert.StartsWith("governance: ", errors, StringComparison.Ordinal);
        Assert.Contains(option, errors, StringComparison.Ordinal);
        Assert.Single(errors.Trim().Split('\n'));
    }

    [Fact]
    public void RuntimeTooOld_SaysWhichVersionAndWhatIsNeeded()
    {
        Assert.Equal(
            "process 42 runs .NET 6.0; governance tasks reads .NET 8 or newer",
            SnapshotTaker.TooOld(42, new Version(6, 0, 36)));
    }

    [Theory]
    [InlineData("/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/libcoreclr.so", "10.0.12")]
    [InlineData("/opt/dotnet/shared/Microsoft.NETCore.App/9.0.0-rc.2.24473.5/libcoreclr.so", "9.0.0")]
    [InlineData("/app/libcoreclr.so", null)]
    [InlineData(null, null)]
    public void RuntimeVersion_FromTheSharedFrameworkFolder(string? path, string? expected)
    {
        Assert.Equal(expected, SnapshotTaker.VersionFromRuntimePath(path)?.ToString(3));
    }

    [Fact]
    public void AttachRefused_NamesPtraceAndTheWayOut()
    {
        var error = SnapshotTaker.AttachFailed(7, new UnauthorizedAccessException("Operation not permitted"));

        Assert.StartsWith("cannot attach to process 7: permission denied (ptrace).", error.Message, StringComparison.Ordinal);
        Assert.Contains("--method dump", error.Message, StringComparison.Ordinal);
    }
}
