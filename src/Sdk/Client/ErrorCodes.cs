using Chain.Protocol;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Chain.Sdk.Client;

/// <summary>A stable code a node answers with, and the gRPC status it travels in.</summary>
public sealed record ErrorCode(string Name, StatusCode Status)
{
    public override string ToString() => Name;

    /// <summary>The message a node sends: the code, a colon, the specific text.</summary>
    public string Describe(string message) => $"{Name}: {message}";
}

/// <summary>
/// The one catalogue of the codes a node's answers carry. Every error message starts with its code, and the code
/// also travels apart from the text: as the <see cref="CodeTrailer"/> trailer of a failed call, and as
/// <see cref="AdmissionStatus.Code"/> in a batch answer; so clients decide on codes, never on message text.
/// Validation codes are named as in the protocol (<c>types.proto</c>).
/// </summary>
public static class ErrorCodes
{
    /// <summary>Trailer of a failed call naming its code (a validation code or one below).</summary>
    public const string CodeTrailer = "chain-code";
    /// <summary>Trailer naming the contract's own code when the code is <c>CONTRACT_ERROR</c> (e.g. <c>NOT_FOUND</c>).</summary>
    public const string ContractCodeTrailer = "chain-contract-code";

    /// <summary>This node does not order the channel now and could not pass the transaction on.</summary>
    public static readonly ErrorCode NotLeader = new("NOT_LEADER", StatusCode.Unavailable);
    /// <summary>A Raft channel has had no leader for the relay's patience; nothing was submitted.</summary>
    public static readonly ErrorCode NoLeader = new("NO_LEADER", StatusCode.Unavailable);
    /// <summary>No node that orders the channel could be reached.</summary>
    public static readonly ErrorCode NoOrderer = new("NO_ORDERER", StatusCode.Unavailable);
    /// <summary>The channel's queue is full: back-pressure, retry later.</summary>
    public static readonly ErrorCode Busy = new("BUSY", StatusCode.Unavailable);
    /// <summary>The channel stopped committing (a failed commit, or a block that failed verification).</summary>
    public static readonly ErrorCode Halted = new("HALTED", StatusCode.Unavailable);
    /// <summary>The node is shutting down.</summary>
    public static readonly ErrorCode Stopping = new("STOPPING", StatusCode.Unavailable);
    public static readonly ErrorCode NoCertificate = new("NO_CERTIFICATE", StatusCode.Unauthenticated);
    public static readonly ErrorCode UntrustedPeer = new("UNTRUSTED_PEER", StatusCode.PermissionDenied);
    public static readonly ErrorCode NotAMember = new("NOT_A_MEMBER", StatusCode.PermissionDenied);
    /// <summary>The read needs a caller: sign it (<see cref="ReadSigning"/>; CLI <c>--key</c> or <c>--as</c>).</summary>
    public static readonly ErrorCode UnsignedRead = new("UNSIGNED_READ", StatusCode.Unauthenticated);
    /// <summary>A read's signature headers are malformed, or do not recover to the account they name.</summary>
    public static readonly ErrorCode BadReadSignature = new("BAD_READ_SIGNATURE", StatusCode.Unauthenticated);
    /// <summary>A signed read's time lies outside the channel's timestamp window (a replay, or a wrong clock).</summary>
    public static readonly ErrorCode ReadExpired = new("READ_EXPIRED", StatusCode.Unauthenticated);
    /// <summary>The caller is not enrolled, or does not satisfy the policy the read needs (the message names it).</summary>
    public static readonly ErrorCode ReadDenied = new("READ_DENIED", StatusCode.PermissionDenied);
    /// <summary>A query read more state than the node's budget for one query; ask for a page or a narrower scope.</summary>
    public static readonly ErrorCode QueryTooLarge = new("QUERY_TOO_LARGE", StatusCode.ResourceExhausted);
    public static readonly ErrorCode QueryNotProvable = new("QUERY_NOT_PROVABLE", StatusCode.FailedPrecondition);
    public static readonly ErrorCode BadTxId = new("BAD_TXID", StatusCode.InvalidArgument);
    public static readonly ErrorCode BadHash = new("BAD_HASH", StatusCode.InvalidArgument);
    public static readonly ErrorCode BadPageToken = new("BAD_PAGE_TOKEN", StatusCode.InvalidArgument);
    public static readonly ErrorCode NoSuchBlock = new("NO_SUCH_BLOCK", StatusCode.NotFound);
    public static readonly ErrorCode NoSuchTx = new("NO_SUCH_TX", StatusCode.NotFound);
    public static readonly ErrorCode Cancelled = new("CANCELLED", StatusCode.Cancelled);
    public static readonly ErrorCode Internal = new("INTERNAL", StatusCode.Internal);

    private static readonly Dictionary<ValidationCode, ErrorCode> Validation = BuildValidation();

    /// <summary>The code of a transaction rule, named as in the protocol, with its gRPC status.</summary>
    public static ErrorCode Of(ValidationCode code) => Validation.TryGetValue(code, out var known) ? known : new(code.ToString().ToUpperInvariant(), StatusCode.Internal);

    /// <summary>Name of a validation code as the protocol spells it (<c>BAD_SIGNATURE</c>).</summary>
    public static string NameOf(ValidationCode code) => Of(code).Name;

    private static Dictionary<ValidationCode, ErrorCode> BuildValidation()
    {
        var statuses = new Dictionary<ValidationCode, StatusCode>
        {
            [ValidationCode.BadPayload] = StatusCode.InvalidArgument, [ValidationCode.BadArgs] = StatusCode.InvalidArgument, [ValidationCode.TooLarge] = StatusCode.InvalidArgument,
            [ValidationCode.BadSignature] = StatusCode.Unauthenticated,
            [ValidationCode.DuplicateTxid] = StatusCode.AlreadyExists,
            [ValidationCode.Expired] = StatusCode.FailedPrecondition, [ValidationCode.ContractError] = StatusCode.FailedPrecondition,
            [ValidationCode.WrongChannel] = StatusCode.NotFound, [ValidationCode.UnknownContract] = StatusCode.NotFound, [ValidationCode.UnknownFunction] = StatusCode.NotFound,
            [ValidationCode.NotAuthorized] = StatusCode.PermissionDenied,
        };
        var codes = new Dictionary<ValidationCode, ErrorCode>();
        foreach (EnumValueDescriptor value in TypesReflection.Descriptor.EnumTypes.First(e => e.ClrType == typeof(ValidationCode)).Values)
        {
            var code = (ValidationCode)value.Number;
            codes[code] = new ErrorCode(value.Name, statuses.GetValueOrDefault(code, code == ValidationCode.Valid ? StatusCode.OK : StatusCode.Internal));
        }
        return codes;
    }

    /// <summary>The code a failed call carries in its trailers, or null when the failure did not come from a node (a broken connection).</summary>
    public static string? CodeOf(RpcException e) => e.Trailers.GetValue(CodeTrailer);

    /// <summary>The contract's own code of a <c>CONTRACT_ERROR</c> answer (<c>NOT_FOUND</c>, <c>BAD_STATE</c>, …), or null.</summary>
    public static string? ContractCodeOf(RpcException e) => e.Trailers.GetValue(ContractCodeTrailer);

    public static bool Is(this RpcException e, ErrorCode code) => CodeOf(e) == code.Name;

    /// <summary>
    /// The codes that mean "not now": the same signed transaction may be sent again, to this node or another (a repeat
    /// is refused as DUPLICATE_TXID, never applied twice). HALTED and STOPPING concern the node that answered, so a
    /// retry goes to another node when there is one (<see cref="RetryPolicy"/>).
    /// </summary>
    public static bool IsTransient(string? code) =>
        code == NotLeader.Name || code == NoLeader.Name || code == NoOrderer.Name || code == Busy.Name || code == Stopping.Name || code == Halted.Name;

    /// <summary>True when a batch answer refused the transaction with <paramref name="code"/>.</summary>
    public static bool Is(this AdmissionStatus status, ErrorCode code) => !status.Accepted && status.Code == code.Name;
}
