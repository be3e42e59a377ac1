using System.CommandLine;
using System.Text.Json;
using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Google.Protobuf;

namespace Chain.Cli.Commands.Operate;

/// <summary>Enrolment of accounts by their organisation's admin (the `_members` system contract).</summary>
internal static class MemberCommands
{
    public static Command Build()
    {
        var member = new Command("member", "enrol, revoke and look up accounts on a channel");

        Option<string> Address() => new("--address") { Description = "account address (0x…)", Required = true };
        Option<string> Key() => new("--key") { Description = "keystore of an admin of the organisation", Required = true };
        Option<bool> Wait() => new("--wait", "-w") { Description = "wait until the change is in a committed block" };

        var channel = GlobalOptions.Channel();
        var address = Address();
        var roles = new Option<string[]>("--roles") { Description = "roles to grant (comma-separated; 'member' is implicit)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [] };
        var key = Key();
        var passwordFile = GlobalOptions.PasswordFile();
        var wait = Wait();
        var enroll = new Command("enroll", "bind an account to the admin's organisation with roles (from the next block on)") { channel, address, roles, key, passwordFile, wait };
        enroll.SetHandler((parse, cancel) =>
        {
            var account = RequireAddress(parse.GetValue(address)!);
            var granted = parse.GetValue(roles)!.SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            var args = JsonSerializer.Serialize(new { address = account, roles = granted });
            return TxCommands.SubmitAsync(parse, parse.GetValue(channel)!, SystemContracts.Members, "enroll", args, parse.GetValue(key)!, parse.GetValue(passwordFile), parse.GetValue(wait), cancel);
        });

        var revokeChannel = GlobalOptions.Channel();
        var revokeAddress = Address();
        var revokeKey = Key();
        var revokePassword = GlobalOptions.PasswordFile();
        var revokeWait = Wait();
        var revoke = new Command("revoke", "revoke an account of the admin's organisation (from the next block on)") { revokeChannel, revokeAddress, revokeKey, revokePassword, revokeWait };
        revoke.SetHandler((parse, cancel) =>
        {
            var args = JsonSerializer.Serialize(new { address = RequireAddress(parse.GetValue(revokeAddress)!) });
            return TxCommands.SubmitAsync(parse, parse.GetValue(revokeChannel)!, SystemContracts.Members, "revoke", args, parse.GetValue(revokeKey)!, parse.GetValue(revokePassword), parse.GetValue(revokeWait), cancel);
        });

        var getChannel = GlobalOptions.Channel();
        var getAddress = Address();
        var get = new Command("get", "show an account's organisation, roles and status") { getChannel, getAddress };
        Signer.AddTo(get);
        get.SetHandler(async (parse, cancel) =>
        {
            using var client = GlobalOptions.Connect(parse);
            var response = await client.Gateway.EvaluateAsync(new EvaluateRequest
            {
                Channel = parse.GetValue(getChannel)!, Contract = SystemContracts.Members, Function = "get",
                Args = ByteString.CopyFromUtf8(JsonSerializer.Serialize(new { address = RequireAddress(parse.GetValue(getAddress)!) })),
            }, cancellationToken: cancel);
            Console.Out.WriteLine(Output.Printer.Indented(Output.Printer.ResultAsJson(response.Result.ToByteArray())));
            return 0;
        });

        member.Subcommands.Add(enroll);
        member.Subcommands.Add(revoke);
        member.Subcommands.Add(get);
        return member;
    }

    private static string RequireAddress(string text) =>
        Address.TryParse(text) is { } bytes ? Address.ToText(bytes) : throw new UsageException($"--address '{text}' is not a 20-byte hex account address");
}
