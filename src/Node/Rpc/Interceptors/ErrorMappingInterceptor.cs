using Chain.Node.Channels;
using Chain.Node.Execution;
using Chain.Protocol;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Rpc.Interceptors;

/// <summary>The one place where domain errors become gRPC statuses. Messages start with the stable code.</summary>
public sealed class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public static StatusCode StatusOf(ValidationCode code) => code switch
    {
        ValidationCode.BadPayload or ValidationCode.BadArgs or ValidationCode.TooLarge => StatusCode.InvalidArgument,
        ValidationCode.BadSignature => StatusCode.Unauthenticated,
        ValidationCode.DuplicateTxid => StatusCode.AlreadyExists,
        ValidationCode.Expired or ValidationCode.ContractError => StatusCode.FailedPrecondition,
        ValidationCode.WrongChannel or ValidationCode.UnknownContract or ValidationCode.UnknownFunction => StatusCode.NotFound,
        ValidationCode.NotAuthorized => StatusCode.PermissionDenied,
        _ => StatusCode.Internal,
    };

    /// <summary>Prefix of a relayed transaction's status when the receiving node does not order the channel now.</summary>
    public const string NotLeaderCode = "NOT_LEADER";

    /// <summary>Refused only because the receiver does not order the channel (yet): worth relaying on or trying again.</summary>
    public static bool IsNotLeader(Protocol.AdmissionStatus status) => !status.Accepted && status.Message.StartsWith(NotLeaderCode, StringComparison.Ordinal);

    public static RpcException ToRpcException(Exception e) => e switch
    {
        RpcException rpc => rpc,
        TxRejectedException r => new RpcException(new Status(StatusOf(r.Rejection.Code), $"{CodeName(r.Rejection.Code)}: {r.Rejection.Message}")),
        ChannelBusyException b => new RpcException(new Status(StatusCode.Unavailable, $"BUSY: {b.Message}")),
        ChannelHaltedException h => new RpcException(new Status(StatusCode.Unavailable, $"HALTED: {h.Message}")),
        RelayException r => new RpcException(new Status(StatusCode.Unavailable, $"{NotLeaderCode}: {r.Message}")),
        RequestException q => new RpcException(new Status(q.Status, q.Message)),
        OperationCanceledException => new RpcException(new Status(StatusCode.Cancelled, "CANCELLED: the call was cancelled")),
        _ => new RpcException(new Status(StatusCode.Internal, "INTERNAL: the node failed to handle the request; see its log")),
    };

    public static string CodeName(ValidationCode code) => code switch
    {
        ValidationCode.BadPayload => "BAD_PAYLOAD",
        ValidationCode.BadSignature => "BAD_SIGNATURE",
        ValidationCode.DuplicateTxid => "DUPLICATE_TXID",
        ValidationCode.Expired => "EXPIRED",
        ValidationCode.WrongChannel => "WRONG_CHANNEL",
        ValidationCode.UnknownContract => "UNKNOWN_CONTRACT",
        ValidationCode.UnknownFunction => "UNKNOWN_FUNCTION",
        ValidationCode.ContractError => "CONTRACT_ERROR",
        ValidationCode.NotAuthorized => "NOT_AUTHORIZED",
        ValidationCode.TooLarge => "TOO_LARGE",
        ValidationCode.BadArgs => "BAD_ARGS",
        ValidationCode.Valid => "VALID",
        _ => code.ToString().ToUpperInvariant(),
    };

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try { return await continuation(request, context); }
        catch (Exception e) when (e is not RpcException) { throw Map(e, context); }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { await continuation(request, responseStream, context); }
        catch (Exception e) when (e is not RpcException) { throw Map(e, context); }
    }

    private RpcException Map(Exception e, ServerCallContext context)
    {
        var mapped = ToRpcException(e);
        if (mapped.StatusCode == StatusCode.Internal) logger.LogError(e, "unhandled error in {Method}", context.Method);
        return mapped;
    }
}

/// <summary>A request the node refuses for a reason that is not a transaction rule (bad page token, unknown block…).</summary>
public sealed class RequestException(StatusCode status, string message) : Exception(message)
{
    public StatusCode Status { get; } = status;
}
