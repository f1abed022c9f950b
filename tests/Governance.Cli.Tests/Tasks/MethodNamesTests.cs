using Governance.Cli.Diagnosis.Tasks;

namespace Governance.Cli.Tests.Tasks;

public sealed class MethodNamesTests
{
    [Theory]
    [InlineData("Shop.OrderStore+<SaveAsync>d__2", "OrderStore.SaveAsync", "Shop.OrderStore.SaveAsync")]
    [InlineData("Shop.Outer+Inner+<RunAsync>d__0", "Outer.Inner.RunAsync", "Shop.Outer.Inner.RunAsync")]
    [InlineData("Shop.Program+<>c+<<Main>b__0_0>d", "Program.Main.lambda", "Shop.Program.Main.lambda")]
    [InlineData("Shop.Program+<>c__DisplayClass0_0+<<Main>b__1>d", "Program.Main.lambda", "Shop.Program.Main.lambda")]
    [InlineData("Shop.Worker+<<ExecuteAsync>g__PollAsync|3_0>d", "Worker.ExecuteAsync.PollAsync", "Shop.Worker.ExecuteAsync.PollAsync")]
    [InlineData("Program+<<Main>$>d__0", "Program.Main", "Program.Main")]
    [InlineData("Shop.Cache<System.String>+<GetAsync>d__4<System.Int32>", "Cache.GetAsync", "Shop.Cache.GetAsync")]
    [InlineData("Shop.Listener+<AcceptAsync>d__7<System.__Canon>", "Listener.AcceptAsync", "Shop.Listener.AcceptAsync")]
    public void FromStateMachine_NamesTheMethodAsWritten(string stateMachine, string expectedShort, string expectedQualified)
    {
        var (shortName, qualified) = MethodNames.FromStateMachine(stateMachine);

        Assert.Equal(expectedShort, shortName);
        Assert.Equal(expectedQualified, qualified);
    }

    [Fact]
    public void StateMachineOfBox_IsTheBoxsTypeArgument()
    {
        Assert.Equal(
            "Shop.OrderStore+<SaveAsync>d__2",
            MethodNames.StateMachineOfBox("System.Runtime.CompilerServices.AsyncTaskMethodBuilder<System.Threading.Tasks.VoidTaskResult>+AsyncStateMachineBox<Shop.OrderStore+<SaveAsync>d__2>"));
        Assert.Null(MethodNames.StateMachineOfBox("System.Threading.Tasks.Task"));
    }

    [Theory]
    [InlineData("Shop.Jobs.Heartbeat", "Beat", "Heartbeat.Beat")]
    [InlineData("Shop.Program+<>c", "<Main>b__0_1", "Program.Main.lambda")]
    [InlineData(null, "Beat", "Beat")]
    [InlineData("System.Net.Http.HttpConnectionPoolManager+<>c", "<.ctor>b__12_0", "HttpConnectionPoolManager.ctor.lambda")]
    public void FromMethod_NamesATimerCallback(string? type, string method, string expected)
    {
        Assert.Equal(expected, MethodNames.FromMethod(type, method).Short);
    }

    [Theory]
    [InlineData("System.Threading.Channels.BoundedChannel<Shop.Order>", "BoundedChannel")]
    [InlineData("Shop.Outer+Inner", "Outer.Inner")]
    public void ShortType_DropsNamespaceAndGenericArguments(string type, string expected)
    {
        Assert.Equal(expected, MethodNames.ShortType(type));
    }

    [Theory]
    [InlineData("System.Threading.Tasks.Task<Shop.Order>", "Task<Order>")]
    [InlineData("System.Collections.Generic.Dictionary<System.String, System.Collections.Generic.List<Shop.Order>>", "Dictionary<String, List>")]
    [InlineData("Shop.Outer+Inner", "Outer.Inner")]
    public void ShortTypeWithArguments_NamesTheArgumentsShort(string type, string expected)
    {
        Assert.Equal(expected, MethodNames.ShortTypeWithArguments(type));
    }
}
