using Chain.Node.Configuration;
using Chain.Node.Membership.Crypto;
using System.Security.Cryptography.X509Certificates;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Google.Protobuf;

namespace Chain.Node.Membership;

/// <summary>Turns a channel of the network file plus the generated crypto material into the channel configuration.</summary>
public static class ChannelConfigBuilder
{
    /// <param name="extraMembers">Further accounts to enrol at genesis (address, organisation, roles), beyond the manifest's.</param>
    public static ChannelConfig Build(NetworkDefinition network, string channelName, CryptoManifest manifest, string cryptoRoot,
        IEnumerable<Enrollment>? extraMembers = null)
    {
        var channel = network.Channels.FirstOrDefault(c => c.Name == channelName)
            ?? throw new ConfigException($"channel '{channelName}' is not defined in the network file (defines: {string.Join(", ", network.Channels.Select(c => c.Name))})");
        var config = new ChannelConfig
        {
            Channel = channelName,
            Sequence = 0,
            Batch = new BatchParameters { MaxTxCount = (uint)channel.Batch.MaxTxCount, MaxBytes = (uint)channel.Batch.MaxBytes, TimeoutMs = (uint)channel.Batch.TimeoutMs },
            Contract = new ContractRef { Name = channel.Contract.Name, Version = channel.Contract.Version },
            MaxTxBytes = (uint)channel.MaxTxBytes,
            TimestampWindowMs = channel.TimestampWindowMs,
            Consensus = channel.EffectiveConsensus,
        };
        int channelIndex = network.Channels.IndexOf(channel);
        foreach (var orgName in channel.Organizations)
        {
            config.Organizations.Add(Organization(network, orgName, manifest, cryptoRoot));
            foreach (var account in Material(manifest, orgName).Members)
                config.Members.Add(Enroll(account.Address, orgName, account.Roles));
        }
        foreach (var (name, expression) in channel.Policies.OrderBy(p => p.Key, StringComparer.Ordinal))
            config.Policies.Add(new NamedPolicy { Name = name, Expression = expression });
        foreach (var consenter in channel.Consenters)
            config.Consenters.Add(Consenter(network, channelIndex, consenter, manifest, cryptoRoot));
        if (extraMembers is not null) config.Members.Add(extraMembers);
        return config;
    }

    /// <summary>An organisation's entry in a channel configuration: its CA certificate, roles and admin, from the network file and its crypto material.</summary>
    public static OrganizationConfig Organization(NetworkDefinition network, string orgName, CryptoManifest manifest, string cryptoRoot)
    {
        var org = network.Organizations.FirstOrDefault(o => o.Name == orgName) ?? throw new ConfigException($"organisation '{orgName}' is not defined in the network file");
        var material = Material(manifest, orgName);
        return new OrganizationConfig
        {
            Name = orgName, Type = org.Type, CaCertificatePem = File.ReadAllText(Path.Combine(cryptoRoot, material.CaCertificate)), Roles = { org.Roles },
            Admins = { ByteString.CopyFrom(Address.TryParse(material.Admin.Address)!) },
        };
    }

    /// <summary>A consenter's entry: where it listens (Raft on its port for the channel at <paramref name="channelIndex"/> of the file), its TLS certificate and block-signing address.</summary>
    public static ConsenterConfig Consenter(NetworkDefinition network, int channelIndex, string consenter, CryptoManifest manifest, string cryptoRoot)
    {
        var (org, node) = network.Nodes.FirstOrDefault(n => n.Node.Name == consenter);
        if (org is null) throw new ConfigException($"node '{consenter}' is not defined under any organisation's nodes");
        var material = Material(manifest, org.Name!).Nodes.FirstOrDefault(n => n.Name == consenter)
            ?? throw new ConfigException($"node '{consenter}' has no certificate in the manifest; run 'chain crypto generate' again");
        return new ConsenterConfig
        {
            Node = consenter, Organization = org.Name!, Host = node.Host, Port = (uint)node.Port, RaftPort = (uint)NetworkDefinition.RaftPort(node, channelIndex),
            TlsCertificatePem = File.ReadAllText(Path.Combine(cryptoRoot, material.Certificate)),
            Address = ByteString.CopyFrom(Address.TryParse(material.Address)
                ?? throw new ConfigException($"node '{consenter}' has no signing key in the manifest; run 'chain crypto generate' again")),
        };
    }

    /// <summary>
    /// During a certificate renewal (<see cref="CryptoGenerator.RenewNode"/>, <see cref="CryptoGenerator.RenewOrganization"/>):
    /// the organisation's CA entry and its consenters' pinned TLS certificates list the certificates of the crypto folder,
    /// staged ones included, and those listed before (a PEM bundle each), so every node accepts the new ones before any
    /// node shows them. With <paramref name="dropPrevious"/>, once every node uses the new ones, only those in use stay.
    /// </summary>
    public static void RefreshCertificates(ChannelConfig config, string organization, string cryptoRoot, bool dropPrevious)
    {
        var org = config.Organizations.FirstOrDefault(o => o.Name == organization) ?? throw new ConfigException($"organisation '{organization}' is not a member of channel '{config.Channel}'");
        var orgDir = Path.Combine(cryptoRoot, "orgs", organization);
        X509Certificate2Collection Read(string path) => File.Exists(path) ? Sdk.Client.PemFiles.ParseAll(File.ReadAllText(path)) : [];
        var caFile = Path.Combine(orgDir, "ca", "ca.crt");
        var inUse = Read(caFile);
        if (inUse.Count == 0) throw new ConfigException($"{caFile} holds no certificate");
        org.CaCertificatePem = Bundle(org.CaCertificatePem, dropPrevious ? [inUse[0]] : [.. Read(CryptoGenerator.Next(caFile)), .. inUse, .. Sdk.Client.PemFiles.ParseAll(org.CaCertificatePem)]);
        foreach (var consenter in config.Consenters.Where(c => c.Organization == organization))
        {
            var file = Path.Combine(orgDir, "nodes", consenter.Node, "tls.crt");
            if (!File.Exists(file)) throw new ConfigException($"consenter '{consenter.Node}' has no certificate at {file}");
            consenter.TlsCertificatePem = Bundle(consenter.TlsCertificatePem, dropPrevious ? Read(file) : [.. Read(CryptoGenerator.Next(file)), .. Read(file), .. Sdk.Client.PemFiles.ParseAll(consenter.TlsCertificatePem)]);
        }
    }

    /// <summary>The certificates as one PEM bundle, each once; <paramref name="listed"/> as it is when it already lists exactly them.</summary>
    private static string Bundle(string listed, IEnumerable<X509Certificate2> certificates)
    {
        var distinct = certificates.DistinctBy(c => c.Thumbprint).ToList();
        var before = Sdk.Client.PemFiles.ParseAll(listed).Select(c => c.Thumbprint).ToHashSet();
        if (before.SetEquals(distinct.Select(c => c.Thumbprint))) return listed;
        return string.Concat(distinct.Select(c => c.ExportCertificatePem() + "\n"));
    }

    private static CryptoManifest.Organization Material(CryptoManifest manifest, string orgName) => manifest.Organizations.FirstOrDefault(o => o.Name == orgName)
        ?? throw new ConfigException($"organisation '{orgName}' has no crypto material in the manifest; run 'chain crypto generate' again");

    public static Enrollment Enroll(string address, string organization, IEnumerable<string> roles) => new()
    {
        Address = ByteString.CopyFrom(Address.TryParse(address) ?? throw new ConfigException($"'{address}' is not an account address")),
        Organization = organization,
        Roles = { roles.Where(r => r != Roles.Member) },
    };
}
