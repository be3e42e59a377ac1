using Chain.Sdk.Client;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Sdk;

/// <summary>The one retry policy of clients: which failures are tried again, where, and how long it pauses.</summary>
public sealed class RetryPolicyTests
{
    private static RpcException Answer(StatusCode status, string? code) =>
        new(new Status(status, code is null ? "no node answered" : code + ": …"), code is null ? [] : new Metadata { { ErrorCodes.CodeTrailer, code } });

    [Theory]
    [InlineData(StatusCode.Unavailable, "NO_LEADER", RetryPolicy.Verdict.Again)]
    [InlineData(StatusCode.Unavailable, "NOT_LEADER", RetryPolicy.Verdict.Again)]
    [InlineData(StatusCode.Unavailable, "NO_ORDERER", RetryPolicy.Verdict.Again)]
    [InlineData(StatusCode.Unavailable, "BUSY", RetryPolicy.Verdict.Again)]
    [InlineData(StatusCode.Unavailable, "STOPPING", RetryPolicy.Verdict.Elsewhere)]
    [InlineData(StatusCode.Unavailable, "HALTED", RetryPolicy.Verdict.ElsewhereOnly)]
    [InlineData(StatusCode.Unavailable, null, RetryPolicy.Verdict.Elsewhere)] // the connection, not the node, failed
    [InlineData(StatusCode.Internal, null, RetryPolicy.Verdict.Elsewhere)]
    [InlineData(StatusCode.Cancelled, null, RetryPolicy.Verdict.GiveUp)]
    [InlineData(StatusCode.DeadlineExceeded, null, RetryPolicy.Verdict.GiveUp)]
    [InlineData(StatusCode.AlreadyExists, "DUPLICATE_TXID", RetryPolicy.Verdict.GiveUp)]
    [InlineData(StatusCode.PermissionDenied, "NOT_AUTHORIZED", RetryPolicy.Verdict.GiveUp)]
    [InlineData(StatusCode.FailedPrecondition, "EXPIRED", RetryPolicy.Verdict.GiveUp)]
    public void Judge_RetriesWhatMeansNotNow_AndNothingElse(StatusCode status, string? code, RetryPolicy.Verdict expected) =>
        Assert.Equal(expected, RetryPolicy.Judge(Answer(status, code)));

    [Fact]
    public void AHaltedNode_IsLeftForTheNextEndpoint_ButWithNoOtherTheCallGivesUp()
    {
        using var one = new ChainClient("http://127.0.0.1:1");
        Assert.False(RetryPolicy.TryAgain(RetryPolicy.Verdict.ElsewhereOnly, one, out var moved));
        Assert.False(moved);
        Assert.True(RetryPolicy.TryAgain(RetryPolicy.Verdict.Elsewhere, one, out _)); // a gone or stopping node may come back

        using var two = new ChainClient("http://127.0.0.1:1, http://127.0.0.1:2");
        Assert.Equal(["http://127.0.0.1:1", "http://127.0.0.1:2"], two.Endpoints);
        Assert.True(RetryPolicy.TryAgain(RetryPolicy.Verdict.ElsewhereOnly, two, out moved));
        Assert.True(moved);
        Assert.Equal("http://127.0.0.1:2", two.Endpoint);
        Assert.True(RetryPolicy.TryAgain(RetryPolicy.Verdict.Again, two, out moved));
        Assert.False(moved); // the same node again
    }

    [Fact]
    public void Pauses_Double_FromTheFirst_UpToTheMost_EachHalfFixedHalfRandom()
    {
        var policy = RetryPolicy.Default;
        for (int attempt = 1; attempt <= 12; attempt++)
        {
            double full = Math.Min(policy.MaxPause.TotalMilliseconds, policy.FirstPause.TotalMilliseconds * Math.Pow(2, attempt - 1));
            var pauses = Enumerable.Range(0, 200).Select(_ => policy.Pause(attempt).TotalMilliseconds).ToList();
            Assert.All(pauses, p => Assert.InRange(p, full / 2, full));
            Assert.True(pauses.Distinct().Count() > 1, "jittered");
        }
        Assert.Equal(TimeSpan.Zero, RetryPolicy.Never.Deadline);
    }
}
