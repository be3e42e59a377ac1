using Chain.Node.Ledger;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;

namespace Chain.Node.Membership;

/// <summary>
/// Block 0 of a channel: one unsigned transaction carrying the channel configuration. It depends only on
/// the configuration and the timestamp, so every node that is given the same file starts the same chain.
/// </summary>
public static class GenesisBlock
{
    /// <summary>A genesis file (the block 'chain channel create' wrote); a missing or unreadable one is a configuration error naming it.</summary>
    public static Block ReadFile(string file)
    {
        if (!File.Exists(file)) throw new Configuration.ConfigException($"genesis file '{file}' does not exist (create it with 'chain channel create')");
        try { return Block.Parser.ParseFrom(File.ReadAllBytes(file)); }
        catch (InvalidProtocolBufferException e) { throw new Configuration.ConfigException($"genesis file '{file}' is not a block ({e.Message})"); }
    }

    public static Block Create(ChannelConfig config, long timestampMs)
    {
        var payload = new TxPayload
        {
            Channel = config.Channel,
            Contract = SystemState.ConfigNamespace,
            Function = SystemState.GenesisFunction,
            Args = config.ToByteString(),
            Creator = ByteString.CopyFrom(new byte[Address.Length]),
            TimestampMs = timestampMs,
        };
        var transaction = new Transaction { Payload = payload.ToByteString() };
        var result = new TxResult { Code = ValidationCode.Valid };
        var header = new BlockHeader
        {
            Channel = config.Channel,
            Number = 0,
            PreviousHash = ByteString.CopyFrom(new byte[Hashes.Length]),
            TxRoot = ByteString.CopyFrom(ProtocolHashes.TxRoot([ProtocolHashes.TxId(transaction.Payload.Span)])),
            ResultsRoot = ByteString.CopyFrom(ProtocolHashes.ResultsRoot([result])),
            StateRoot = ByteString.CopyFrom(StateCommitment.RootOfFreshState(SystemState.ConfigWrites(config, 0))),
            TimestampMs = timestampMs,
            Proposer = "",
        };
        return new Block { Header = header, Transactions = { transaction }, Results = { result } };
    }

    /// <summary>
    /// Checks a genesis block received from a file and returns its configuration and the state it creates.
    /// Throws <see cref="LedgerCorruptException"/> (block 0) naming what is wrong.
    /// </summary>
    public static (ChannelConfig Config, IReadOnlyDictionary<byte[], byte[]?> Writes) Open(Block block, string channel)
    {
        BlockVerifier.CheckSelfConsistent(block, 0, channel);
        if (block.Transactions.Count != 1) throw new LedgerCorruptException(0, $"a genesis block has exactly one transaction, this one has {block.Transactions.Count}");
        TxPayload payload;
        ChannelConfig config;
        try
        {
            payload = TxPayload.Parser.ParseFrom(block.Transactions[0].Payload);
            config = ChannelConfig.Parser.ParseFrom(payload.Args);
        }
        catch (InvalidProtocolBufferException e) { throw new LedgerCorruptException(0, $"genesis configuration does not decode ({e.Message})"); }
        if (payload.Contract != SystemState.ConfigNamespace || payload.Function != SystemState.GenesisFunction)
            throw new LedgerCorruptException(0, $"genesis transaction calls {payload.Contract}.{payload.Function}, expected {SystemState.ConfigNamespace}.{SystemState.GenesisFunction}");
        if (config.Channel != channel) throw new LedgerCorruptException(0, $"genesis configuration is for channel '{config.Channel}', not '{channel}'");
        // The same rules as for updates, so a hand-made genesis cannot carry a policy that fails later, at every block.
        try { ConfigShape.Validate(config); }
        catch (Chain.Contracts.Abstractions.ContractException e) { throw new LedgerCorruptException(0, $"genesis {e.Message}"); }
        var writes = SystemState.ConfigWrites(config, 0);
        var root = StateCommitment.RootOfFreshState(writes);
        if (!root.AsSpan().SequenceEqual(block.Header.StateRoot.Span)) throw new LedgerCorruptException(0, "genesis state root does not match its configuration");
        return (config, writes);
    }
}
