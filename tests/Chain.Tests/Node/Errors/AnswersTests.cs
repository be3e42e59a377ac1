using Chain.Contracts.Abstractions;
using Chain.Node.Channels;
using Chain.Node.Errors;
using Chain.Node.Execution;
using Chain.Protocol;
using Chain.Sdk.Client;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Node.Errors;

/// <summary>The one mapping from the node's refusals to codes, gRPC statuses and trailers, against the table in docs/API.md.</summary>
public sealed class AnswersTests
{
    [Theory]
    [InlineData(ValidationCode.BadPayload, "BAD_PAYLOAD", StatusCode.InvalidArgument)]
    [InlineData(ValidationCode.BadArgs, "BAD_ARGS", StatusCode.InvalidArgument)]
    [InlineData(ValidationCode.TooLarge, "TOO_LARGE", StatusCode.InvalidArgument)]
    [InlineData(ValidationCode.BadSignature, "BAD_SIGNATURE", StatusCode.Unauthenticated)]
    [InlineData(ValidationCode.DuplicateTxid, "DUPLICATE_TXID", StatusCode.AlreadyExists)]
    [InlineData(ValidationCode.Expired, "EXPIRED", StatusCode.FailedPrecondition)]
    [InlineData(ValidationCode.ContractError, "CONTRACT_ERROR", StatusCode.FailedPrecondition)]
    [InlineData(ValidationCode.WrongChannel, "WRONG_CHANNEL", StatusCode.NotFound)]
    [InlineData(ValidationCode.UnknownContract, "UNKNOWN_CONTRACT", StatusCode.NotFound)]
    [InlineData(ValidationCode.UnknownFunction, "UNKNOWN_FUNCTION", StatusCode.NotFound)]
    [InlineData(ValidationCode.NotAuthorized, "NOT_AUTHORIZED", StatusCode.PermissionDenied)]
    public void EveryTransactionRule_HasTheProtocolsName_AndItsStatus(ValidationCode code, string name, StatusCode status)
    {
        var rpc = Answers.ToRpcException(new TxRejectedException(new(code, "why")));
        Assert.Equal(status, rpc.StatusCode);
        Assert.Equal($"{name}: why", rpc.Status.Detail);
        Assert.Equal(name, ErrorCodes.CodeOf(rpc));
        Assert.Null(ErrorCodes.ContractCodeOf(rpc));
    }

    [Fact]
    public void EveryValidationCodeOfTheProtocol_IsInTheCatalogue()
    {
        foreach (var code in Enum.GetValues<ValidationCode>().Where(c => c is not (ValidationCode.Valid or ValidationCode.Unspecified)))
            Assert.NotEqual(StatusCode.Internal, ErrorCodes.Of(code).Status);
    }

    [Fact]
    public void AContractRefusal_CarriesTheContractsOwnCode_ApartFromTheText()
    {
        var rpc = Answers.ToRpcException(new TxRejectedException(TxRejection.Contract(new ContractException(ContractErrors.NotFound, "organisation 'X' is not registered"))));
        Assert.Equal(StatusCode.FailedPrecondition, rpc.StatusCode);
        Assert.Equal("CONTRACT_ERROR: NOT_FOUND: organisation 'X' is not registered", rpc.Status.Detail);
        Assert.Equal("CONTRACT_ERROR", ErrorCodes.CodeOf(rpc));
        Assert.Equal(ContractErrors.NotFound, ErrorCodes.ContractCodeOf(rpc));
    }

    [Fact]
    public void TheNodesOwnRefusals_MapToTheirCodes_AndTheUnexpectedLeaksNothing()
    {
        (Exception, ErrorCode, string)[] cases =
        [
            (new ChannelBusyException("channel 'c' has 10 transactions waiting"), ErrorCodes.Busy, "BUSY: channel 'c' has 10 transactions waiting"),
            (new ChannelHaltedException("channel 'c' halted: disk full"), ErrorCodes.Halted, "HALTED: channel 'c' halted: disk full"),
            (new RequestException(ErrorCodes.NoSuchBlock, "channel 'c' has blocks 0..3, not 9"), ErrorCodes.NoSuchBlock, "NO_SUCH_BLOCK: channel 'c' has blocks 0..3, not 9"),
            (new OperationCanceledException(), ErrorCodes.Cancelled, "CANCELLED: the call was cancelled"),
            (new InvalidOperationException("secret internals"), ErrorCodes.Internal, "INTERNAL: the node failed to handle the request; see its log"),
        ];
        foreach (var (exception, code, message) in cases)
        {
            var rpc = Answers.ToRpcException(exception);
            Assert.Equal((code.Status, message, code.Name), (rpc.StatusCode, rpc.Status.Detail, ErrorCodes.CodeOf(rpc)));
            Assert.True(rpc.Is(code));
            var status = Answers.Refused("ab", exception);
            Assert.Equal((false, (int)code.Status, code.Name, message), (status.Accepted, status.StatusCode, status.Code, status.Message));
            Assert.True(status.Is(code));
        }
    }

    [Fact]
    public void AnAnswerRelayedFromAnotherNode_IsPassedOnAsItIs()
    {
        var relayed = new AdmissionStatus { TxId = "ab", Accepted = false, StatusCode = (int)StatusCode.PermissionDenied, Code = "NOT_AUTHORIZED", Message = "NOT_AUTHORIZED: account 0x1 is not enrolled" };
        var rpc = Answers.ToRpcException(new RequestException(relayed));
        Assert.Equal((StatusCode.PermissionDenied, "NOT_AUTHORIZED: account 0x1 is not enrolled", "NOT_AUTHORIZED"), (rpc.StatusCode, rpc.Status.Detail, ErrorCodes.CodeOf(rpc)));
    }
}
