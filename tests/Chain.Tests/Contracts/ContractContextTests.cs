using Chain.Contracts.Abstractions;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts;

/// <summary>
/// The handler's view of a transaction: one live copy of every state object, so two parts of a handler that load
/// the same key change one object and the last write carries both changes.
/// </summary>
public sealed class ContractContextTests
{
    public sealed class Account
    {
        public long Balance { get; set; }
    }

    /// <summary>A contract whose one function loads the same account along two paths, as the purpose-change bug did.</summary>
    private sealed class TwoPathsContract : Contract
    {
        public override string Name => "twopaths";
        private const string Anyone = "ANY member";

        public TwoPathsContract()
        {
            Register("open", FunctionKind.Invoke, _ => 0, (c, _) => { c.Put("acct/a", new Account { Balance = 100 }); return null; }, Anyone);
            Register("move", FunctionKind.Invoke, a => (From: a.RequiredString("from"), To: a.RequiredString("to")), (c, args) =>
            {
                var from = c.Require<Account>("acct/" + args.From, "from");
                var to = c.Require<Account>("acct/" + args.To, "to");
                from.Balance -= 30;
                to.Balance += 30;
                c.Put("acct/" + args.From, from);
                c.Put("acct/" + args.To, to);
                return null;
            }, Anyone);
            Register("forget", FunctionKind.Invoke, _ => 0, (c, _) => { c.Require<Account>("acct/a", "a").Balance = 0; return null; }, Anyone);
            Register("scan", FunctionKind.Invoke, _ => 0, (c, _) =>
            {
                var loaded = c.Require<Account>("acct/a", "a");
                var scanned = Assert.Single(c.Objects<Account>("acct/")).Value;
                Assert.Same(loaded, scanned);
                c.DeleteState("acct/a");
                Assert.Null(c.Get<Account>("acct/a"));
                Assert.False(c.Exists("acct/a"));
                return null;
            }, Anyone);
        }
    }

    private readonly MemoryContractHost _host = new(new TwoPathsContract(), ["Org"]);
    private readonly Caller _caller = CharityWorld.Account("Org", "clerk");

    [Fact]
    public void TheSameKeyTwice_IsOneObject_SoAMoveWithinOneAccountConservesIt()
    {
        _host.Invoke(_caller, "open", new { });
        _host.Invoke(_caller, "move", new { from = "a", to = "a" });
        // Two copies would end with the last write: 130 from nowhere (or 70 lost).
        Assert.Equal(100, _host.Get<Account>("acct/a")!.Balance);
    }

    [Fact]
    public void ScansReturnTheLiveObject_AndADeleteIsSeenByLaterReads()
    {
        _host.Invoke(_caller, "open", new { });
        _host.Invoke(_caller, "scan", new { });
    }

    [Fact]
    public void AChangeNeverWrittenBack_IsReportedByTheTestHost()
    {
        _host.Invoke(_caller, "open", new { });
        var error = Assert.Throws<InvalidOperationException>(() => _host.Invoke(_caller, "forget", new { }));
        Assert.Contains("acct/a", error.Message);
    }
}
