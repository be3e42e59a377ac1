using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Tests.TestKit;
using Xunit;
using static Chain.Tests.TestKit.TestNetwork;

namespace Chain.Tests.Node.Membership;

public class AuthorizationTests
{
    private static LedgerHarness Configured() => new(Config());

    private static TxResult Run(LedgerHarness h, AccountKey signer, string function, string contract = "guarded", string args = "{}") =>
        Assert.Single(h.Commit(Build.Call(function, args, signer, contract: contract, timestampMs: h.Now)).Results);

    public static TheoryData<string, string, string, bool, string> Matrix => new()
    {
        // role, signer, function, allowed, missing principal named in the refusal
        { "bank", "teller", "confirm", true, "" },
        { "donor", "donor", "confirm", false, "Bank.bank" },
        { "regulator", "regulator", "regulate", true, "" },
        { "bank", "teller", "regulate", false, "CivilAffairs.regulator" },
        { "auditor", "auditor", "inspect", true, "" },
        { "donor", "donor", "inspect", false, "OR(AuditBureau.auditor, CivilAffairs.regulator)" },
        { "regulator", "regulator", "inspect", true, "" },
        { "admin", "bankAdmin", "confirm", false, "Bank.bank" },
        { "member", "donor", "note", true, "" },
        { "auditor", "auditor", "cosign", false, "AND(Bank.bank, AuditBureau.auditor)" },
    };

    private static AccountKey Signer(string name) => name switch
    {
        "teller" => Teller, "donor" => Donor, "regulator" => Regulator, "auditor" => Auditor, "bankAdmin" => BankAdmin,
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void EachRole_IsAllowedOrRefusedNamingTheMissingPrincipal(string role, string signer, string function, bool allowed, string principal)
    {
        using var h = Configured();
        var root = h.Ledger.StateRoot;
        var result = Run(h, Signer(signer), function);
        if (allowed)
        {
            Assert.Equal(ValidationCode.Valid, result.Code);
            return;
        }
        Assert.Equal(ValidationCode.NotAuthorized, result.Code);
        Assert.Contains($"guarded.{function} requires {principal}", result.Message);
        Assert.Contains("roles " + (role == "admin" ? "admin, member" : $"{role}, member"), result.Message);
        Assert.Equal(root, h.Ledger.StateRoot);
    }

    [Fact]
    public void CallerSeenByTheContract_HasOrganisationAndRoles()
    {
        using var h = Configured();
        var block = h.Commit(Build.Call("confirm", "{}", Teller, contract: "guarded", timestampMs: h.Now));
        var txId = Chain.Sdk.Transactions.TransactionFactory.TxIdOf(block.Transactions[0]);
        var stored = h.Ledger.GetState(Chain.Node.Storage.KeyCodec.State("guarded", "confirmed/" + txId));
        Assert.Equal("Bank:bank,member,teller", System.Text.Encoding.UTF8.GetString(stored!));
    }

    [Fact]
    public void UnknownSigner_IsNotAuthorized()
    {
        using var h = Configured();
        var result = Run(h, AccountKey.Generate(), "put", "kv", "{\"key\":\"k\",\"value\":\"v\"}");
        Assert.Equal(ValidationCode.NotAuthorized, result.Code);
        Assert.Contains("is not enrolled on channel 'sandbox'", result.Message);
    }

    [Fact]
    public void Enrolment_TakesEffectFromTheNextBlock()
    {
        using var h = Configured();
        var newcomer = AccountKey.Generate();
        var block = h.Commit(
            Build.Call("enroll", $"{{\"address\":\"{newcomer.AddressText}\",\"roles\":[\"bank\"]}}", BankAdmin, contract: "_members", timestampMs: h.Now),
            Build.Call("confirm", "{}", newcomer, contract: "guarded", timestampMs: h.Now));
        Assert.Equal([ValidationCode.Valid, ValidationCode.NotAuthorized], block.Results.Select(r => r.Code));

        Assert.Equal(ValidationCode.Valid, Run(h, newcomer, "confirm").Code);
    }

    [Fact]
    public void Revocation_TakesEffectFromTheNextBlock()
    {
        using var h = Configured();
        var block = h.Commit(
            Build.Call("revoke", $"{{\"address\":\"{Teller.AddressText}\"}}", BankAdmin, contract: "_members", timestampMs: h.Now),
            Build.Call("confirm", "{}", Teller, contract: "guarded", timestampMs: h.Now));
        Assert.Equal([ValidationCode.Valid, ValidationCode.Valid], block.Results.Select(r => r.Code));

        var after = Run(h, Teller, "confirm");
        Assert.Equal(ValidationCode.NotAuthorized, after.Code);
        Assert.Contains($"was revoked by Bank in block {block.Header.Number}", after.Message);
    }

    [Theory]
    [InlineData("teller", "enroll", "{\"address\":\"ADDR\",\"roles\":[\"bank\"]}", ValidationCode.NotAuthorized, "requires ANY admin")]
    [InlineData("regulatorAdmin", "revoke", "{\"address\":\"TELLER\"}", ValidationCode.ContractError, "belongs to Bank; only its admins can revoke it")]
    [InlineData("bankAdmin", "enroll", "{\"address\":\"ADDR\",\"roles\":[\"regulator\"]}", ValidationCode.ContractError, "role 'regulator' is not one of Bank's roles")]
    [InlineData("bankAdmin", "enroll", "{\"address\":\"ADDR\",\"roles\":[\"admin\"]}", ValidationCode.BadArgs, "admin role is granted by the channel configuration")]
    [InlineData("regulatorAdmin", "enroll", "{\"address\":\"TELLER\",\"roles\":[\"regulator\"]}", ValidationCode.ContractError, "is enrolled by Bank; CivilAffairs cannot change it")]
    [InlineData("bankAdmin", "revoke", "{\"address\":\"BANKADMIN\"}", ValidationCode.ContractError, "is not enrolled")]
    public void MembershipRules_RefuseWithSpecificReasons(string signer, string function, string args, ValidationCode code, string message)
    {
        using var h = Configured();
        var key = signer switch { "teller" => Teller, "regulatorAdmin" => RegulatorAdmin, _ => BankAdmin };
        args = args.Replace("ADDR", AccountKey.Generate().AddressText).Replace("TELLER", Teller.AddressText).Replace("BANKADMIN", BankAdmin.AddressText);
        var root = h.Ledger.StateRoot;
        var result = Run(h, key, function, "_members", args);
        Assert.Equal(code, result.Code);
        Assert.Contains(message, result.Message);
        Assert.Equal(root, h.Ledger.StateRoot);
    }

    [Fact]
    public void RevokedAccount_CannotBeTakenOverByAnotherOrganisation()
    {
        using var h = Configured();
        Assert.Equal(ValidationCode.Valid, Run(h, BankAdmin, "revoke", "_members", $"{{\"address\":\"{Teller.AddressText}\"}}").Code);
        var takeover = Run(h, RegulatorAdmin, "enroll", "_members", $"{{\"address\":\"{Teller.AddressText}\",\"roles\":[\"regulator\"]}}");
        Assert.Equal(ValidationCode.ContractError, takeover.Code);
        Assert.Contains("is enrolled by Bank", takeover.Message);
    }

    [Fact]
    public void AdminEnrollingItsOwnAccount_KeepsTheAdminRole()
    {
        using var h = Configured();
        Assert.Equal(ValidationCode.Valid, Run(h, BankAdmin, "enroll", "_members", $"{{\"address\":\"{BankAdmin.AddressText}\",\"roles\":[\"bank\"]}}").Code);
        var newcomer = AccountKey.Generate();
        Assert.Equal(ValidationCode.Valid, Run(h, BankAdmin, "enroll", "_members", $"{{\"address\":\"{newcomer.AddressText}\",\"roles\":[\"donor\"]}}").Code);
        Assert.Equal(ValidationCode.Valid, Run(h, BankAdmin, "confirm").Code); // admin now also has the bank role
    }

    [Fact]
    public void ChannelWithoutConfiguration_EnforcesNothing()
    {
        using var h = new LedgerHarness();
        Assert.Equal(ValidationCode.Valid, Run(h, AccountKey.Generate(), "confirm").Code);
    }
}
