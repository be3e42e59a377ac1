using Chain.Protocol;
using Chain.Sdk.Crypto;
using Google.Protobuf;

namespace Chain.Node.Membership;

/// <summary>
/// For `ledger verify`: on a configured channel every block after genesis must be signed by a consenter
/// of the configuration in force when it was cut. Follows configuration updates along the chain.
/// </summary>
public sealed class ConsenterRule
{
    private ChannelConfig? _config;

    /// <summary>Null when the block is fine, else what is wrong. Call for every block in order.</summary>
    public string? Check(Block block)
    {
        if (block.Header.Number == 0)
        {
            _config = block.Transactions.Count == 1 && TryConfigOf(block.Transactions[0], SystemState.GenesisFunction, out var genesis) ? genesis : null;
            return null;
        }
        if (_config is null) return null; // a channel without configuration has no consenter list
        if (_config.CheckSigners(block) is { } problem) return "block is " + problem;
        for (int i = 0; i < block.Transactions.Count; i++)
        {
            if (block.Results[i].Code == ValidationCode.Valid && TryConfigOf(block.Transactions[i], "update", out var updated)) _config = updated;
        }
        return null;
    }

    private static bool TryConfigOf(Transaction transaction, string function, out ChannelConfig config) =>
        Sdk.Verification.ChannelConfigs.TryRead(transaction, function, out config);
}
