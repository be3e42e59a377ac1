using Chain.Node.Errors;
using Chain.Node.Execution;
using Chain.Sdk.Client;
using Chain.Tests.TestKit;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Node.Execution;

/// <summary>A query reads at most the channel's budget of state entries; past it, it stops, rather than occupying the node.</summary>
public class QueryBudgetTests
{
    [Fact]
    public void AQueryThatReadsMoreThanItsBudget_StopsWithQueryTooLarge_AndOneWithinItAnswers()
    {
        using var h = new LedgerHarness();
        h.Commit([.. Enumerable.Range(0, 30).Select(i => Build.Put($"k{i:D2}", "v", timestampMs: h.Now))]);
        var list = System.Text.Encoding.UTF8.GetBytes("{\"limit\":1000}");

        Assert.Equal(30, System.Text.Json.JsonDocument.Parse(BlockExecutor.Evaluate(h.Ledger, h.Contracts, "kv", "list", list, readBudget: 30).Value)
            .RootElement.GetArrayLength());
        var refused = Assert.Throws<QueryBudgetExceededException>(() => BlockExecutor.Evaluate(h.Ledger, h.Contracts, "kv", "list", list, readBudget: 10));
        Assert.Contains("more than 10 state entries", refused.Message);

        var answer = Answers.ToRpcException(refused);
        Assert.Equal(StatusCode.ResourceExhausted, answer.StatusCode);
        Assert.True(answer.Is(ErrorCodes.QueryTooLarge));
        Assert.StartsWith("QUERY_TOO_LARGE: the query read more than 10 state entries", answer.Status.Detail);
    }
}
