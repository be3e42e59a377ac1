using Chain.Node.Channels;
using Chain.Node.Execution;
using Chain.Protocol;
using Chain.Sdk.Client;
using Grpc.Core;

namespace Chain.Node.Errors;

/// <summary>
/// How the node answers a refusal: the one mapping from its exceptions to codes and gRPC statuses (codes and statuses
/// from <see cref="ErrorCodes"/>). Messages start with the stable code, and the code also travels apart from the text:
/// as the <see cref="ErrorCodes.CodeTrailer"/> trailer of a failed call and as <see cref="AdmissionStatus.Code"/>.
/// </summary>
internal static class Answers
{
    /// <summary>A refusal as the node answers it: code, status, message (starting with the code) and, for contract errors, the contract's code.</summary>
    public readonly record struct Answer(string Code, StatusCode Status, string Message, string? ContractCode = null);

    public static Answer Of(Exception e) => e switch
    {
        TxRejectedException r => new(ErrorCodes.NameOf(r.Rejection.Code), ErrorCodes.Of(r.Rejection.Code).Status, ErrorCodes.Of(r.Rejection.Code).Describe(r.Rejection.Message), r.Rejection.ContractCode),
        ChannelBusyException b => Of(ErrorCodes.Busy, b.Message),
        ChannelHaltedException h => Of(ErrorCodes.Halted, h.Message),
        QueryBudgetExceededException q => Of(ErrorCodes.QueryTooLarge, q.Message),
        QueryNotProvableException n => Of(ErrorCodes.QueryNotProvable, n.Message),
        RequestException q => new(q.Code, q.Status, q.Message),
        OperationCanceledException => Of(ErrorCodes.Cancelled, "the call was cancelled"),
        _ => Of(ErrorCodes.Internal, "the node failed to handle the request; see its log"),
    };

    private static Answer Of(ErrorCode code, string detail) => new(code.Name, code.Status, code.Describe(detail));

    public static RpcException ToRpcException(Exception e)
    {
        if (e is RpcException rpc) return rpc;
        var answer = Of(e);
        var trailers = new Metadata { { ErrorCodes.CodeTrailer, answer.Code } };
        if (answer.ContractCode is { } contractCode) trailers.Add(ErrorCodes.ContractCodeTrailer, contractCode);
        return new RpcException(new Status(answer.Status, answer.Message), trailers);
    }

    /// <summary>The status of one transaction of a batch that was refused.</summary>
    public static AdmissionStatus Refused(string txId, Exception e)
    {
        var answer = Of(e);
        return new AdmissionStatus { TxId = txId, Accepted = false, StatusCode = (int)answer.Status, Code = answer.Code, Message = answer.Message };
    }

    public static AdmissionStatus Accepted(string txId) => new() { TxId = txId, Accepted = true, StatusCode = (int)StatusCode.OK };
}

/// <summary>A request the node refuses for a reason that is not a transaction rule (bad page token, unknown block…).</summary>
internal sealed class RequestException : Exception
{
    public RequestException(ErrorCode code, string detail) : base(code.Describe(detail))
    {
        Code = code.Name;
        Status = code.Status;
    }

    /// <summary>The answer another node gave, passed on as it is.</summary>
    public RequestException(AdmissionStatus answer) : base(answer.Message)
    {
        Code = answer.Code;
        Status = (StatusCode)answer.StatusCode;
    }

    public string Code { get; }
    public StatusCode Status { get; }
}
