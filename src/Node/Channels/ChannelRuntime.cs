using System.Collections.Concurrent;
using System.Diagnostics;
using Chain.Contracts.Abstractions;
using Chain.Node.Configuration;
using Chain.Node.Consensus;
using Chain.Node.Consensus.Solo;
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
/// Everything one channel needs on this node: its ledger, contracts, orderer and commit path.
/// Admission (<see cref="Admit"/>) runs on gRPC threads; commits run on the orderer's thread only.
/// </summary>
public sealed class ChannelRuntime : IBatchSink, IDisposable
{
    private readonly ChannelSettings _config;
    private readonly AccountKey _nodeKey;
    private readonly BlockExecutor? _executor;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly Action<Exception> _onFatal;
    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);
    private volatile ChannelHaltedException? _halted;

    /// <param name="genesisFile">Resolved path of the channel's genesis block file, if it has one.</param>
    public ChannelRuntime(ChannelSettings config, string? genesisFile, ChannelLedger ledger, AccountKey nodeKey, TimeProvider clock, ILogger logger, Action<Exception> onFatal)
    {
        _config = config;
        Ledger = ledger;
        _nodeKey = nodeKey;
        _clock = clock;
        _logger = logger;
        _onFatal = onFatal;
        StartChain(genesisFile);
        Contracts = ContractRegistry.BuiltIn(config.Contracts);
        var channelConfig = SystemState.ReadConfig(ledger);
        if (channelConfig is not null)
        {
            if (!config.Contracts.Contains(channelConfig.Contract.Name))
                throw new ConfigException($"channel '{Name}' is configured for contract '{channelConfig.Contract.Name}' but the node settings list {string.Join(", ", config.Contracts)}");
            Contracts.Add(new MembershipContract(() => _executor!.CurrentAccess)).Add(new ConfigContract(() => _executor!.CurrentAccess));
            ChannelAccess.ValidateAccessRules(Contracts);
            if (!config.Observe && channelConfig.Consensus != "raft" && !channelConfig.Consenters.Any(c => c.Address.Span.SequenceEqual(nodeKey.Address)))
                throw new ConfigException($"this node's key ({nodeKey.AddressText}) is not a consenter of channel '{Name}' (consenters: " +
                    string.Join(", ", channelConfig.Consenters.Select(c => $"{c.Node} {Chain.Sdk.Crypto.Address.ToText(c.Address.Span)}")) + "); with solo ordering only a consenter can run the channel, other nodes observe it (\"observe\": true)");
        }
        _executor = new BlockExecutor(ledger, Contracts, config.TimestampWindowMs, logger);
        if (channelConfig is not null) ApplyConfig(channelConfig);
        Orderer = new SoloOrderer(config, this, clock);
    }

    public string Name => _config.Name;

    /// <summary>The node follows this channel read-only by pulling blocks from peers.</summary>
    public bool Observing => _config.Observe;

    /// <summary>Access rules for admission, reloaded when the height changes.</summary>
    private (ulong Height, ChannelAccess? Access)? _admissionAccess;

    private ChannelAccess? AdmissionAccess()
    {
        var height = Ledger.Height;
        var cached = _admissionAccess;
        if (cached is { } c && c.Height == height) return c.Access;
        var access = ChannelAccess.Load(Ledger);
        _admissionAccess = (height, access);
        return access;
    }
    public ChannelLedger Ledger { get; }
    public ContractRegistry Contracts { get; }
    public IOrderer Orderer { get; private set; }

    /// <summary>"raft" when the channel configuration says so, else "solo".</summary>
    public string Consensus => SystemState.ReadConfig(Ledger)?.Consensus is "raft" ? "raft" : "solo";

    /// <summary>Replaces the solo orderer (before the node starts serving).</summary>
    public void UseOrderer(IOrderer orderer) => Orderer = orderer;
    public CommitNotifier Notifier { get; } = new();
    public ChannelSettings Config => _config;

    /// <summary>Checks a transaction as far as possible without ordering it, then queues it. Throws <see cref="TxRejectedException"/>.</summary>
    public CheckedTx Admit(Transaction transaction)
    {
        if (_halted is { } halted) throw halted;
        // The gateway relays an observed channel's transactions to an ordering node; nothing is queued here.
        if (Observing) throw new RelayException($"this node observes channel '{Name}' and does not order its transactions", null);
        if (Orderer.Redirect is { } redirect) throw redirect;
        var tx = TxValidator.CheckStateless(transaction, _config.MaxTxBytes);
        if (tx.Rejection is { } stateless) throw new TxRejectedException(stateless);
        if (TxValidator.CheckTarget(tx, Name, Contracts, out var rejection) is not { } function) throw new TxRejectedException(rejection!.Value);
        if (AdmissionAccess() is { } access)
        {
            var identity = access.IdentityOf(tx.Payload!.Creator.Span, out var notEnrolled) ?? throw new TxRejectedException(notEnrolled!.Value);
            if (access.Authorize(identity, tx.Payload.Contract, function) is { } denied) throw new TxRejectedException(denied);
        }
        if (TxValidator.CheckTimestamp(tx.Payload!, _clock.GetUtcNow().ToUnixTimeMilliseconds(), _config.TimestampWindowMs) is { } expired)
            throw new TxRejectedException(expired);
        var txId = tx.TxIdHex;
        if (Ledger.ContainsTx(tx.TxId) || !_pending.TryAdd(txId, 0))
            throw new TxRejectedException(new(ValidationCode.DuplicateTxid, $"transaction {txId} was already submitted"));
        if (!Orderer.TryEnqueue(tx))
        {
            _pending.TryRemove(txId, out _);
            throw new ChannelBusyException($"channel '{Name}' has {_config.MaxPendingTxs} transactions waiting for a block; retry later");
        }
        return tx;
    }

    public void CommitBatch(IReadOnlyList<CheckedTx> batch, long timestampMs) => CommitExecuted(ExecuteBatch(batch, timestampMs), batch);

    /// <summary>Executes a batch on the committed state and signs the block with the node key; nothing is written.</summary>
    public BlockWriteSet ExecuteBatch(IReadOnlyList<CheckedTx> batch, long timestampMs)
    {
        try
        {
            // Block time never goes backwards, even if the node's clock does.
            timestampMs = Math.Max(timestampMs, Ledger.Head.LastTimestampMs);
            return _executor!.Execute(batch, timestampMs, _nodeKey);
        }
        catch (Exception e) { throw Fatal(e); }
    }

    /// <summary>Writes a block this node executed (<see cref="ExecuteBatch"/>) and tells waiting clients.</summary>
    public void CommitExecuted(BlockWriteSet set, IReadOnlyList<CheckedTx> batch)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            Ledger.Commit(set);
            var txIds = batch.Select(t => t.TxIdHex).ToArray();
            foreach (var id in txIds) _pending.TryRemove(id, out _);
            AfterCommit(set.Block, txIds);
            _logger.LogInformation("channel {Channel} committed block {Number} with {TxCount} txs (run {RunMs:F1} ms, state root {RootMs:F1} ms, write {CommitMs:F1} ms)",
                Name, set.Block.Header.Number, batch.Count, set.RunTime.TotalMilliseconds, set.StateRootTime.TotalMilliseconds, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) { throw Fatal(e); }
    }

    private void AfterCommit(Block block, IReadOnlyList<string> txIds)
    {
        if (block.Results.Any(r => r.Events.Any(e => e.Contract == ConfigContract.ContractName)) && SystemState.ReadConfig(Ledger) is { } updated)
        {
            ApplyConfig(updated);
            ConfigChanged?.Invoke(updated);
        }
        Notifier.BlockCommitted(block, txIds);
    }

    /// <summary>Raised on the committing thread after a block that changed the channel configuration.</summary>
    public event Action<ChannelConfig>? ConfigChanged;

    /// <summary>
    /// The ledger is unchanged (the batch was not written) or fully written; either way, stop and let the
    /// restart's recovery check decide. Continuing could diverge from the stored chain.
    /// </summary>
    private Exception Fatal(Exception e)
    {
        if (e is ChannelHaltedException) return e;
        _logger.LogCritical(e, "channel {Channel} failed to commit a block; stopping the node", Name);
        _halted = new ChannelHaltedException($"channel '{Name}' halted after a failed commit ({e.Message}); the node is stopping");
        Notifier.FailAll(_halted);
        _onFatal(e);
        return e;
    }

    /// <summary>Admitted transactions this node hands to another node: they may be admitted here again later.</summary>
    public void Release(IEnumerable<CheckedTx> transactions)
    {
        foreach (var tx in transactions) _pending.TryRemove(tx.TxIdHex, out _);
    }

    public bool Halted => _halted is not null;

    /// <summary>Stops committing on this channel, loudly, when this node can no longer follow the ordered chain; committed state stays readable.</summary>
    public void Halt(string reason)
    {
        if (_halted is not null) return;
        _logger.LogCritical("channel {Channel} halted: {Reason}", Name, reason);
        _halted = new ChannelHaltedException($"channel '{Name}' halted: {reason}");
        Notifier.FailAll(_halted);
    }

    /// <summary>
    /// Applies a block the ordering service committed (a Raft log entry): one this node already has is skipped
    /// (a restart replays the log, and a deposed leader's late block can lose to its successor's); the next one
    /// is verified and re-executed like a pulled block.
    /// </summary>
    public ApplyOutcome ApplyOrdered(Block block)
    {
        if (_halted is not null) return ApplyOutcome.Halted;
        if ((block.Header?.Number ?? ulong.MaxValue) < Ledger.Height) return ApplyOutcome.Stale;
        return ApplyPulled(block, "ordered") ? ApplyOutcome.Applied : ApplyOutcome.Halted;
    }

    /// <summary>
    /// Verifies a block pulled from a peer and commits it: it must be the next block, link to the last one, be
    /// consistent and signed by a consenter of the configuration in force, and this node's re-execution must
    /// give the same results and state root. Returns false when the channel is (now) halted.
    /// </summary>
    /// <remarks>Called by the follower of this channel only, one block at a time.</remarks>
    public bool ApplyPulled(Block block, string source = "pulled")
    {
        if (_halted is not null) return false;
        var number = block.Header?.Number ?? ulong.MaxValue;
        if (number < Ledger.Height) return true; // already have it (a reconnect can resend)
        try
        {
            if (number != Ledger.Height) throw new LedgerCorruptException(number, $"peer sent block {number}, the next block here is {Ledger.Height}");
            if (!block.Header!.PreviousHash.Span.SequenceEqual(Ledger.LastHash))
                throw new LedgerCorruptException(number, "it does not link to the last block here");
            var hash = BlockVerifier.CheckSelfConsistent(block, number, Name);
            if (ChannelAccess.Load(Ledger) is { } access)
                foreach (var signature in block.Signatures)
                    if (!access.Config.Consenters.Any(c => c.Address.Span.SequenceEqual(signature.Signer.Span)))
                        throw new LedgerCorruptException(number, $"it is signed by {Chain.Sdk.Crypto.Address.ToText(signature.Signer.Span)}, which is not a consenter of configuration {access.Config.Sequence}");
            var started = Stopwatch.GetTimestamp();
            var set = _executor!.Replay(block, hash, _config.MaxTxBytes);
            var executed = Stopwatch.GetTimestamp();
            Ledger.Commit(set);
            AfterCommit(block, set.TxIds.Select(Convert.ToHexStringLower).ToArray());
            _logger.LogInformation("channel {Channel} applied {Source} block {Number} with {TxCount} txs (re-execute {ExecuteMs:F1} ms, write {CommitMs:F1} ms)",
                Name, source, number, block.Transactions.Count, Stopwatch.GetElapsedTime(started, executed).TotalMilliseconds, Stopwatch.GetElapsedTime(executed).TotalMilliseconds);
            return true;
        }
        catch (Exception e) when (e is LedgerCorruptException or BlockMismatchException)
        {
            // Never diverge silently: stop following this channel; its committed state stays readable.
            _logger.LogCritical("channel {Channel} stopped following its peers: {Reason}", Name, e.Message);
            _halted = new ChannelHaltedException($"channel '{Name}' stopped following its peers: {e.Message}");
            Notifier.FailAll(_halted);
            return false;
        }
    }

    /// <summary>
    /// The channel configuration wins over the node's local settings for batch parameters, transaction size
    /// and timestamp window, so every node of the channel applies the same limits; the block cutter, admission
    /// and the executor read them live, so an update applies from the next block.
    /// </summary>
    private void ApplyConfig(ChannelConfig channelConfig)
    {
        if (channelConfig.Batch is { } batch)
        {
            _config.Batch.MaxTxCount = (int)batch.MaxTxCount;
            _config.Batch.MaxBytes = (int)batch.MaxBytes;
            _config.Batch.TimeoutMs = (int)batch.TimeoutMs;
        }
        if (channelConfig.MaxTxBytes > 0) _config.MaxTxBytes = (int)channelConfig.MaxTxBytes;
        if (channelConfig.TimestampWindowMs > 0) _config.TimestampWindowMs = channelConfig.TimestampWindowMs;
        if (_executor is not null) _executor.TimestampWindowMs = _config.TimestampWindowMs;
    }

    /// <summary>Commits block 0 of a new ledger, or checks that an existing ledger starts with the configured genesis block.</summary>
    private void StartChain(string? genesisFile)
    {
        if (genesisFile is null)
        {
            if (Ledger.Height == 0) Ledger.CommitGenesis(_config.GenesisTimestampMs);
            if (SystemState.ReadConfig(Ledger) is null)
                _logger.LogWarning("channel {Channel} has no configuration (no genesis file): membership and policies are not enforced", Name);
            else
                _logger.LogWarning("channel {Channel}: no genesis file configured, so block 0 is not checked against one", Name);
            return;
        }
        var genesis = ReadGenesis(genesisFile);
        if (Ledger.Height > 0)
        {
            if (!ProtocolHashes.BlockHash(Ledger.GetBlock(0)!.Header).AsSpan().SequenceEqual(ProtocolHashes.BlockHash(genesis.Header)))
                throw new ConfigException($"genesis file '{genesisFile}' does not match block 0 of channel '{Name}' in the ledger");
            return;
        }
        try
        {
            var (_, writes) = GenesisBlock.Open(genesis, Name);
            Ledger.CommitGenesis(genesis, writes);
        }
        catch (LedgerCorruptException e) { throw new ConfigException($"genesis file '{genesisFile}': {e.Message}"); }
        _logger.LogInformation("channel {Channel} started from genesis file {File}", Name, genesisFile);
    }

    private static Block ReadGenesis(string file)
    {
        if (!File.Exists(file)) throw new ConfigException($"genesis file '{file}' does not exist (create it with 'chain channel create')");
        try { return Block.Parser.ParseFrom(File.ReadAllBytes(file)); }
        catch (InvalidProtocolBufferException e) { throw new ConfigException($"genesis file '{file}' is not a block ({e.Message})"); }
    }

    public void Dispose() => Ledger.Dispose();
}

public sealed class ChannelBusyException(string message) : Exception(message);

/// <summary>This node does not order the channel's transactions now (it observes, or is a Raft follower): relay them.</summary>
public sealed class RelayException(string message, string? target) : Exception(message)
{
    /// <summary>Peer endpoint of the node that orders the channel now (the Raft leader); null when any peer will do or none is known.</summary>
    public string? Target => target;
    /// <summary>Raft has no leader now (election, or no quorum).</summary>
    public bool NoLeader { get; init; }
    /// <summary>CA certificate (PEM) of the target's organisation, from the channel configuration.</summary>
    public string? TargetCaPem { get; init; }
}

public enum ApplyOutcome { Applied, Stale, Halted }

/// <summary>The channel stopped committing after a fatal error; nothing more is admitted.</summary>
public sealed class ChannelHaltedException(string message) : Exception(message);
