using System.Text.RegularExpressions;
using Chain.Node.Membership;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Chain.Node.Configuration;

/// <summary>
/// The network description (network-config/network.yaml): organisations with their roles, sample members
/// and nodes, and the channels with their member organisations, consenters, batch parameters, policies
/// and contract. <see cref="Load"/> rejects a bad file with one line naming the file, the field and the problem.
/// </summary>
public sealed partial class NetworkDefinition
{
    public List<OrganizationDefinition> Organizations { get; set; } = [];
    public List<ChannelDefinition> Channels { get; set; } = [];

    public static NetworkDefinition Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"{path}: file does not exist");
        NetworkDefinition? network;
        try
        {
            network = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build()
                .Deserialize<NetworkDefinition>(File.ReadAllText(path));
        }
        catch (YamlException e)
        {
            var reason = (e.InnerException?.Message ?? e.Message).Split('\n')[0];
            throw new ConfigException($"{path}: line {e.Start.Line}, column {e.Start.Column}: {reason}");
        }
        if (network is null) throw new ConfigException($"{path}: file is empty");
        network.Validate(path);
        return network;
    }

    public OrganizationDefinition Organization(string name) => Organizations.First(o => o.Name == name);

    public IEnumerable<(OrganizationDefinition Org, NodeDefinition Node)> Nodes =>
        Organizations.SelectMany(o => o.Nodes.Select(n => (o, n)));

    /// <summary>Raft port of a consenter for the channel at <paramref name="channelIndex"/> in this file: one port per channel, 100 apart.</summary>
    public static int RaftPort(NodeDefinition node, int channelIndex) => node.RaftPort + 100 * channelIndex;

    /// <summary>
    /// The network as a local loopback network in which every channel is ordered by the first
    /// <paramref name="consentersPerChannel"/> consenters it lists (all of them when it lists fewer): each of those nodes
    /// runs once, in the order of this file, followed, with <paramref name="withObservers"/>, by every observer node. Node i
    /// listens on <paramref name="basePort"/> + i - 1 (Raft ports from that + 2000), and a channel that does not name its
    /// consensus uses Raft when it has several consenters.
    /// </summary>
    public NetworkDefinition ForLocalNetwork(int consentersPerChannel, int basePort, bool withObservers = false)
    {
        int most = Channels.Max(c => c.Consenters.Count);
        if (consentersPerChannel < 1 || consentersPerChannel > most)
            throw new ConfigException($"the channels of the network file list at most {most} consenters; a local network orders each channel by 1 to {most} of them, not {consentersPerChannel}");
        var ordering = Channels.SelectMany(c => c.Consenters.Take(consentersPerChannel)).ToHashSet(StringComparer.Ordinal);
        var chosen = Nodes.Where(n => ordering.Contains(n.Node.Name!)).Concat(withObservers ? Nodes.Where(n => n.Node.Observer) : []);
        var running = chosen.Select((n, i) => (n.Org.Name, Node: new NodeDefinition
        {
            Name = n.Node.Name, Host = "127.0.0.1", Port = basePort + i, RaftPort = basePort + i + 2000, Observer = n.Node.Observer,
        })).ToList();
        var local = new NetworkDefinition
        {
            Organizations = Organizations.Select(o => new OrganizationDefinition
            {
                Name = o.Name, Type = o.Type, Description = o.Description, Roles = o.Roles, Members = o.Members,
                Nodes = running.Where(r => r.Name == o.Name).Select(r => r.Node).ToList(),
            }).ToList(),
        };
        foreach (var channel in Channels)
        {
            var consenters = channel.Consenters.Take(consentersPerChannel).ToList();
            local.Channels.Add(channel.With(consenters, channel.Consensus ?? (consenters.Count > 1 ? ChannelDefinition.Raft : ChannelDefinition.Solo)));
        }
        return local;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9-]{0,62}$")]
    private static partial Regex NamePattern();

    private void Validate(string file)
    {
        ConfigException Problem(string field, string message) => new($"{file}: {field}: {message}");

        if (Organizations.Count == 0) throw Problem("organizations", "at least one organisation is required");
        var orgNames = new HashSet<string>(StringComparer.Ordinal);
        var nodeNames = new HashSet<string>(StringComparer.Ordinal);
        var endpoints = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int o = 0; o < Organizations.Count; o++)
        {
            var org = Organizations[o];
            var at = $"organizations[{o}]";
            if (!NamePattern().IsMatch(org.Name ?? "")) throw Problem($"{at}.name", $"'{org.Name}' must be 1-63 letters, digits or '-', starting with a letter");
            if (!orgNames.Add(org.Name!)) throw Problem($"{at}.name", $"organisation '{org.Name}' is defined twice");
            if (!org.Roles.Contains(Roles.Admin)) throw Problem($"{at}.roles", $"organisation '{org.Name}' must list the '{Roles.Admin}' role");
            var memberNames = new HashSet<string>(StringComparer.Ordinal);
            for (int m = 0; m < org.Members.Count; m++)
            {
                var member = org.Members[m];
                if (!NamePattern().IsMatch(member.Name ?? "")) throw Problem($"{at}.members[{m}].name", $"'{member.Name}' must be 1-63 letters, digits or '-'");
                if (!memberNames.Add(member.Name!) || member.Name == Roles.Admin) throw Problem($"{at}.members[{m}].name", $"member '{member.Name}' is defined twice in '{org.Name}' (or uses the reserved name 'admin')");
                foreach (var role in member.Roles)
                    if (!org.Roles.Contains(role)) throw Problem($"{at}.members[{m}].roles", $"role '{role}' is not one of {org.Name}'s roles ({string.Join(", ", org.Roles)})");
            }
            for (int n = 0; n < org.Nodes.Count; n++)
            {
                var node = org.Nodes[n];
                if (!NamePattern().IsMatch(node.Name ?? "")) throw Problem($"{at}.nodes[{n}].name", $"'{node.Name}' must be 1-63 letters, digits or '-'");
                if (!nodeNames.Add(node.Name!)) throw Problem($"{at}.nodes[{n}].name", $"node '{node.Name}' is defined twice");
                if (node.Port is < 1 or > 65535) throw Problem($"{at}.nodes[{n}].port", $"port {node.Port} is not in 1..65535");
                if (string.IsNullOrWhiteSpace(node.Host)) throw Problem($"{at}.nodes[{n}].host", "host must not be empty");
                var endpoint = $"{node.Host}:{node.Port}";
                if (endpoints.TryGetValue(endpoint, out var other)) throw Problem($"{at}.nodes[{n}].port", $"{endpoint} is already used by node '{other}'");
                endpoints[endpoint] = node.Name!;
                if (node.RaftPort is < 0 or > 65535 - 1000) throw Problem($"{at}.nodes[{n}].raftPort", $"raft port {node.RaftPort} is not in 1..64535");
            }
        }

        if (Channels.Count == 0) throw Problem("channels", "at least one channel is required");
        var channelNames = new HashSet<string>(StringComparer.Ordinal);
        for (int c = 0; c < Channels.Count; c++)
        {
            var channel = Channels[c];
            var at = $"channels[{c}]";
            try { channel.ToChannelSettings().Validate(); }
            catch (ConfigException e) { throw Problem(at, e.Message); }
            if (!channelNames.Add(channel.Name!)) throw Problem($"{at}.name", $"channel '{channel.Name}' is defined twice");
            if (channel.Organizations.Count == 0) throw Problem($"{at}.organizations", $"channel '{channel.Name}' has no member organisations");
            foreach (var org in channel.Organizations)
                if (!orgNames.Contains(org)) throw Problem($"{at}.organizations", $"organisation '{org}' is not defined under organizations");
            if (channel.Consenters.Count == 0) throw Problem($"{at}.consenters", $"channel '{channel.Name}' has no consenter");
            if (channel.Consensus is not (null or ChannelDefinition.Solo or ChannelDefinition.Raft)) throw Problem($"{at}.consensus", $"'{channel.Consensus}' must be 'solo' or 'raft'");
            if (channel.Consensus == ChannelDefinition.Solo && channel.Consenters.Count != 1) throw Problem($"{at}.consenters", $"a solo channel has exactly one consenter, '{channel.Name}' lists {channel.Consenters.Count}");
            if (channel.Consenters.Distinct().Count() != channel.Consenters.Count) throw Problem($"{at}.consenters", "a node is listed twice");
            foreach (var consenter in channel.Consenters)
            {
                var owner = Nodes.FirstOrDefault(n => n.Node.Name == consenter).Org;
                if (owner is null) throw Problem($"{at}.consenters", $"node '{consenter}' is not defined under any organisation's nodes");
                if (!channel.Organizations.Contains(owner.Name!)) throw Problem($"{at}.consenters", $"node '{consenter}' belongs to '{owner.Name}', which is not a member of channel '{channel.Name}'");
                if (Nodes.First(n => n.Node.Name == consenter).Node.Observer) throw Problem($"{at}.consenters", $"node '{consenter}' is an observer and cannot order");
            }
            if (!Chain.Contracts.BuiltInContracts.Known.Contains(channel.Contract.Name))
                throw Problem($"{at}.contract.name", $"unknown contract '{channel.Contract.Name}' (known: {string.Join(", ", Chain.Contracts.BuiltInContracts.Known)})");
            if (!channel.Policies.ContainsKey(ChannelDefinition.AdminsPolicy)) throw Problem($"{at}.policies", $"the '{ChannelDefinition.AdminsPolicy}' policy is required (for configuration updates)");
            foreach (var (name, text) in channel.Policies)
            {
                Policy policy;
                try { policy = PolicyParser.Parse(text); }
                catch (PolicyParseException e) { throw Problem($"{at}.policies.{name}", e.Message); }
                foreach (var principal in policy.Principals())
                {
                    if (!channel.Organizations.Contains(principal.Org))
                        throw Problem($"{at}.policies.{name}", $"principal '{principal}' names organisation '{principal.Org}', which is not a member of channel '{channel.Name}'");
                    if (principal.Role != Roles.Member && !Organization(principal.Org).Roles.Contains(principal.Role))
                        throw Problem($"{at}.policies.{name}", $"principal '{principal}' names role '{principal.Role}', which {principal.Org} does not define");
                }
                if (policy is ImplicitMeta meta && meta.Role != Roles.Member && !channel.Organizations.Any(o => Organization(o).Roles.Contains(meta.Role)))
                    throw Problem($"{at}.policies.{name}", $"no member organisation of channel '{channel.Name}' defines role '{meta.Role}'");
            }
        }
    }
}

public sealed class OrganizationDefinition
{
    public string? Name { get; set; }
    public string Type { get; set; } = "";
    public string Description { get; set; } = "";
    public List<string> Roles { get; set; } = [];
    public List<MemberDefinition> Members { get; set; } = [];
    public List<NodeDefinition> Nodes { get; set; } = [];
}

public sealed class MemberDefinition
{
    public string? Name { get; set; }
    public List<string> Roles { get; set; } = [];
}

public sealed class NodeDefinition
{
    public string? Name { get; set; }
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; }
    private int? _raftPort;
    /// <summary>First Raft port (for the first channel; the next channels use +100, +200, ...). Default: port + 2000.</summary>
    public int RaftPort { get => _raftPort ?? Port + 2000; set => _raftPort = value; }
    /// <summary>
    /// A node that never orders: it follows its organisation's channels by pulling blocks and re-executing them, e.g. a
    /// regulator's or auditor's own copy of the ledger. `network up` starts the observers after the ordering nodes.
    /// </summary>
    public bool Observer { get; set; }
}

public sealed class ChannelDefinition
{
    public const string AdminsPolicy = "admins";

    public string? Name { get; set; }
    public ContractDefinition Contract { get; set; } = new();
    public List<string> Organizations { get; set; } = [];
    public List<string> Consenters { get; set; } = [];
    public const string Solo = "solo", Raft = "raft";
    /// <summary>"solo" (one consenter) or "raft"; when absent: raft with several consenters, else solo.</summary>
    public string? Consensus { get; set; }
    public string EffectiveConsensus => Consensus ?? (Consenters.Count > 1 ? Raft : Solo);
    public BatchConfig Batch { get; set; } = new();
    public int MaxTxBytes { get; set; } = 1024 * 1024;
    public long TimestampWindowMs { get; set; } = 5 * 60 * 1000;
    public int MaxPendingTxs { get; set; } = 100_000;
    public Dictionary<string, string> Policies { get; set; } = [];

    public ChannelDefinition With(List<string> consenters, string consensus) => new()
    {
        Name = Name, Contract = Contract, Organizations = Organizations, Consenters = consenters, Consensus = consensus, Batch = Batch,
        MaxTxBytes = MaxTxBytes, TimestampWindowMs = TimestampWindowMs, MaxPendingTxs = MaxPendingTxs, Policies = Policies,
    };

    /// <summary>The node-side settings of this channel.</summary>
    public ChannelSettings ToChannelSettings() => new()
    {
        Name = Name ?? "",
        Contracts = [Contract.Name],
        MaxTxBytes = MaxTxBytes,
        TimestampWindowMs = TimestampWindowMs,
        MaxPendingTxs = MaxPendingTxs,
        Batch = new BatchConfig { MaxTxCount = Batch.MaxTxCount, MaxBytes = Batch.MaxBytes, TimeoutMs = Batch.TimeoutMs },
    };
}

public sealed class ContractDefinition
{
    public string Name { get; set; } = "kv";
    public string Version { get; set; } = "1.0";
}
