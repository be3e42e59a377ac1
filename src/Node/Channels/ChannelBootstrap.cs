using Chain.Contracts.Abstractions;
using Chain.Node.Configuration;
using Chain.Node.Consensus;
using Chain.Node.Execution;
using Chain.Node.Ledger;
using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Channels;

/// <summary>
/// Puts a channel together at start: starts or checks its chain against the genesis file, wires its contracts (the
/// system contracts read the configuration in force), checks that this node may order it as configured, and builds the
/// commit path, the orderer and admission.
/// </summary>
internal static class ChannelBootstrap
{
    /// <param name="genesisFile">Resolved path of the channel's genesis block file, if it has one.</param>
    /// <param name="orderer">Builds the channel's orderer over its commit path (solo, Raft, or following an observed channel).</param>
    /// <param name="onFatal">Called once when a commit fails; the node then stops.</param>
    public static ChannelRuntime Open(ChannelSettings settings, string? genesisFile, ChannelLedger ledger, AccountKey nodeKey, TimeProvider clock, ILogger logger,
        Action<Exception> onFatal, Func<IConsenterSupport, IOrderer> orderer)
    {
        ledger.ProofHistoryBlocks = settings.ProofHistoryBlocks;
        StartChain(settings, genesisFile, ledger, logger);
        var views = new ChannelViews(ledger, settings);
        var contracts = Chain.Contracts.BuiltInContracts.Registry(settings.Contracts);
        if (views.Current.Config is { } config)
        {
            if (!settings.Contracts.Contains(config.Contract.Name))
                throw new ConfigException($"channel '{settings.Name}' is configured for contract '{config.Contract.Name}' but the node settings list {string.Join(", ", settings.Contracts)}");
            contracts.Add(new MembershipContract(views)).Add(new ConfigContract(views));
            ChannelAccess.ValidateAccessRules(contracts);
            if (!settings.Observe && config.ConsensusKind() != "raft" && !config.IsConsenter(nodeKey.Address))
                throw new ConfigException($"this node's key ({nodeKey.AddressText}) is not a consenter of channel '{settings.Name}' (consenters: " +
                    string.Join(", ", config.Consenters.Select(c => $"{c.Node} {Address.ToText(c.Address.Span)}")) + "); with solo ordering only a consenter can run the channel, other nodes observe it (\"observe\": true)");
        }
        var notifier = new CommitNotifier();
        var pending = new PendingTransactions();
        var custody = new Custody(settings.MaxPendingTxs);
        var committer = new BlockCommitter(ledger, views, new BlockExecutor(ledger, contracts, views, logger), pending, notifier, custody, nodeKey, logger, onFatal);
        var ordering = orderer(committer);
        var admission = new Admission(settings.Name, ledger, views, contracts, pending, committer, ordering, clock);
        return new ChannelRuntime(settings, ledger, contracts, views, committer, ordering, admission, pending, notifier, custody);
    }

    /// <summary>Commits block 0 of a new ledger, or checks that an existing ledger starts with the configured genesis block.</summary>
    private static void StartChain(ChannelSettings settings, string? genesisFile, ChannelLedger ledger, ILogger logger)
    {
        if (genesisFile is null)
        {
            if (ledger.Height == 0) ledger.CommitGenesis(settings.GenesisTimestampMs);
            if (SystemState.ReadConfig(ledger) is null)
                logger.LogWarning("channel {Channel} has no configuration (no genesis file): membership and policies are not enforced", settings.Name);
            else
                logger.LogWarning("channel {Channel}: no genesis file configured, so block 0 is not checked against one", settings.Name);
            return;
        }
        var genesis = ReadGenesis(genesisFile);
        if (ledger.Height > 0)
        {
            if (!ProtocolHashes.BlockHash(ledger.GetBlock(0)!.Header).AsSpan().SequenceEqual(ProtocolHashes.BlockHash(genesis.Header)))
                throw new ConfigException($"genesis file '{genesisFile}' does not match block 0 of channel '{settings.Name}' in the ledger");
            return;
        }
        try
        {
            var (_, writes) = GenesisBlock.Open(genesis, settings.Name);
            ledger.CommitGenesis(genesis, writes);
        }
        catch (LedgerCorruptException e) { throw new ConfigException($"genesis file '{genesisFile}': {e.Message}"); }
        logger.LogInformation("channel {Channel} started from genesis file {File}", settings.Name, genesisFile);
    }

    private static Block ReadGenesis(string file) => GenesisBlock.ReadFile(file);
}
