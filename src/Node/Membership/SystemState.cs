using Chain.Node.Ledger;
using Chain.Node.Storage;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Google.Protobuf;

namespace Chain.Node.Membership;

/// <summary>
/// The channel state the node itself keeps, in namespaces no contract can use (names starting with '_'):
/// the channel configuration and the account enrolments.
/// </summary>
internal static class SystemState
{
    public const string ConfigNamespace = SystemContracts.Config;
    public const string MembersNamespace = SystemContracts.Members;
    public const string ConfigKey = "channel";
    public const string GenesisFunction = "genesis";

    public static byte[] ConfigStateKey { get; } = KeyCodec.State(ConfigNamespace, ConfigKey);

    public static byte[] MemberStateKey(ReadOnlySpan<byte> address) => KeyCodec.State(MembersNamespace, Hashes.ToHex(address));

    /// <summary>What applying a configuration writes: the configuration itself and every enrolment it makes.</summary>
    public static Dictionary<byte[], byte[]?> ConfigWrites(ChannelConfig config, ulong block)
    {
        var writes = new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance) { [ConfigStateKey] = config.ToByteArray() };
        foreach (var member in config.Members)
        {
            var enrollment = member.Clone();
            enrollment.Block = block;
            writes[MemberStateKey(member.Address.Span)] = enrollment.ToByteArray();
        }
        return writes;
    }

    public static ChannelConfig? ReadConfig(IStateReader state) =>
        state.GetState(ConfigStateKey) is { } bytes ? ChannelConfig.Parser.ParseFrom(bytes) : null;

    public static Enrollment? ReadMember(IStateReader state, ReadOnlySpan<byte> address) =>
        state.GetState(MemberStateKey(address)) is { } bytes ? Enrollment.Parser.ParseFrom(bytes) : null;
}
