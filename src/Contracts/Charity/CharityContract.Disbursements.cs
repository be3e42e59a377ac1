using System.Text.Json;
using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.Charity;

public sealed partial class CharityContract
{
    public sealed record ProposeArgs(string DisbId, string PoolId, string? CampaignId, PayeeType PayeeType, string PayeeRef, long Amount, Category Category,
        IReadOnlyList<Evidence> Evidence, IReadOnlyList<LotAmount> Lots);
    public sealed record DisbIdArgs(string DisbId);
    public sealed record PaymentArgs(string DisbId, string BankTxRef, long PaidAt);
    public sealed record RejectArgs(string DisbId, string Reason);
    public sealed record FailArgs(string DisbId, string BankTxRef, string Reason);
    public sealed record AckArgs(string DisbId, string AckHash);

    private void RegisterDisbursements()
    {
        Invoke("ProposeDisbursement", SpenderAccess, args =>
        {
            var payeeType = args.RequiredEnum<PayeeType>("payeeType");
            var payeeRef = payeeType == PayeeType.Executor ? args.RequiredId("payeeRef") : args.RequiredHash("payeeRef");
            return new ProposeArgs(args.RequiredId("disbId"), args.RequiredString("poolId", 140), args.OptionalId("campaignId"), payeeType, payeeRef,
                args.RequiredAmount("amount"), args.RequiredEnum<Category>("category"),
                args.List("evidence", (e, n) => { var a = ContractArgs.Of(e, n); return new Evidence(a.RequiredEnum<EvidenceKind>("kind"), a.RequiredHash("hash")); }, MaxEvidence, required: false),
                args.List("lots", (e, n) => { var a = ContractArgs.Of(e, n); return new LotAmount(a.RequiredString("lotId", 200), a.RequiredAmount("amount")); }, 256, required: false));
        }, ProposeDisbursement);
        Invoke("ApproveDisbursement", SpenderAccess, args => new DisbIdArgs(args.RequiredId("disbId")), ApproveDisbursement);
        Invoke("ConfirmPayment", BankAccess, args => new PaymentArgs(args.RequiredId("disbId"), args.RequiredId("bankTxRef"), args.RequiredTime("paidAt")), ConfirmPayment);
        Invoke("RejectDisbursement", OfficerOrBankAccess, args => new RejectArgs(args.RequiredId("disbId"), args.RequiredString("reason", MaxText)), RejectDisbursement);
        Invoke("FailPayment", BankAccess, args => new FailArgs(args.RequiredId("disbId"), args.RequiredId("bankTxRef"), args.RequiredString("reason", MaxText)), FailPayment);
        Invoke("AcknowledgeReceipt", SpenderAccess, args => new AckArgs(args.RequiredId("disbId"), args.RequiredHash("ackHash")), AcknowledgeReceipt);
    }

    private static Disbursement RequireDisbursement(ContractContext context, string disbId) =>
        context.Require<Disbursement>(CharityKeys.Disbursement(disbId), $"disbursement '{disbId}'");

    private static void PutDisbursement(ContractContext context, Disbursement disb) => context.Put(CharityKeys.Disbursement(disb.DisbId), disb);

    private static byte[]? ProposeDisbursement(ContractContext context, ProposeArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "ProposeDisbursement", args.DisbId, args, out var hash)) return null;
        var pool = Lineage.RequirePool(context, args.PoolId);
        RequireOwner(context, pool.Owner, $"pool '{pool.PoolId}'");
        var owner = ActiveCallerOrg(context, OrgType.Charity, OrgType.Executor);
        if (context.Exists(CharityKeys.Disbursement(args.DisbId))) throw new ContractException(ContractErrors.Conflict, $"disbursement '{args.DisbId}' already exists");

        // I3: restricted money pays only for its own campaign; a settled campaign's pool is closed (what is left
        // there waits for the bank's LeftoverReturn refunds).
        RequireOpenPool(context, pool);
        if (pool.Kind == PoolKind.SubGrant && pool.CampaignId is null && args.CampaignId is not null)
            throw new ContractException(CharityErrors.Restricted, $"pool '{pool.PoolId}' holds sub-grants for no particular campaign; it cannot pay for campaign '{args.CampaignId}'");
        var campaignId = args.CampaignId ?? pool.CampaignId;
        if (pool.CampaignId is not null && campaignId != pool.CampaignId)
            throw new ContractException(CharityErrors.Restricted, $"pool '{pool.PoolId}' is restricted to campaign '{pool.CampaignId}'; it cannot pay for campaign '{campaignId}'");
        if (campaignId is not null && pool.Kind == PoolKind.Unrestricted && RequireCampaign(context, campaignId).CharityId != owner.OrgId)
            throw new ContractException(ContractErrors.BadArgs, $"campaign '{campaignId}' does not belong to '{owner.OrgId}'");
        foreach (var (lotId, _) in args.Lots)
        {
            var lot = context.Require<Lot>(CharityKeys.Lot(lotId), $"lot '{lotId}'");
            if (lot.PoolId != pool.PoolId) throw new ContractException(CharityErrors.Restricted, $"lot '{lotId}' is in pool '{lot.PoolId}', not '{pool.PoolId}'");
            if (args.PayeeType == PayeeType.Investment && lot.NoInvest) throw Lineage.NotInvestable(lot);
        }
        if (args.Lots.Count > 0 && args.Lots.Sum(l => l.Amount) != args.Amount)
            throw new ContractException(ContractErrors.BadArgs, $"the named lots add up to {Money.Format(args.Lots.Sum(l => l.Amount))}, the disbursement is {Money.Format(args.Amount)}");
        if (args.Lots.Select(l => l.LotId).Distinct().Count() != args.Lots.Count) throw new ContractException(ContractErrors.BadArgs, "a lot is named twice in 'lots'");

        // I6: evidence, and an invoice for suppliers.
        if (args.Evidence.Count == 0) throw new ContractException(CharityErrors.Evidence, $"disbursement '{args.DisbId}' has no evidence (contract, invoice or sign-off hash)");
        if (args.PayeeType == PayeeType.Supplier && !args.Evidence.Any(e => e.Kind == EvidenceKind.Invoice))
            throw new ContractException(CharityErrors.Evidence, $"a supplier payment needs an invoice hash among its evidence");
        // I9: no related parties.
        RequireNotRelatedParty(context, owner.OrgId, args.PayeeRef);
        // Art 54: money whose plan (or donors) forbid investing is never placed in an investment product.
        if (args.PayeeType == PayeeType.Investment && pool.NoInvest)
            throw new ContractException(CharityErrors.Restricted, $"pool '{pool.PoolId}' holds money that may not be invested (Art 54: the plan or the donors' agreements forbid it, or it is a sub-grant)");
        if (args.PayeeType == PayeeType.Executor)
        {
            var executor = RequireOrg(context, args.PayeeRef, OrgType.Executor);
            RequireActive(executor);
        }
        var campaign = campaignId is null ? null : RequireCampaign(context, campaignId);
        if (campaign is { Status: CampaignStatus.Cancelled or CampaignStatus.Settled })
            throw BadState($"campaign '{campaign.CampaignId}'", campaign.Status, "have new disbursements");
        if (args.Category == Category.Management && campaign is not null) RequireWithinFeeCap(campaign, args.Amount);

        var disb = new Disbursement
        {
            DisbId = args.DisbId, PoolId = pool.PoolId, Owner = pool.Owner, CampaignId = campaignId, PayeeType = args.PayeeType, PayeeRef = args.PayeeRef,
            Amount = args.Amount, Category = args.Category, Evidence = args.Evidence.ToList(), Lots = args.Lots.ToList(), Proposer = context.Caller.Address.ToLowerInvariant(),
            RequiredApprovals = args.Amount >= owner.DualApprovalThreshold ? 2 : 1, Status = DisbursementStatus.Proposed, ProposedAt = context.TimestampMs,
        };
        PutDisbursement(context, disb);
        RequestLog.Record(context, "ProposeDisbursement", args.DisbId, hash);
        context.Emit(new DisbursementProposed(disb.DisbId, disb.PoolId, disb.CampaignId, disb.PayeeType, disb.Amount, disb.Category, disb.RequiredApprovals));
        if (campaign is not null) AlertIfDisclosureOverdue(context, campaign);
        AlertIfIdle(context, pool);
        return null;
    }

    /// <summary>A settled campaign's pool is closed (its rest waits for LeftoverReturn refunds); a cancelled one's only refunds.</summary>
    private static void RequireOpenPool(ContractContext context, Pool pool)
    {
        if (pool.Kind == PoolKind.Campaign && RequireCampaign(context, pool.CampaignId!) is { Status: CampaignStatus.Settled or CampaignStatus.Cancelled } closed)
            throw BadState($"campaign '{closed.CampaignId}'", closed.Status, closed.Status == CampaignStatus.Settled
                ? "pay from its pool (its leftover is settled)" : "pay from its pool (its money goes back to the donors)");
    }

    /// <summary>Only the bank that holds the owner's accounts pays, fails or turns down its disbursements.</summary>
    private static void RequireAccountBank(Org owner, string bankId)
    {
        if (owner.AccountBank is { } accountBank && accountBank != bankId)
            throw new ContractException(CharityErrors.BankOnly, $"'{owner.OrgId}' banks with '{accountBank}'; only that bank handles its disbursements (caller is from '{bankId}')");
    }

    private static void RequireNotRelatedParty(ContractContext context, string orgId, string payeeRef)
    {
        if (context.Get<RelatedParty>(CharityKeys.RelatedParty(orgId, payeeRef)) is { InForce: true })
            throw new ContractException(CharityErrors.RelatedParty, $"payee {payeeRef[..Math.Min(12, payeeRef.Length)]}… is a declared related party of '{orgId}' (Art 58)");
    }

    /// <summary>I8: management spending of a campaign stays within its cap of what it received.</summary>
    private static void RequireWithinFeeCap(Campaign campaign, long amount)
    {
        long inflow = campaign.Totals.Received + campaign.Totals.ReceivedUnrestricted + campaign.Totals.AllocatedIn + campaign.Totals.MovedIn;
        long cap = (long)((Int128)inflow * campaign.MgmtFeeCapBps / 10_000);
        if (campaign.Totals.ManagementCommitted + amount > cap)
            throw new ContractException(CharityErrors.FeeCap, $"management cost of campaign '{campaign.CampaignId}' would be {Money.Format(campaign.Totals.ManagementCommitted + amount)}, above its cap of {campaign.MgmtFeeCapBps / 100m}% of {Money.Format(inflow)} = {Money.Format(cap)}");
    }

    private static byte[]? ApproveDisbursement(ContractContext context, DisbIdArgs args)
    {
        var disb = RequireDisbursement(context, args.DisbId);
        var approver = context.Caller.Address.ToLowerInvariant();
        if (disb.Approvers.Contains(approver)) return null; // the same approval again changes nothing
        // I5: approvers belong to the pool owner and differ from the proposer.
        if (context.Caller.Organization != disb.Owner)
            throw new ContractException(CharityErrors.MakerChecker, $"disbursement '{disb.DisbId}' can only be approved by '{disb.Owner}'; caller is from '{context.Caller.Organization}'");
        if (approver == disb.Proposer)
            throw new ContractException(CharityErrors.MakerChecker, $"the proposer of disbursement '{disb.DisbId}' cannot approve it; another officer must");
        var owner = ActiveCallerOrg(context, OrgType.Charity, OrgType.Executor);
        if (disb.Status != DisbursementStatus.Proposed) throw BadState($"disbursement '{disb.DisbId}'", disb.Status, "approve it (needs Proposed)");
        if (disb.CampaignId is not null && RequireCampaign(context, disb.CampaignId) is { Status: CampaignStatus.Cancelled or CampaignStatus.Settled } over)
            throw BadState($"campaign '{over.CampaignId}'", over.Status, "have disbursements approved");
        var pool = Lineage.RequirePool(context, disb.PoolId);
        RequireOpenPool(context, pool);
        RequireNotHeld(context, $"disb:{disb.DisbId}", $"pool:{pool.PoolId}", $"org:{owner.OrgId}", disb.CampaignId is null ? "" : $"campaign:{disb.CampaignId}");
        RequireNotRelatedParty(context, owner.OrgId, disb.PayeeRef);

        disb.Approvers.Add(approver);
        bool complete = disb.Approvers.Count >= disb.RequiredApprovals;
        if (complete)
        {
            // I2: the amount must be free: balance minus what earlier approvals reserved.
            if (disb.Amount > pool.Balance - pool.Reserved)
                throw new ContractException(CharityErrors.Overspend, $"pool '{pool.PoolId}' has {Money.Format(pool.Balance)} with {Money.Format(pool.Reserved)} reserved by approved disbursements; {Money.Format(disb.Amount)} does not fit");
            // Art 54: an investment earmarks money that may be invested now; spending the rest first could otherwise
            // leave its pool holding only money that may not, and the bank's confirmation would be refused.
            if (disb.PayeeType == PayeeType.Investment && disb.Lots.Count == 0) disb.Lots.AddRange(Lineage.Choose(context, pool, disb.Amount, investment: true));
            foreach (var (lotId, amount) in disb.Lots)
            {
                var lot = context.Require<Lot>(CharityKeys.Lot(lotId), $"lot '{lotId}'");
                if (amount > lot.Remaining - lot.Reserved)
                    throw new ContractException(CharityErrors.Overspend, $"lot '{lotId}' has {Money.Format(lot.Remaining - lot.Reserved)} free; {Money.Format(amount)} cannot be earmarked");
                lot.Reserved += amount;
                context.Put(CharityKeys.Lot(lotId), lot);
            }
            if (disb.CampaignId is not null)
            {
                var campaign = RequireCampaign(context, disb.CampaignId);
                if (disb.Category == Category.Management)
                {
                    RequireWithinFeeCap(campaign, disb.Amount);
                    campaign.Totals.ManagementCommitted += disb.Amount;
                }
                campaign.Totals.ApprovedUnpaid += disb.Amount;
                PutCampaign(context, campaign);
            }
            pool.Reserved += disb.Amount;
            context.Put(CharityKeys.Pool(pool.PoolId), pool);
            disb.Status = DisbursementStatus.Approved;
            disb.ApprovedAt = context.TimestampMs;
        }
        PutDisbursement(context, disb);
        context.Emit(new DisbursementApproved(disb.DisbId, disb.Approvers.Count, disb.RequiredApprovals, disb.Status));
        return null;
    }

    /// <summary>Only the bank confirms money out; this consumes the reserved lots and writes the lineage edges.</summary>
    private static byte[]? ConfirmPayment(ContractContext context, PaymentArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "ConfirmPayment", args.DisbId, args, out var hash)) return null;
        var bank = ActiveCallerOrg(context, OrgType.Bank);
        var disb = RequireDisbursement(context, args.DisbId);
        if (disb.Status == DisbursementStatus.Paid)
            throw new ContractException(CharityErrors.MakerChecker, $"disbursement '{disb.DisbId}' was already paid (bank reference {disb.BankTxRef}); it is paid once");
        if (disb.Status != DisbursementStatus.Approved) throw BadState($"disbursement '{disb.DisbId}'", disb.Status, "confirm its payment (needs Approved)");
        var bankRef = BankReferences.RequireUnused(context, bank.OrgId, args.BankTxRef);
        var owner = context.Require<Org>(CharityKeys.Org(disb.Owner), $"organisation '{disb.Owner}'");
        RequireAccountBank(owner, bank.OrgId);
        RequireActive(owner);
        RequireNotHeld(context, $"disb:{disb.DisbId}", $"pool:{disb.PoolId}", $"org:{disb.Owner}", disb.CampaignId is null ? "" : $"campaign:{disb.CampaignId}");
        RequireNotRelatedParty(context, owner.OrgId, disb.PayeeRef);

        var pool = Lineage.RequirePool(context, disb.PoolId);
        RequireOpenPool(context, pool);
        disb.Consumed = Lineage.Consume(context, pool, disb.Amount, disb.Lots, Lineage.ToDisbursement, disb.DisbId, investment: disb.PayeeType == PayeeType.Investment);
        pool.Reserved -= disb.Amount;
        context.Put(CharityKeys.Pool(pool.PoolId), pool);
        if (disb.PayeeType == PayeeType.Executor)
        {
            // Sub-grants are given to be spent on their purpose, never invested by the executor.
            var grantPool = Lineage.EnsurePool(context, CharityKeys.SubGrantPool(disb.PayeeRef, disb.CampaignId), disb.PayeeRef, PoolKind.SubGrant, disb.CampaignId, noInvest: true);
            Lineage.CreateGrantLots(context, grantPool, disb.Consumed, disb.DisbId, disb.CampaignId is not null && pool.Kind != PoolKind.Unrestricted ? disb.CampaignId : null);
            context.Put(CharityKeys.Pool(grantPool.PoolId), grantPool);
        }
        disb.Status = DisbursementStatus.Paid;
        disb.BankId = bank.OrgId;
        disb.BankTxRef = args.BankTxRef;
        disb.PaidAt = args.PaidAt;
        disb.ClosedAt = context.TimestampMs;
        disb.ClosedBlock = context.BlockNumber;
        PutDisbursement(context, disb);
        BankReferences.Record(context, bankRef, "disb/" + disb.DisbId);
        context.PutState(CharityKeys.PayeeIndex(disb.PayeeRef, disb.DisbId), [1]);
        var payeeTotal = context.Get<PayeeTotal>(CharityKeys.PayeeTotal(disb.PayeeRef, disb.Owner)) ?? new PayeeTotal { PayeeRef = disb.PayeeRef, OrgId = disb.Owner };
        payeeTotal.Count++;
        payeeTotal.Amount += disb.Amount;
        context.Put(CharityKeys.PayeeTotal(disb.PayeeRef, disb.Owner), payeeTotal);
        if (disb.CampaignId is not null)
        {
            var approved = RequireCampaign(context, disb.CampaignId);
            approved.Totals.ApprovedUnpaid -= disb.Amount;
            PutCampaign(context, approved);
        }
        if (disb.CampaignId is not null && pool.Kind != PoolKind.SubGrant)
        {
            var campaign = RequireCampaign(context, disb.CampaignId);
            if (pool.Kind == PoolKind.Campaign)
            {
                campaign.Totals.Paid += disb.Amount;
                switch (disb.Category)
                {
                    case Category.Charitable: campaign.Totals.PaidCharitable += disb.Amount; break;
                    case Category.Management: campaign.Totals.PaidManagement += disb.Amount; break;
                    case Category.Fundraising: campaign.Totals.PaidFundraising += disb.Amount; break;
                    default: campaign.Totals.PaidOther += disb.Amount; break;
                }
            }
            else campaign.Totals.PaidFromUnrestricted += disb.Amount;
            AddCampaignEntry(context, campaign, "Payment", disb.DisbId, 0, pool.Kind == PoolKind.Campaign ? disb.Amount : 0,
                $"{disb.Category} to {disb.PayeeType}{(pool.Kind == PoolKind.Campaign ? "" : " from the unrestricted pool")}");
        }
        AddFlow(context, disb.Owner, context.TimestampMs, f => f.Add(disb.Category, disb.Amount));
        RequestLog.Record(context, "ConfirmPayment", args.DisbId, hash);
        context.Emit(new DisbursementPaid(disb.DisbId, disb.PoolId, disb.CampaignId, disb.PayeeType, disb.Amount, disb.Category, disb.Consumed, bank.OrgId));
        return null;
    }

    private static void ReleaseReservation(ContractContext context, Disbursement disb)
    {
        var pool = Lineage.RequirePool(context, disb.PoolId);
        pool.Reserved -= disb.Amount;
        context.Put(CharityKeys.Pool(pool.PoolId), pool);
        foreach (var (lotId, amount) in disb.Lots)
        {
            var lot = context.Require<Lot>(CharityKeys.Lot(lotId), $"lot '{lotId}'");
            lot.Reserved -= amount;
            context.Put(CharityKeys.Lot(lotId), lot);
        }
        if (disb.CampaignId is not null)
        {
            var campaign = RequireCampaign(context, disb.CampaignId);
            if (disb.Category == Category.Management) campaign.Totals.ManagementCommitted -= disb.Amount;
            campaign.Totals.ApprovedUnpaid -= disb.Amount;
            PutCampaign(context, campaign);
        }
    }

    /// <summary>
    /// A proposal is rejected before approval. Once approved, the payment is with the bank, and only the bank closes
    /// it (ConfirmPayment or FailPayment): a charity that wants to stop it asks the bank, which fails it.
    /// </summary>
    private static byte[]? RejectDisbursement(ContractContext context, RejectArgs args)
    {
        var disb = RequireDisbursement(context, args.DisbId);
        if (disb.Status == DisbursementStatus.Rejected) return null;
        if (context.Caller.HasRole("bank") && context.Caller.Organization != disb.Owner)
            RequireAccountBank(context.Require<Org>(CharityKeys.Org(disb.Owner), $"organisation '{disb.Owner}'"), CallerOrg(context, OrgType.Bank).OrgId);
        else RequireOwner(context, disb.Owner, $"disbursement '{disb.DisbId}'");
        if (disb.Status == DisbursementStatus.Approved)
            throw BadState($"disbursement '{disb.DisbId}'", disb.Status, "reject it: after approval only the bank closes it (ConfirmPayment or FailPayment); ask the bank to fail the payment");
        if (disb.Status != DisbursementStatus.Proposed) throw BadState($"disbursement '{disb.DisbId}'", disb.Status, "reject it (needs Proposed)");
        disb.Status = DisbursementStatus.Rejected;
        disb.Reason = args.Reason;
        PutDisbursement(context, disb);
        context.Emit(new DisbursementRejected(disb.DisbId, args.Reason, context.Caller.Organization));
        return null;
    }

    private static byte[]? FailPayment(ContractContext context, FailArgs args)
    {
        var bank = ActiveCallerOrg(context, OrgType.Bank);
        var disb = RequireDisbursement(context, args.DisbId);
        if (disb.Status == DisbursementStatus.Failed && disb.BankTxRef == args.BankTxRef) return null;
        if (disb.Status != DisbursementStatus.Approved) throw BadState($"disbursement '{disb.DisbId}'", disb.Status, "record a failed payment (needs Approved)");
        RequireAccountBank(context.Require<Org>(CharityKeys.Org(disb.Owner), $"organisation '{disb.Owner}'"), bank.OrgId);
        var bankRef = BankReferences.RequireUnused(context, bank.OrgId, args.BankTxRef);
        ReleaseReservation(context, disb);
        disb.Status = DisbursementStatus.Failed;
        disb.BankId = bank.OrgId;
        disb.BankTxRef = args.BankTxRef;
        disb.ClosedAt = context.TimestampMs;
        disb.ClosedBlock = context.BlockNumber;
        disb.Reason = args.Reason;
        PutDisbursement(context, disb);
        BankReferences.Record(context, bankRef, "disb/" + disb.DisbId);
        context.Emit(new PaymentFailed(disb.DisbId, args.BankTxRef, args.Reason));
        return null;
    }

    private static byte[]? AcknowledgeReceipt(ContractContext context, AckArgs args)
    {
        var disb = RequireDisbursement(context, args.DisbId);
        bool payeeExecutor = disb.PayeeType == PayeeType.Executor && context.Caller.Organization == disb.PayeeRef;
        if (!payeeExecutor) RequireOwner(context, disb.Owner, $"disbursement '{disb.DisbId}'");
        if (disb.Status != DisbursementStatus.Paid) throw BadState($"disbursement '{disb.DisbId}'", disb.Status, "acknowledge receipt (needs Paid)");
        if (disb.Acknowledgements.Contains(args.AckHash)) return null;
        disb.Acknowledgements.Add(args.AckHash);
        PutDisbursement(context, disb);
        context.Emit(new ReceiptAcknowledged(disb.DisbId, args.AckHash, context.Caller.Organization));
        return null;
    }
}
