using System.Text;
using System.Text.Json;
using Chain.Contracts.Abstractions;

namespace Chain.Contracts.Kv;

/// <summary>
/// A small key-value contract for tests, demos and the benchmark. Rules: keys are 1..256 characters,
/// values at most 64 KiB; the first account to write a key owns it, and only the owner may overwrite or delete it.
/// </summary>
public sealed class KvContract : Contract
{
    public const string ContractName = "kv";
    public const int MaxKeyLength = 256;
    public const int MaxValueLength = 64 * 1024;

    // Key prefixes (all keys are already scoped to this contract by the host).
    public const string ValuePrefix = "v/";
    private const string OwnerPrefix = "o/";

    public override string Name => ContractName;

    public KvContract()
    {
        Register("put", FunctionKind.Invoke, args => (Key: args.RequiredString("key", MaxKeyLength), Value: ParseValue(args)), Put);
        Register("delete", FunctionKind.Invoke, args => args.RequiredString("key", MaxKeyLength), Delete);
        Register("get", FunctionKind.Query, args => args.RequiredString("key", MaxKeyLength), Get);
        Register("list", FunctionKind.Query, args => (Prefix: args.OptionalString("prefix", MaxKeyLength) ?? "", Limit: args.OptionalInt("limit", 100, 1, 1000)), List);
    }

    private static string ParseValue(ContractArgs args)
    {
        if (!args.Root.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String)
            throw new ContractException(ContractErrors.BadArgs, "missing required argument 'value' (string)");
        var text = value.GetString()!;
        if (Encoding.UTF8.GetByteCount(text) > MaxValueLength)
            throw new ContractException(ContractErrors.BadArgs, $"'value' is larger than {MaxValueLength} bytes");
        return text;
    }

    private static byte[]? Put(ContractContext context, (string Key, string Value) args)
    {
        RequireOwnerOrNew(context, args.Key);
        context.PutState(ValuePrefix + args.Key, Encoding.UTF8.GetBytes(args.Value));
        context.PutState(OwnerPrefix + args.Key, Encoding.UTF8.GetBytes(context.Caller.Address));
        context.Emit(new Put(args.Key));
        return null;
    }

    private static byte[]? Delete(ContractContext context, string key)
    {
        if (context.GetState(ValuePrefix + key) is null) throw new ContractException(ContractErrors.NotFound, $"key '{key}' does not exist");
        RequireOwnerOrNew(context, key);
        context.DeleteState(ValuePrefix + key);
        context.DeleteState(OwnerPrefix + key);
        context.Emit(new Deleted(key));
        return null;
    }

    private static byte[]? Get(ContractContext context, string key)
    {
        var value = context.GetState(ValuePrefix + key) ?? throw new ContractException(ContractErrors.NotFound, $"key '{key}' does not exist");
        var owner = context.GetState(OwnerPrefix + key);
        return context.Serialize(new KvEntry(key, Encoding.UTF8.GetString(value), owner is null ? null : Encoding.UTF8.GetString(owner)));
    }

    private static byte[]? List(ContractContext context, (string Prefix, int Limit) args)
    {
        var entries = context.GetStateByPrefix(ValuePrefix + args.Prefix, args.Limit)
            .Select(kv => new KvEntry(kv.Key[ValuePrefix.Length..], Encoding.UTF8.GetString(kv.Value), null))
            .ToArray();
        return context.Serialize(entries);
    }

    private static void RequireOwnerOrNew(ContractContext context, string key)
    {
        var owner = context.GetState(OwnerPrefix + key);
        if (owner is null) return;
        var ownerAddress = Encoding.UTF8.GetString(owner);
        if (!string.Equals(ownerAddress, context.Caller.Address, StringComparison.OrdinalIgnoreCase))
            throw new ContractException(ContractErrors.NotAuthorized, $"key '{key}' is owned by {ownerAddress}, caller is {context.Caller.Address}");
    }

    public sealed record KvEntry(string Key, string Value, string? Owner);
}

public sealed record Put(string Key) : IContractEvent;
public sealed record Deleted(string Key) : IContractEvent;
