using Chain.Contracts.Abstractions;
using Chain.Node.Ledger;
using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Execution;

/// <summary>
/// Turns an ordered batch of transactions into a block: stateless checks in parallel (skipped for
/// transactions already checked at admission), then each transaction in order against an in-memory
/// overlay of state, then roots, header and signature. Nothing touches the ledger until
/// <see cref="ChannelLedger.Commit"/> writes the returned set.
/// </summary>
public sealed class BlockExecutor(ChannelLedger ledger, ContractRegistry contracts, long timestampWindowMs, ILogger logger)
{
    /// <summary>How far a transaction's timestamp may be from the block's; the channel configuration can change it.</summary>
    public long TimestampWindowMs { get; set; } = timestampWindowMs;

    public static IReadOnlyList<CheckedTx> CheckAll(IReadOnlyList<Transaction> transactions, int maxTxBytes)
    {
        var checkedTxs = new CheckedTx[transactions.Count];
        Parallel.For(0, transactions.Count, i => checkedTxs[i] = TxValidator.CheckStateless(transactions[i], maxTxBytes));
        return checkedTxs;
    }

    /// <summary>Access rules of the block being executed: configuration and enrolments as committed before it.</summary>
    public ChannelAccess? CurrentAccess { get; private set; }

    public BlockWriteSet Execute(IReadOnlyList<CheckedTx> txs, long timestampMs, AccountKey proposer)
    {
        CurrentAccess = ChannelAccess.Load(ledger);
        if (CurrentAccess is { } access && !access.Config.Consenters.Any(c => c.Address.Span.SequenceEqual(proposer.Address)))
            throw new InvalidOperationException($"this node ({proposer.AddressText}) is not a consenter of channel '{ledger.Channel}' and cannot cut its blocks");
        var run = RunAll(txs, timestampMs);
        var header = new BlockHeader
        {
            Channel = ledger.Channel,
            Number = run.Number,
            PreviousHash = ByteString.CopyFrom(ledger.LastHash),
            TxRoot = ByteString.CopyFrom(ProtocolHashes.TxRoot(run.TxIds)),
            ResultsRoot = ByteString.CopyFrom(ProtocolHashes.ResultsRoot(run.Results)),
            StateRoot = ByteString.CopyFrom(run.Update.Root),
            TimestampMs = timestampMs,
            Proposer = proposer.AddressText,
        };
        var hash = ProtocolHashes.BlockHash(header);
        var block = new Block { Header = header };
        block.Transactions.AddRange(txs.Select(t => t.Transaction));
        block.Results.AddRange(run.Results);
        block.Signatures.Add(new ConsenterSignature { Signer = ByteString.CopyFrom(proposer.Address), Signature = ByteString.CopyFrom(proposer.Sign(hash)) });
        return run.ToWriteSet(block, hash);
    }

    /// <summary>
    /// Re-executes a block another node cut and checks this node reaches the same results and state root.
    /// The block's own consistency (roots, signatures, link) is checked by the caller first.
    /// </summary>
    /// <exception cref="BlockMismatchException">The re-execution disagrees with the block.</exception>
    public BlockWriteSet Replay(Block block, byte[] hash, int maxTxBytes)
    {
        CurrentAccess = ChannelAccess.Load(ledger);
        var run = RunAll(CheckAll(block.Transactions, maxTxBytes), block.Header.TimestampMs);
        for (int i = 0; i < run.Results.Length; i++)
        {
            if (!run.Results[i].Equals(block.Results[i]))
                throw new BlockMismatchException(block.Header.Number, $"transaction {i} gives {run.Results[i].Code} here, the block says {block.Results[i].Code} ({block.Results[i].Message})");
        }
        if (!run.Update.Root.AsSpan().SequenceEqual(block.Header.StateRoot.Span))
            throw new BlockMismatchException(block.Header.Number, $"state root {Convert.ToHexStringLower(run.Update.Root)} here, the block says {Convert.ToHexStringLower(block.Header.StateRoot.Span)}");
        return run.ToWriteSet(block, hash);
    }

    private sealed record BlockRun(ulong Number, byte[][] TxIds, TxResult[] Results, Dictionary<byte[], byte[]?> Writes, List<StateWrite> History, StateUpdate Update, TimeSpan RunTime, TimeSpan RootTime)
    {
        public BlockWriteSet ToWriteSet(Block block, byte[] hash) => new()
        {
            Block = block, Hash = hash, TxIds = TxIds, StateWrites = Writes, History = History, StateUpdate = Update, RunTime = RunTime, StateRootTime = RootTime,
        };
    }

    private BlockRun RunAll(IReadOnlyList<CheckedTx> txs, long timestampMs)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var number = ledger.Height;
        var blockWrites = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
        var history = new List<StateWrite>();
        var results = new TxResult[txs.Count];
        var seen = new HashSet<byte[]>(ByteArrayComparer.Instance);
        for (int i = 0; i < txs.Count; i++) results[i] = Run(txs[i], (uint)i, number, timestampMs, seen, blockWrites, history);
        var ran = System.Diagnostics.Stopwatch.GetTimestamp();
        var update = ledger.PrepareStateUpdate(blockWrites);
        var rooted = System.Diagnostics.Stopwatch.GetTimestamp();
        return new BlockRun(number, txs.Select(t => t.TxId).ToArray(), results, blockWrites, history, update,
            System.Diagnostics.Stopwatch.GetElapsedTime(started, ran), System.Diagnostics.Stopwatch.GetElapsedTime(ran, rooted));
    }

    private TxResult Run(CheckedTx tx, uint index, ulong blockNumber, long blockTimestampMs, HashSet<byte[]> seen,
        Dictionary<byte[], byte[]?> blockWrites, List<StateWrite> history)
    {
        if (tx.Rejection is { } stateless) return Invalid(stateless);
        if (!seen.Add(tx.TxId) || ledger.ContainsTx(tx.TxId))
            return Invalid(new(ValidationCode.DuplicateTxid, $"transaction {tx.TxIdHex} is already on the ledger"));
        var function = TxValidator.CheckTarget(tx, ledger.Channel, contracts, out var rejection);
        if (function is null) return Invalid(rejection!.Value);
        var payload = tx.Payload!;
        Caller caller;
        if (CurrentAccess is { } access)
        {
            var identity = access.IdentityOf(payload.Creator.Span, out var notEnrolled);
            if (identity is null) return Invalid(notEnrolled!.Value);
            if (access.Authorize(identity, payload.Contract, function) is { } denied) return Invalid(denied);
            caller = ChannelAccess.CallerOf(identity);
        }
        else caller = CallerOf(payload.Creator);
        if (TxValidator.CheckTimestamp(payload, blockTimestampMs, TimestampWindowMs) is { } expired) return Invalid(expired);

        var context = new TxContext(ledger, blockWrites, payload.Contract, caller,
            tx.TxIdHex, payload.TimestampMs, blockNumber, readOnly: false);
        try
        {
            function.Execute(context, tx.Args!.Value);
        }
        catch (ContractException e)
        {
            return Invalid(new(ValidationCode.ContractError, $"{e.Code}: {e.Message}"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A contract bug must not stop the chain; the transaction fails on every node alike.
            logger.LogWarning(e, "contract {Contract}.{Function} threw in tx {TxId}", payload.Contract, payload.Function, tx.TxIdHex);
            return Invalid(new(ValidationCode.ContractError, $"INTERNAL: contract failed with {e.GetType().Name}"));
        }

        foreach (var (key, value) in context.Writes) blockWrites[key] = value;
        foreach (var (key, value) in context.WriteLog) history.Add(new StateWrite(key, index, payload.TimestampMs, value));
        var result = new TxResult { Code = ValidationCode.Valid };
        result.Events.AddRange(context.Events);
        return result;
    }

    // Checksummed address text costs a Keccak hash; accounts submit many transactions, so remember it.
    private readonly Dictionary<ByteString, Caller> _callers = [];

    private Caller CallerOf(ByteString creator)
    {
        if (_callers.TryGetValue(creator, out var caller)) return caller;
        if (_callers.Count >= 100_000) _callers.Clear();
        return _callers[creator] = new Caller(Address.ToText(creator.Span));
    }

    private static TxResult Invalid(TxRejection rejection) => new() { Code = rejection.Code, Message = rejection.Message };

    /// <summary>Runs a query function against one consistent snapshot of committed state.</summary>
    public static EvaluateResult Evaluate(ChannelLedger ledger, ContractRegistry contracts, string contractName, string functionName, ReadOnlySpan<byte> argsJson)
    {
        if (!contracts.TryGet(contractName, out var contract))
            throw new TxRejectedException(new(ValidationCode.UnknownContract, $"channel '{ledger.Channel}' has no contract '{contractName}' (has: {string.Join(", ", contracts.Names)})"));
        if (!contract.Functions.TryGetValue(functionName, out var function) || function.Kind != FunctionKind.Query)
        {
            var queries = contract.Functions.Values.Where(f => f.Kind == FunctionKind.Query).Select(f => f.Name).Order(StringComparer.Ordinal);
            throw new TxRejectedException(new(ValidationCode.UnknownFunction, $"contract '{contractName}' has no query function '{functionName}' (has: {string.Join(", ", queries)})"));
        }
        ContractArgs args;
        try
        {
            args = ContractArgs.Parse(argsJson);
            function.ValidateArgs(args);
        }
        catch (ContractException e) { throw new TxRejectedException(new(ValidationCode.BadArgs, TxValidator.ArgsMessage(e))); }

        using var snapshot = ledger.OpenSnapshot();
        var context = new TxContext(snapshot, new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance), contractName, new Caller(""), "",
            snapshot.Head.LastTimestampMs, snapshot.Head.Height, readOnly: true);
        try
        {
            return new EvaluateResult(function.Execute(context, args) ?? [], snapshot.Head.Height);
        }
        catch (ContractException e) { throw new TxRejectedException(new(ValidationCode.ContractError, $"{e.Code}: {e.Message}")); }
    }
}

/// <summary>A query's result and the height of the state it read.</summary>
public readonly record struct EvaluateResult(byte[] Value, ulong Height);

/// <summary>This node's re-execution of a pulled block disagrees with it: the channel must stop rather than diverge.</summary>
public sealed class BlockMismatchException(ulong number, string message) : Exception($"block {number}: {message}")
{
    public ulong Number { get; } = number;
}
