using System.CommandLine;
using Chain.Protocol;
using Chain.Sdk.Client;
using Google.Protobuf;

namespace Chain.Cli.Commands;

/// <summary>
/// The one way the CLI evaluates a query: plainly, or, with <c>--verify GENESIS</c>, asked with proof and checked by
/// <see cref="Node.Verification.AnswerVerifier"/> before anything is shown (the proven answer, or one error line).
/// </summary>
internal static class ProvenQuery
{
    public static readonly Option<string?> Verify = new("--verify")
    {
        Description = "ask with proof and check the answer against the channel's genesis (its file or hash) before showing it: every key the query read, and the result itself",
    };

    public static readonly Option<string?> Save = new("--save")
    {
        Description = "with --verify: also write the answer and its proof to this file, for `chain verify answer` to re-check offline",
    };

    public static async Task<byte[]> QueryAsync(ParseResult parse, ChainClient client, string channel, string contract, string function, string argsJson, CancellationToken cancel)
    {
        var trust = parse.GetResult(Verify) is null ? null : parse.GetValue(Verify);
        var request = new EvaluateRequest { Channel = channel, Contract = contract, Function = function, Args = ByteString.CopyFromUtf8(argsJson), WithProof = trust is not null };
        var response = await client.Gateway.EvaluateAsync(request, cancellationToken: cancel);
        if (trust is null) return response.Result.ToByteArray();
        var reader = client.Reader?.Address; // the account that signed the read, as the node saw it
        var verified = Node.Verification.AnswerVerifier.Verify(request, response, Operate.VerifyCommands.TrustedGenesis(trust), reader);
        if (parse.GetResult(Save) is not null && parse.GetValue(Save) is { } file)
            File.WriteAllBytes(file, new SavedAnswer { Request = request, Response = response, Reader = reader is null ? "" : Sdk.Crypto.Address.ToText(reader) }.ToByteArray());
        Console.Error.WriteLine($"verified: {contract}.{function} over {verified.Reads} proven keys after block {verified.Header.Number} of channel {channel}, signed by consenters chained to the trusted genesis");
        return verified.Result;
    }
}
