using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.Charity;

public sealed partial class CharityContract
{
    public sealed record RegisterOrgArgs(string OrgId, OrgType Type, string Name, string Uscc, OrgForm Form, bool PublicFundraising, long DualApprovalThreshold, int IdleDays, string? AccountBank);
    public sealed record SetOrgStatusArgs(string OrgId, OrgStatus Status, string Reason);
    public sealed record RelatedPartiesArgs(string CharityId, IReadOnlyList<string> Hashes);
    public sealed record EndRelatedPartyArgs(string OrgId, string Hash, string Reason);

    private void RegisterOrganisations()
    {
        Invoke("RegisterOrg", RegulatorAccess, args => new RegisterOrgArgs(
            args.RequiredId("orgId"), args.RequiredEnum<OrgType>("type"), args.RequiredString("name", MaxText), args.RequiredString("uscc", 32),
            args.OptionalEnum("form", OrgForm.Other), args.OptionalBool("publicFundraising", false),
            args.OptionalAmount("dualApprovalThreshold", 1) ?? DefaultDualApprovalThreshold, args.OptionalInt("idleDays", DefaultIdleDays, 1, 3650), args.OptionalId("accountBank")), RegisterOrg);
        Invoke("SetOrgStatus", RegulatorAccess, args => new SetOrgStatusArgs(args.RequiredId("orgId"), args.RequiredEnum<OrgStatus>("status"), args.RequiredString("reason", MaxText)), SetOrgStatus);
        Invoke("DeclareRelatedParties", OfficerAccess, args => new RelatedPartiesArgs(args.RequiredId("charityId"),
            args.List("hashes", (e, n) => { var h = e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString()! : ""; ContractArgs.ValidateHash(n, h); return h; }, 1000, required: true)), DeclareRelatedParties);
        Invoke("EndRelatedParty", RegulatorAccess, args => new EndRelatedPartyArgs(args.RequiredId("orgId"), args.RequiredHash("hash"), args.RequiredString("reason", MaxText)), EndRelatedParty);
    }

    private static byte[]? RegisterOrg(ContractContext context, RegisterOrgArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "RegisterOrg", args.OrgId, args, out var hash)) return null;
        if (context.Exists(CharityKeys.Org(args.OrgId))) throw new ContractException(ContractErrors.Conflict, $"organisation '{args.OrgId}' is already registered");
        // Whoever spends needs its account bank, which alone pays (or fails) its disbursements.
        bool spends = args.Type is OrgType.Charity or OrgType.Executor;
        if (spends && args.AccountBank is null)
            throw new ContractException(ContractErrors.BadArgs, $"a {args.Type} needs 'accountBank': the registered bank that holds its accounts and pays its disbursements");
        if (!spends && args.AccountBank is not null)
            throw new ContractException(ContractErrors.BadArgs, $"'accountBank' is for charities and executors, not a {args.Type}");
        if (args.AccountBank is { } accountBank) RequireOrg(context, accountBank, OrgType.Bank);
        var org = new Org
        {
            OrgId = args.OrgId, Type = args.Type, Name = args.Name, Uscc = args.Uscc, Form = args.Form, PublicFundraising = args.PublicFundraising,
            Status = OrgStatus.Active, DualApprovalThreshold = args.DualApprovalThreshold, IdleDays = args.IdleDays, AccountBank = args.AccountBank,
            RegisteredAt = context.TimestampMs,
        };
        context.Put(CharityKeys.Org(org.OrgId), org);
        if (org.Type is OrgType.Charity or OrgType.Executor)
            Lineage.EnsurePool(context, CharityKeys.UnrestrictedPool(org.OrgId), org.OrgId, PoolKind.Unrestricted, null, noInvest: false);
        RequestLog.Record(context, "RegisterOrg", args.OrgId, hash);
        context.Emit(new OrgRegistered(org.OrgId, org.Type, org.Name, org.Form, org.PublicFundraising, context.Caller.Organization));
        return null;
    }

    private static byte[]? SetOrgStatus(ContractContext context, SetOrgStatusArgs args)
    {
        var org = context.Require<Org>(CharityKeys.Org(args.OrgId), $"organisation '{args.OrgId}'");
        if (org.Status == args.Status) return null;
        org.Status = args.Status;
        context.Put(CharityKeys.Org(org.OrgId), org);
        context.Emit(new OrgStatusChanged(org.OrgId, org.Status, args.Reason, context.Caller.Organization));
        return null;
    }

    /// <summary>
    /// Adds payee hashes to the organisation's related parties (Art 58). The organisation can only add: a list it
    /// could shorten would hide earlier payments to related parties. Declaring one already in force is a no-op.
    /// </summary>
    private static byte[]? DeclareRelatedParties(ContractContext context, RelatedPartiesArgs args)
    {
        RequireOwner(context, args.CharityId, $"charity '{args.CharityId}'");
        var org = CallerOrg(context, OrgType.Charity, OrgType.Executor);
        int added = 0;
        foreach (var hash in args.Hashes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var key = CharityKeys.RelatedParty(org.OrgId, hash);
            var party = context.Get<RelatedParty>(key) ?? new RelatedParty { OrgId = org.OrgId, Hash = hash };
            if (party.InForce) continue;
            party.Periods.Add(new RelatedPeriod(context.TimestampMs, context.BlockNumber, context.Caller.Address.ToLowerInvariant()));
            context.Put(key, party);
            added++;
        }
        if (added > 0) context.Emit(new RelatedPartiesDeclared(org.OrgId, added));
        return null;
    }

    /// <summary>The regulator ends a declaration (e.g. the relation ended); the period stays on record.</summary>
    private static byte[]? EndRelatedParty(ContractContext context, EndRelatedPartyArgs args)
    {
        var key = CharityKeys.RelatedParty(args.OrgId, args.Hash);
        var party = context.Require<RelatedParty>(key, $"related party {args.Hash[..12]}… of '{args.OrgId}'");
        if (!party.InForce) return null;
        party.Periods[^1] = party.Periods[^1] with { To = context.TimestampMs, ToBlock = context.BlockNumber, EndedBy = context.Caller.Organization, EndReason = args.Reason };
        context.Put(key, party);
        context.Emit(new RelatedPartyEnded(args.OrgId, args.Hash, args.Reason, context.Caller.Organization));
        return null;
    }
}
