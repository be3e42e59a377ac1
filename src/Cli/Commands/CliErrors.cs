using System.CommandLine;
using Chain.Node.Configuration;
using Chain.Node.Ledger;
using Chain.Node.Storage;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Grpc.Core;

namespace Chain.Cli.Commands;

/// <summary>
/// Runs a command body and turns every expected failure into one readable line on stderr and a
/// non-zero exit code: 1 for a refused or failed operation, 2 for bad usage or input, 3 when the node
/// cannot be reached.
/// </summary>
internal static class CliErrors
{
    public const string PasswordEnvironmentVariable = "CHAIN_PASSWORD";

    public static void SetHandler(this Command command, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try { return await body(parseResult, cancellationToken); }
            catch (Exception e) when (Describe(e) is { } described)
            {
                Console.Error.WriteLine($"error: {described.Message.ReplaceLineEndings(" ")}"); // always one line
                return described.ExitCode;
            }
        });

    private static (string Message, int ExitCode)? Describe(Exception e) => e switch
    {
        RpcException { StatusCode: StatusCode.Unavailable } rpc when IsNodeAnswer(rpc) => (rpc.Status.Detail, 1),
        RpcException { StatusCode: StatusCode.Unavailable } rpc => ($"node unreachable ({rpc.Status.Detail})", 3),
        RpcException { StatusCode: StatusCode.DeadlineExceeded } => ("the node did not answer in time", 3),
        RpcException rpc => ($"{rpc.StatusCode}: {rpc.Status.Detail}", rpc.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound ? 2 : 1),
        UsageException u => (u.Message, 2),
        CommandFailedException f => (f.Message, 1),
        ConfigException c => (c.Message, 2),
        KeystoreException k => (k.Message, 2),
        StorageException s => (s.Message, 1),
        Node.Ledger.BackupRefusedException b => ($"refused: {b.Message}", 1),
        LedgerCorruptException l => (l.Message, 1),
        Sdk.Verification.VerificationException v => ($"not verified: {v.Message}", 1),
        Node.Hosting.NodeHaltedException h => (h.Message, 1),
        IOException io => (io.Message, 1),
        System.Security.Cryptography.CryptographicException c => ($"certificate or key problem: {c.Message}", 2),
        UnauthorizedAccessException ua => (ua.Message, 1),
        ArgumentException a => (a.Message, 2),
        OperationCanceledException => ("cancelled", 130),
        _ => null,
    };

    /// <summary>UNAVAILABLE answers the node itself sent about the channel (as opposed to a connection failure or a Raft election).</summary>
    public static bool IsNodeAnswer(RpcException e) =>
        e.Is(ErrorCodes.Busy) || e.Is(ErrorCodes.Halted) || e.Is(ErrorCodes.Stopping) || e.Is(ErrorCodes.NoOrderer);

    public static string ReadPassword(string? passwordFile, string what)
    {
        if (passwordFile is not null)
        {
            if (!File.Exists(passwordFile)) throw new UsageException($"password file '{passwordFile}' does not exist");
            return File.ReadAllText(passwordFile).TrimEnd('\r', '\n');
        }
        return Environment.GetEnvironmentVariable(PasswordEnvironmentVariable)
            ?? throw new UsageException($"no password for {what}: pass --password-file FILE or set {PasswordEnvironmentVariable}");
    }
}

/// <summary>A step of a multi-step command was refused; the message says which and why.</summary>
internal sealed class CommandFailedException(string message) : Exception(message);

/// <summary>The user asked for something that cannot be done as asked.</summary>
internal sealed class UsageException(string message) : Exception(message);
