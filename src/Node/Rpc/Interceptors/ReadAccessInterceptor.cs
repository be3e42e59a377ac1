using Chain.Contracts.Abstractions;
using Chain.Node.Channels;
using Chain.Node.Errors;
using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Chain.Node.Rpc.Interceptors;

/// <summary>
/// The one gate of every channel read on the client endpoint: it learns the caller from the signed-read headers
/// (<see cref="ReadSigning"/>), checks the rule the read needs (<see cref="ReadAccess"/>) and leaves the caller in the
/// call's state for the service (<see cref="CallerOf"/>). A channel without configuration enforces no membership, as for writes.
/// </summary>
internal sealed class ReadAccessInterceptor(ChannelDirectory channels, TimeProvider clock) : Interceptor
{
    private const string CallerKey = "chain.reader";
    private const string RawKey = "chain.raw-reader";
    private const string RuleKey = "chain.read-rule";

    private enum Need { Function, Readers, RawReaders, Subscribe }

    /// <summary>The reads, by gRPC method; a method not listed here is not a channel read (writes carry their own signature).</summary>
    private static readonly Dictionary<string, Need> Reads = new(StringComparer.Ordinal)
    {
        ["/chain.v1.Gateway/Evaluate"] = Need.Function,
        ["/chain.v1.Gateway/CommitStatus"] = Need.Readers,
        ["/chain.v1.Ledger/GetBlockByNumber"] = Need.RawReaders,
        ["/chain.v1.Ledger/GetBlockByHash"] = Need.RawReaders,
        ["/chain.v1.Ledger/GetTransaction"] = Need.RawReaders,
        ["/chain.v1.Ledger/GetKeyHistory"] = Need.RawReaders,
        ["/chain.v1.Ledger/GetStateProof"] = Need.RawReaders,
        ["/chain.v1.Ledger/GetReceipt"] = Need.Readers,
        ["/chain.v1.Ledger/GetSubjectHistory"] = Need.RawReaders,
        ["/chain.v1.Ledger/GetAccountActivity"] = Need.RawReaders,
        ["/chain.v1.Events/Subscribe"] = Need.Subscribe,
    };

    /// <summary>The caller of a read that was signed, else an anonymous caller.</summary>
    public static Caller CallerOf(ServerCallContext context) => context.UserState.TryGetValue(CallerKey, out var caller) ? (Caller)caller : new Caller("");

    /// <summary>True when the read's caller may see raw data (or the channel enforces no membership).</summary>
    public static bool IsRawReader(ServerCallContext context) => !context.UserState.TryGetValue(RawKey, out var raw) || (bool)raw;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(request, context);
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(request, context);
        await continuation(request, responseStream, context);
    }

    private void Authorize(object request, ServerCallContext context)
    {
        if (!Reads.TryGetValue(context.Method, out var need) || request is not IMessage message) return;
        if (ReadSigning.ChannelOf(message) is not { Length: > 0 } name || channels.Find(name) is not { } channel) return; // the service answers the bad channel
        var view = channel.Views.Current;
        if (view.Access is not { } access) return;

        var identity = Authenticate(context, name, message, access, view.Limits.TimestampWindowMs);
        if (identity is not null) context.UserState[CallerKey] = ChannelAccess.CallerOf(identity);
        context.UserState[RawKey] = identity is not null && access.Check(identity, ReadAccess.RawReaders, "", "") is null;

        var (rule, subject) = need switch
        {
            Need.Function => FunctionRule((EvaluateRequest)message, channel),
            Need.Readers => (ReadAccess.Readers, $"{Short(context.Method)} on channel '{name}'"),
            Need.Subscribe when ((SubscribeRequest)message).IncludeFullBlock => (ReadAccess.RawReaders, $"Subscribe with full blocks on channel '{name}'"),
            Need.Subscribe => (ReadAccess.Readers, $"Subscribe on channel '{name}'"),
            _ => (ReadAccess.RawReaders, $"{Short(context.Method)} (raw ledger data) on channel '{name}'"),
        };
        // An answer with proof carries the raw values the function read and its buckets' other keys: raw data.
        if (message is EvaluateRequest { WithProof: true } && rule is not null)
        {
            Require(identity, access, ReadAccess.RawReaders, $"{subject} with proof (raw values and bucket listings) on channel '{name}'");
            if (rule == ContractFunction.PublicAccess) return;
        }
        if (rule is null or ContractFunction.PublicAccess) return;
        Require(identity, access, rule, subject);
        context.UserState[RuleKey] = (rule, subject);
    }

    private static void Require(Identity? identity, ChannelAccess access, string rule, string subject)
    {
        if (identity is null)
            throw new RequestException(ErrorCodes.UnsignedRead, $"{subject} needs a signed read ({Describe(rule)}); sign it with an enrolled account (CLI --key or --as)");
        if (access.Check(identity, rule, subject, "reader") is { } refusal) throw new RequestException(ErrorCodes.ReadDenied, refusal);
    }

    /// <summary>
    /// For a long stream: checks the signed reader again against the configuration and enrolments in force now, so a
    /// revocation or a narrower policy ends an open stream at its next blocks.
    /// </summary>
    public static void Reauthorize(ServerCallContext context, ChannelRuntime channel)
    {
        if (!context.UserState.TryGetValue(RuleKey, out var stored) || stored is not (string rule, string subject)) return;
        if (channel.Views.Current.Access is not { } access || Address.TryParse(CallerOf(context).Address) is not { } address) return;
        var identity = access.IdentityOf(address, out var rejection) ?? throw new RequestException(ErrorCodes.ReadDenied, $"{subject}: {rejection!.Value.Message}");
        if (access.Check(identity, rule, subject, "reader") is { } refusal) throw new RequestException(ErrorCodes.ReadDenied, refusal);
    }

    private static (string? Rule, string Subject) FunctionRule(EvaluateRequest request, ChannelRuntime channel) =>
        channel.Contracts.TryGet(request.Contract, out var contract) && contract.Functions.TryGetValue(request.Function, out var function) && function.Kind == FunctionKind.Query
            ? (function.Access, $"{request.Contract}.{request.Function}")
            : (null, ""); // the service answers the unknown contract or function, which reveals no state

    /// <summary>The signed reader of the call, null when it carries no signature; a signature that is present must be right.</summary>
    private Identity? Authenticate(ServerCallContext context, string channel, IMessage request, ChannelAccess access, long windowMs)
    {
        var headers = context.RequestHeaders;
        string? readerText = headers.GetValue(ReadSigning.ReaderHeader), timeText = headers.GetValue(ReadSigning.TimeHeader), signatureText = headers.GetValue(ReadSigning.SignatureHeader);
        if (readerText is null && timeText is null && signatureText is null) return null;
        if (readerText is null || timeText is null || signatureText is null)
            throw new RequestException(ErrorCodes.BadReadSignature, $"a signed read carries all of {ReadSigning.ReaderHeader}, {ReadSigning.TimeHeader} and {ReadSigning.SignatureHeader}");
        var address = Address.TryParse(readerText) ?? throw new RequestException(ErrorCodes.BadReadSignature, $"{ReadSigning.ReaderHeader} '{Truncate(readerText)}' is not a 20-byte address");
        if (!long.TryParse(timeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var timeMs))
            throw new RequestException(ErrorCodes.BadReadSignature, $"{ReadSigning.TimeHeader} '{Truncate(timeText)}' is not Unix milliseconds");
        long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (Math.Abs(now - timeMs) > windowMs)
            throw new RequestException(ErrorCodes.ReadExpired, $"the read was signed at {timeMs}, {now - timeMs} ms from this node's clock; channel '{channel}' accepts {windowMs} ms either way (a replay, or a wrong clock)");
        // Enrolment first: an unknown account is refused before paying for signature recovery.
        var identity = access.ClaimedIdentityOf(address, out var rejection) ?? throw new RequestException(ErrorCodes.ReadDenied, rejection!.Value.Message);
        var signature = Hashes.TryFromHex(signatureText);
        if (signature is not { Length: Signatures.Length })
            throw new RequestException(ErrorCodes.BadReadSignature, $"{ReadSigning.SignatureHeader} must be {Signatures.Length} bytes in hex");
        var digest = ProtocolHashes.ReadDigest(context.Method, channel, request.ToByteArray(), timeMs);
        var recovered = Signatures.TryRecoverAddress(digest, signature, out var error);
        if (recovered is null || !recovered.AsSpan().SequenceEqual(address))
            throw new RequestException(ErrorCodes.BadReadSignature, $"the read signature does not recover to {readerText}{(error is null ? "" : $" ({error})")}: it was made for another request, channel or time, or by another key");
        return identity;
    }

    private static string Describe(string rule) => rule is ReadAccess.Readers or ReadAccess.RawReaders ? $"the channel policy '{rule}'" : $"access rule {rule}";
    private static string Short(string method) => method[(method.LastIndexOf('/') + 1)..];
    private static string Truncate(string text) => text.Length > 48 ? text[..48] + "…" : text;
}
