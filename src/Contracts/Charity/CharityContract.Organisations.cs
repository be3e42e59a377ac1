using Chain.Contracts.Abstractions;

namespace Chain.Contracts.Charity;

public sealed partial class CharityContract
{
    public sealed record RegisterOrgArgs(string OrgId, OrgType Type, string Name, string Uscc, OrgForm Form, bool PublicFundraising, long DualApprovalThreshold, int IdleDays);
    public sealed record SetOrgStatusArgs(string OrgId, OrgStatus Status, string Reason);
    public sealed record RelatedPartiesArgs(string CharityId, IReadOnlyList<string> Hashes);

    private void RegisterOrganisations()
    {
        Invoke("RegisterOrg", RegulatorAccess, args => new RegisterOrgArgs(
            args.RequiredId("orgId"), args.RequiredEnum<OrgType>("type"), args.RequiredString("name", MaxText), args.RequiredString("uscc", 32),
            args.OptionalEnum("form", OrgForm.Other), args.OptionalBool("publicFundraising", false),
            args.OptionalLong("dualApprovalThreshold", 1) ?? DefaultDualApprovalThreshold, args.OptionalInt("idleDays", DefaultIdleDays, 1, 3650)), RegisterOrg);
        Invoke("SetOrgStatus", RegulatorAccess, args => new SetOrgStatusArgs(args.RequiredId("orgId"), args.RequiredEnum<OrgStatus>("status"), args.RequiredString("reason", MaxText)), SetOrgStatus);
        Invoke("SetRelatedParties", OfficerAccess, args => new RelatedPartiesArgs(args.RequiredId("charityId"),
            args.List("hashes", (e, n) => { var h = e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString()! : ""; ContractArgs.ValidateHash(n, h); return h; }, 1000, required: true)), SetRelatedParties);
    }

    private static byte[]? RegisterOrg(IContractContext context, RegisterOrgArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "RegisterOrg", args.OrgId, args, out var hash)) return null;
        if (context.Exists(CharityKeys.Org(args.OrgId))) throw new ContractException(ContractErrors.Conflict, $"organisation '{args.OrgId}' is already registered");
        var org = new Org
        {
            OrgId = args.OrgId, Type = args.Type, Name = args.Name, Uscc = args.Uscc, Form = args.Form, PublicFundraising = args.PublicFundraising,
            Status = OrgStatus.Active, DualApprovalThreshold = args.DualApprovalThreshold, IdleDays = args.IdleDays, RegisteredAt = context.TimestampMs,
        };
        context.Put(CharityKeys.Org(org.OrgId), org);
        if (org.Type is OrgType.Charity or OrgType.Executor)
            Lineage.EnsurePool(context, CharityKeys.UnrestrictedPool(org.OrgId), org.OrgId, PoolKind.Unrestricted, null);
        RequestLog.Record(context, "RegisterOrg", args.OrgId, hash);
        context.Emit("OrgRegistered", new { org.OrgId, org.Type, org.Name, org.Form, org.PublicFundraising, by = context.Caller.Organization });
        return null;
    }

    private static byte[]? SetOrgStatus(IContractContext context, SetOrgStatusArgs args)
    {
        var org = context.Require<Org>(CharityKeys.Org(args.OrgId), $"organisation '{args.OrgId}'");
        if (org.Status == args.Status) return null;
        org.Status = args.Status;
        context.Put(CharityKeys.Org(org.OrgId), org);
        context.Emit("OrgStatusChanged", new { org.OrgId, org.Status, args.Reason, by = context.Caller.Organization });
        return null;
    }

    private static byte[]? SetRelatedParties(IContractContext context, RelatedPartiesArgs args)
    {
        RequireOwner(context, args.CharityId, $"charity '{args.CharityId}'");
        var org = CallerOrg(context, OrgType.Charity, OrgType.Executor);
        org.RelatedPartyHashes = args.Hashes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        context.Put(CharityKeys.Org(org.OrgId), org);
        context.Emit("RelatedPartiesDeclared", new { charityId = org.OrgId, count = org.RelatedPartyHashes.Count });
        return null;
    }
}
