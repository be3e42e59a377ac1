using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Crypto;

namespace Chain.Tests.TestKit;

/// <summary>A small hand-made channel configuration with accounts in known roles.</summary>
public static class TestNetwork
{
    public static readonly AccountKey BankAdmin = AccountKey.Generate();
    public static readonly AccountKey Teller = AccountKey.Generate();
    public static readonly AccountKey Donor = AccountKey.Generate();
    public static readonly AccountKey RegulatorAdmin = AccountKey.Generate();
    public static readonly AccountKey Regulator = AccountKey.Generate();
    public static readonly AccountKey AuditAdmin = AccountKey.Generate();
    public static readonly AccountKey Auditor = AccountKey.Generate();

    public static ChannelConfig Config(string channel = LedgerHarness.Channel)
    {
        var config = new ChannelConfig
        {
            Channel = channel,
            Contract = new ContractRef { Name = "kv", Version = "1.0" },
            Organizations =
            {
                new OrganizationConfig { Name = "Bank", Roles = { "admin", "bank", "teller", "donor" } },
                new OrganizationConfig { Name = "CivilAffairs", Roles = { "admin", "regulator" } },
                new OrganizationConfig { Name = "AuditBureau", Roles = { "admin", "auditor" } },
            },
            Policies = { new NamedPolicy { Name = "admins", Expression = "MAJORITY admin" }, new NamedPolicy { Name = "writers", Expression = "ANY member" } },
            Consenters = { new ConsenterConfig { Node = "bank-node1", Organization = "Bank", Host = "127.0.0.1", Port = 7051, Address = Google.Protobuf.ByteString.CopyFrom(LedgerHarness.NodeKey.Address) } },
            Batch = new BatchParameters { MaxTxCount = 2000, MaxBytes = 8 * 1024 * 1024, TimeoutMs = 50 },
        };
        void Add(AccountKey key, string org, params string[] roles) => config.Members.Add(ChannelConfigBuilder.Enroll(key.AddressText, org, roles));
        void Admin(AccountKey key, string org) => config.Organizations.Single(o => o.Name == org).Admins.Add(Google.Protobuf.ByteString.CopyFrom(key.Address));
        Admin(BankAdmin, "Bank");
        Add(Teller, "Bank", "bank", "teller");
        Add(Donor, "Bank", "donor");
        Add(Build.Alice, "Bank", "bank");
        Add(Build.Bob, "Bank", "donor");
        Admin(RegulatorAdmin, "CivilAffairs");
        Add(Regulator, "CivilAffairs", "regulator");
        Admin(AuditAdmin, "AuditBureau");
        Add(Auditor, "AuditBureau", "auditor");
        return config;
    }
}
