using System.Text.Json;
using Chain.Contracts.Abstractions;
using Chain.Node.Configuration;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;

namespace Chain.Node.Membership;

/// <summary>The shape every channel configuration must have, checked by the configuration contract on each update and by the CLI before it proposes one.</summary>
public static class ConfigShape
{
    /// <summary>Rules every configuration must meet; the same ones the network file is held to.</summary>
    public static void Validate(ChannelConfig config)
    {
        ContractException Bad(string message) => new(ContractErrors.BadArgs, $"proposed configuration: {message}");
        if (config.Organizations.Count == 0) throw Bad("at least one organisation is required");
        var orgs = config.Organizations.Select(o => o.Name).ToList();
        if (orgs.Distinct().Count() != orgs.Count) throw Bad("an organisation is listed twice");
        foreach (var org in config.Organizations)
        {
            if (!org.Roles.Contains(Roles.Admin)) throw Bad($"organisation '{org.Name}' must define the '{Roles.Admin}' role");
            if (org.Admins.Count == 0) throw Bad($"organisation '{org.Name}' has no admin account");
            if (org.Admins.Any(a => a.Length != Address.Length)) throw Bad($"organisation '{org.Name}' has an admin that is not a 20-byte address");
            if (!string.IsNullOrEmpty(org.CaCertificatePem) && Sdk.Client.PemFiles.ParseAll(org.CaCertificatePem).Count == 0)
                throw Bad($"organisation '{org.Name}' has a CA certificate that is not a PEM certificate");
            if (org.RevokedSerials.FirstOrDefault(serial => serial.Length is 0 or > 42 || !serial.All(char.IsAsciiHexDigit)) is { } badSerial)
                throw Bad($"organisation '{org.Name}' revokes '{badSerial}', which is not a certificate serial number (hex digits)");
        }
        if (config.Consenters.Count == 0) throw Bad("the channel has no consenter");
        foreach (var consenter in config.Consenters)
        {
            if (!orgs.Contains(consenter.Organization)) throw Bad($"consenter '{consenter.Node}' belongs to '{consenter.Organization}', which is not a channel organisation");
            if (consenter.Address.Length != Address.Length) throw Bad($"consenter '{consenter.Node}' has no 20-byte signing address");
            if (consenter.TlsCertificatePem.Length > 0 && Sdk.Client.PemFiles.ParseAll(consenter.TlsCertificatePem).Count == 0)
                throw Bad($"consenter '{consenter.Node}' has a TLS certificate that is not a PEM certificate");
        }
        if (config.Consenters.Select(c => c.Address).Distinct().Count() != config.Consenters.Count) throw Bad("a consenter's signing address is listed twice");
        if (config.Consensus is not ("" or "solo" or "raft")) throw Bad($"consensus '{config.Consensus}' must be 'solo' or 'raft'");
        if (config.Consensus != "raft" && config.Consenters.Count != 1) throw Bad($"a solo channel has exactly one consenter, not {config.Consenters.Count}");
        if (config.Consensus == "raft")
        {
            foreach (var consenter in config.Consenters)
                if (consenter.RaftPort is 0 or > 65535 || !System.Net.IPAddress.TryParse(consenter.Host, out _))
                    throw Bad($"raft consenter '{consenter.Node}' needs an IP address as host and a raft port in 1..65535 (has '{consenter.Host}', {consenter.RaftPort})");
            if (config.Consenters.Select(c => $"{c.Host}:{c.RaftPort}").Distinct().Count() != config.Consenters.Count) throw Bad("two raft consenters use the same host and raft port");
        }
        if (config.Batch is null) throw Bad("batch parameters are required");
        // 0 leaves a limit to each node's own settings.
        var limits = LimitRules.Batch(config.Batch.MaxTxCount, config.Batch.MaxBytes, config.Batch.TimeoutMs)
            ?? (config.MaxTxBytes == 0 ? null : LimitRules.TxBytes(config.MaxTxBytes))
            ?? (config.TimestampWindowMs == 0 ? null : LimitRules.TimestampWindow(config.TimestampWindowMs));
        if (limits is not null) throw Bad(limits);
        if (!config.Policies.Any(p => p.Name == ConfigContract.AdminsPolicy)) throw Bad($"the '{ConfigContract.AdminsPolicy}' policy is required");
        foreach (var named in config.Policies)
        {
            if (!PolicyParser.TryParse(named.Expression, out var policy, out var error)) throw Bad($"policy '{named.Name}': {error}");
            foreach (var principal in policy!.Principals())
                if (!orgs.Contains(principal.Org)) throw Bad($"policy '{named.Name}' names organisation '{principal.Org}', which is not a channel organisation");
        }
    }
}
