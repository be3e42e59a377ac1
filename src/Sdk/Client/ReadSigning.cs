using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Chain.Sdk.Client;

/// <summary>
/// Signed reads: a read call carries its caller in three headers, signed over the method, the channel, the request
/// and the time (<see cref="ProtocolHashes.ReadDigest"/>), so a node knows who asks without an extra round trip and a
/// captured signature is good for that one request, on that channel, inside the channel's timestamp window.
/// </summary>
public static class ReadSigning
{
    /// <summary>The reader's address, 0x and 40 hex digits: lets a node refuse an account it does not know before recovering the signature.</summary>
    public const string ReaderHeader = "chain-reader";
    /// <summary>The reader's clock, Unix milliseconds, decimal.</summary>
    public const string TimeHeader = "chain-read-time";
    /// <summary>The 65-byte recoverable signature of the read digest, hex.</summary>
    public const string SignatureHeader = "chain-read-signature";

    /// <summary>The headers that sign <paramref name="request"/> as a call to <paramref name="method"/> on <paramref name="channel"/>.</summary>
    public static Metadata Sign(AccountKey reader, string method, string channel, IMessage request, long timeMs, Metadata? into = null)
    {
        var digest = ProtocolHashes.ReadDigest(method, channel, request.ToByteArray(), timeMs);
        var headers = into ?? [];
        headers.Add(ReaderHeader, reader.AddressText);
        headers.Add(TimeHeader, timeMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        headers.Add(SignatureHeader, Convert.ToHexStringLower(reader.Sign(digest)));
        return headers;
    }

    /// <summary>The channel a request names (its <c>channel</c> field), or null when it has none.</summary>
    public static string? ChannelOf(IMessage request) =>
        request.Descriptor.FindFieldByName("channel") is { FieldType: Google.Protobuf.Reflection.FieldType.String } field ? (string)field.Accessor.GetValue(request) : null;
}

/// <summary>Signs every call that names a channel with the reader's key (unary and server-streaming calls: the reads).</summary>
public sealed class ReadSigningInterceptor(AccountKey reader, Func<long>? clock = null) : Interceptor
{
    private readonly Func<long> _clock = clock ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) => continuation(request, Signed(request, context));

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation) => continuation(request, Signed(request, context));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) => continuation(request, Signed(request, context));

    private ClientInterceptorContext<TRequest, TResponse> Signed<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class where TResponse : class
    {
        if (request is not IMessage message || ReadSigning.ChannelOf(message) is not { Length: > 0 } channel) return context;
        if (context.Options.Headers?.Get(ReadSigning.ReaderHeader) is not null) return context; // signed by the caller already, as another account
        var headers = new Metadata();
        foreach (var entry in context.Options.Headers ?? []) headers.Add(entry);
        ReadSigning.Sign(reader, context.Method.FullName, channel, message, _clock(), headers);
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }
}
