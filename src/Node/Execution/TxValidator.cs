using Chain.Contracts.Abstractions;
using Chain.Node.Configuration;
using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;

namespace Chain.Node.Execution;

/// <summary>
/// The transaction rules that do not depend on state, shared by admission (Gateway.Submit) and block
/// execution so both always agree. Each failure is a <see cref="TxRejection"/> with a specific message.
/// </summary>
internal static class TxValidator
{
    /// <param name="creatorCheck">
    /// At admission, a check of the claimed creator before the signature is recovered (is it enrolled?), so a flood of
    /// transactions from unknown keys costs a lookup each rather than a signature recovery.
    /// </param>
    public static CheckedTx CheckStateless(Transaction transaction, int maxTxBytes, Func<ReadOnlyMemory<byte>, TxRejection?>? creatorCheck = null)
    {
        var txId = ProtocolHashes.TxId(transaction.Payload.Span);
        CheckedTx Reject(ValidationCode code, string message) => new() { Transaction = transaction, TxId = txId, Rejection = new(code, message) };

        var size = transaction.CalculateSize();
        if (size > maxTxBytes) return Reject(ValidationCode.TooLarge, $"transaction is {size} bytes, the channel allows at most {maxTxBytes}");
        if (transaction.Payload.IsEmpty) return Reject(ValidationCode.BadPayload, "transaction has no payload");

        TxPayload payload;
        try { payload = TxPayload.Parser.ParseFrom(transaction.Payload); }
        catch (InvalidProtocolBufferException e) { return Reject(ValidationCode.BadPayload, $"payload does not decode: {e.Message}"); }
        if (payload.Creator.Length != Address.Length)
            return Reject(ValidationCode.BadPayload, $"creator must be a {Address.Length}-byte address, got {payload.Creator.Length} bytes");
        if (transaction.Signature.IsEmpty) return Reject(ValidationCode.BadSignature, "transaction is not signed");
        if (creatorCheck?.Invoke(payload.Creator.Memory) is { } unknown) return new() { Transaction = transaction, TxId = txId, Rejection = unknown };

        var signer = Signatures.TryRecoverAddress(txId, transaction.Signature.Span, out var error);
        if (signer is null) return Reject(ValidationCode.BadSignature, error!);
        if (!signer.AsSpan().SequenceEqual(payload.Creator.Span))
            return Reject(ValidationCode.BadSignature, $"signature is by {Address.ToText(signer)} but the creator is {Address.ToText(payload.Creator.Span)}");
        return new CheckedTx { Transaction = transaction, TxId = txId, Payload = payload };
    }

    /// <summary>
    /// The rules after the stateless checks, in the one order admission and block execution both apply them: the
    /// target (<see cref="CheckTarget"/>), on a configured channel the signer's enrolment and the function's access
    /// rule, then the timestamp against <paramref name="referenceMs"/> (the node's clock, or the block's time).
    /// Only the duplicate check differs between the two (pending transactions, or earlier ones in the block) and is the caller's.
    /// </summary>
    public static TxRejection? CheckRules(CheckedTx tx, string channel, ContractRegistry contracts, ChannelAccess? access, long referenceMs, long windowMs,
        out ContractFunction? function, out Identity? identity)
    {
        identity = null;
        function = CheckTarget(tx, channel, contracts, out var rejection);
        if (function is null) return rejection;
        var payload = tx.Payload!;
        if (access is not null)
        {
            identity = access.IdentityOf(payload.Creator.Span, out var notEnrolled);
            if (identity is null) return notEnrolled;
            if (access.Authorize(identity, payload.Contract, function) is { } denied) return denied;
        }
        return CheckTimestamp(payload, referenceMs, windowMs);
    }

    /// <summary>Channel, contract, function and arguments; returns the function to run.</summary>
    public static ContractFunction? CheckTarget(CheckedTx tx, string channel, ContractRegistry contracts, out TxRejection? rejection)
    {
        var payload = tx.Payload!;
        rejection = null;
        if (payload.Channel != channel)
        {
            rejection = new(ValidationCode.WrongChannel, $"transaction is for channel '{payload.Channel}', not '{channel}'");
            return null;
        }
        if (!contracts.TryGet(payload.Contract, out var contract))
        {
            rejection = new(ValidationCode.UnknownContract, $"channel '{channel}' has no contract '{payload.Contract}' (has: {string.Join(", ", contracts.Names)})");
            return null;
        }
        if (!contract.Functions.TryGetValue(payload.Function, out var function) || function.Kind != FunctionKind.Invoke)
        {
            var invokable = contract.Functions.Values.Where(f => f.Kind == FunctionKind.Invoke).Select(f => f.Name).Order(StringComparer.Ordinal);
            rejection = new(ValidationCode.UnknownFunction, $"contract '{contract.Name}' has no invokable function '{payload.Function}' (has: {string.Join(", ", invokable)})");
            return null;
        }
        try
        {
            var args = tx.Args ?? ContractArgs.Parse(payload.Args.Span);
            function.ValidateArgs(args);
            tx.Args = args;
        }
        catch (ContractException e)
        {
            rejection = new(ValidationCode.BadArgs, ArgsMessage(e));
            return null;
        }
        return function;
    }

    /// <summary>The message of an argument error, without repeating the BAD_ARGS code the rejection already carries.</summary>
    public static string ArgsMessage(ContractException e) => e.Code == ContractErrors.BadArgs ? e.Message : $"{e.Code}: {e.Message}";

    public static TxRejection? CheckTimestamp(TxPayload payload, long referenceMs, long windowMs)
    {
        var skew = payload.TimestampMs - referenceMs;
        if (Math.Abs(skew) <= windowMs) return null;
        var direction = skew < 0 ? "before" : "after";
        return new TxRejection(ValidationCode.Expired,
            $"timestamp {payload.TimestampMs} is {Math.Abs(skew) / 1000.0:F1}s {direction} the reference time {referenceMs}; the window is ±{windowMs / 1000.0:F1}s");
    }
}
