using Chain.Contracts.Abstractions;
using Chain.Node.Configuration;
using Chain.Node.Ledger;
using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Client;
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
/// <remarks>Access rules and limits come from the configuration in force before the block (<see cref="ChannelViews"/>).</remarks>
internal sealed partial class BlockExecutor(ChannelLedger ledger, ContractRegistry contracts, ChannelViews views, ILogger logger)
{
    public static IReadOnlyList<CheckedTx> CheckAll(IReadOnlyList<Transaction> transactions, int maxTxBytes)
    {
        var checkedTxs = new CheckedTx[transactions.Count];
        Parallel.For(0, transactions.Count, i => checkedTxs[i] = TxValidator.CheckStateless(transactions[i], maxTxBytes));
        return checkedTxs;
    }

    public BlockWriteSet Execute(IReadOnlyList<CheckedTx> txs, long timestampMs, AccountKey proposer)
    {
        var view = views.Current;
        if (!view.MayCutBlocks(proposer.Address))
            throw new InvalidOperationException($"this node ({proposer.AddressText}) is not a consenter of channel '{ledger.Channel}' and cannot cut its blocks");
        var run = RunAll(txs, timestampMs, view);
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
    public BlockWriteSet Replay(Block block, byte[] hash)
    {
        var view = views.Current;
        var run = RunAll(CheckAll(block.Transactions, view.Limits.MaxTxBytes), block.Header.TimestampMs, view);
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

    private BlockRun RunAll(IReadOnlyList<CheckedTx> txs, long timestampMs, ChannelView view)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var number = ledger.Height;
        var blockWrites = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance);
        var history = new List<StateWrite>();
        var results = new TxResult[txs.Count];
        var seen = new HashSet<byte[]>(ByteArrayComparer.Instance);
        for (int i = 0; i < txs.Count; i++) results[i] = Run(txs[i], (uint)i, number, timestampMs, view, seen, blockWrites, history);
        var ran = System.Diagnostics.Stopwatch.GetTimestamp();
        var update = ledger.PrepareStateUpdate(blockWrites);
        var rooted = System.Diagnostics.Stopwatch.GetTimestamp();
        return new BlockRun(number, txs.Select(t => t.TxId).ToArray(), results, blockWrites, history, update,
            System.Diagnostics.Stopwatch.GetElapsedTime(started, ran), System.Diagnostics.Stopwatch.GetElapsedTime(ran, rooted));
    }

    private TxResult Run(CheckedTx tx, uint index, ulong blockNumber, long blockTimestampMs, ChannelView view, HashSet<byte[]> seen,
        Dictionary<byte[], byte[]?> blockWrites, List<StateWrite> history)
    {
        if (tx.Rejection is { } stateless) return Invalid(stateless);
        if (!seen.Add(tx.TxId) || ledger.ContainsTx(tx.TxId))
            return Invalid(new(ValidationCode.DuplicateTxid, $"transaction {tx.TxIdHex} is already on the ledger"));
        if (TxValidator.CheckRules(tx, ledger.Channel, contracts, view.Access, blockTimestampMs, view.Limits.TimestampWindowMs, out var function, out var identity) is { } refused)
            return Invalid(refused);
        var payload = tx.Payload!;
        var caller = identity is not null ? ChannelAccess.CallerOf(identity) : CallerOf(payload.Creator);

        var context = new TxContext(ledger, blockWrites, payload.Contract, caller,
            tx.TxIdHex, payload.TimestampMs, blockNumber, readOnly: false);
        try
        {
            function!.Execute(context, tx.Args!.Value);
        }
        catch (ContractException e)
        {
            return Invalid(TxRejection.Contract(e));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A contract bug must not stop the chain; the transaction fails on every node alike.
            LogContractThrew(logger, e, payload.Contract, payload.Function, tx.TxIdHex);
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
    public static EvaluateResult Evaluate(ChannelLedger ledger, ContractRegistry contracts, string contractName, string functionName, ReadOnlySpan<byte> argsJson, Caller? caller = null,
        long readBudget = Configuration.ChannelSettings.DefaultQueryReadBudget, List<byte[]>? pointReads = null)
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
        var context = new TxContext(snapshot, new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance), contractName, caller ?? new Caller(""), "",
            snapshot.Head.LastTimestampMs, snapshot.Head.Height, readOnly: true, readBudget) { PointReads = pointReads };
        try
        {
            var value = function.Execute(context, args) ?? [];
            if (context.Unprovable is { } why)
                throw new QueryNotProvableException($"{contractName}.{functionName} cannot be answered with proof: {why}, and a state proof shows single keys, not that a range is complete; ask without with_proof");
            return new EvaluateResult(value, snapshot.Head.Height);
        }
        catch (ContractException e) { throw new TxRejectedException(TxRejection.Contract(e)); }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "contract {Contract}.{Function} threw in tx {TxId}")]
    private static partial void LogContractThrew(ILogger logger, Exception exception, string contract, string function, string txId);
}

/// <summary>A query's result and the height of the state it read.</summary>
internal readonly record struct EvaluateResult(byte[] Value, ulong Height);

/// <summary>This node's re-execution of a pulled block disagrees with it: the channel must stop rather than diverge.</summary>
internal sealed class BlockMismatchException(ulong number, string message) : Exception($"block {number}: {message}")
{
    public ulong Number { get; } = number;
}
