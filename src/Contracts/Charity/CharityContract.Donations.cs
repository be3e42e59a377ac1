using System.Text.Json;
using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.Charity;

public sealed partial class CharityContract
{
    public sealed record PledgeArgs(string PledgeId, string DonorRef, string CharityId, string? CampaignId, long Amount, string AgreementHash, IReadOnlyList<Instalment> Schedule);
    public sealed record ConfirmDonationArgs(string DonationId, string? PledgeId, string DonorRef, string? DisplayName, bool Anonymous, string? DonorAccount,
        string CharityId, string? CampaignId, long Amount, string BankTxRef, long ValueDate);
    public sealed record ReceiptArgs(string DonationId, string ReceiptNo);
    public sealed record WaiveArgs(string DonationId, string ReasonCode);
    public sealed record ConsentArgs(string DonationId, int Seq, string NewPurposeCode, string ConsentHash);
    public sealed record ChangePurposeArgs(Scope Scope, string Id, string NewPurposeCode, string? FilingNo, int? ConsentSeq, string? TargetCampaignId);
    public sealed record RefundArgs(string RefundId, string DonationId, long Amount, RefundReason ReasonCode, string BankTxRef, string? OriginalBankTxRef);
    public sealed record AllocateArgs(string AllocId, string FromPoolId, string ToCampaignId, long Amount);

    private void RegisterDonations()
    {
        Invoke("Pledge", DonorOrOfficerAccess, args => new PledgeArgs(args.RequiredId("pledgeId"), args.RequiredHash("donorRef"), args.RequiredId("charityId"),
            args.OptionalId("campaignId"), args.RequiredAmount("amount"), args.RequiredHash("agreementHash"),
            args.List("schedule", (e, n) => { var a = ContractArgs.Of(e, n); return new Instalment(a.RequiredTime("dueAt"), a.RequiredAmount("amount")); }, 120, required: false)), Pledge);
        Invoke("ConfirmDonation", BankAccess, args =>
        {
            var parsed = new ConfirmDonationArgs(args.RequiredId("donationId"), args.OptionalId("pledgeId"), args.RequiredHash("donorRef"),
                args.OptionalString("displayName", 128), args.OptionalBool("anonymous", false), args.OptionalString("donorAccount", 42),
                args.RequiredId("charityId"), args.OptionalId("campaignId"), args.RequiredAmount("amount"), args.RequiredId("bankTxRef"), args.RequiredTime("valueDate"));
            if (parsed.Anonymous && parsed.DisplayName is not null)
                throw new ContractException(ContractErrors.BadArgs, "an anonymous donation must not carry a 'displayName'");
            return parsed;
        }, ConfirmDonation);
        Invoke("IssueReceipt", OfficerAccess, args => new ReceiptArgs(args.RequiredId("donationId"), args.RequiredId("receiptNo")), IssueReceipt);
        Invoke("WaiveReceipt", OfficerAccess, args => new WaiveArgs(args.RequiredId("donationId"), args.RequiredId("reasonCode")), WaiveReceipt);
        Invoke("GiveConsent", DonorOrBankAccess, args => new ConsentArgs(args.RequiredId("donationId"), args.OptionalInt("seq", 1, 1, 1000),
            args.RequiredId("newPurposeCode"), args.RequiredHash("consentHash")), GiveConsent);
        Invoke("ChangePurpose", OfficerAccess, args => new ChangePurposeArgs(args.RequiredEnum<Scope>("scope"), args.RequiredId("id"), args.RequiredId("newPurposeCode"),
            args.OptionalId("filingNo"), args.Has("consentSeq") ? args.OptionalInt("consentSeq", 1, 1, 1000) : null, args.OptionalId("targetCampaignId")), ChangePurpose);
        Invoke("ConfirmRefund", BankAccess, args =>
        {
            var parsed = new RefundArgs(args.RequiredId("refundId"), args.RequiredId("donationId"), args.RequiredAmount("amount"),
                args.RequiredEnum<RefundReason>("reasonCode"), args.RequiredId("bankTxRef"), args.OptionalId("originalBankTxRef"));
            if (parsed.ReasonCode is RefundReason.BankError or RefundReason.PaymentReversal && parsed.OriginalBankTxRef is null)
                throw new ContractException(ContractErrors.BadArgs, $"reason {parsed.ReasonCode} needs 'originalBankTxRef': the bank reference of the donation being corrected or reversed");
            return parsed;
        }, ConfirmRefund);
        Invoke("Allocate", OfficerAccess, args => new AllocateArgs(args.RequiredId("allocId"), args.RequiredString("fromPoolId", 140), args.RequiredId("toCampaignId"), args.RequiredAmount("amount")), Allocate);
    }

    private static byte[]? Pledge(ContractContext context, PledgeArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "Pledge", args.PledgeId, args, out var hash)) return null;
        var charity = RequireOrg(context, args.CharityId, OrgType.Charity);
        RequireActive(charity);
        if (!context.Caller.HasRole("donor")) RequireOwner(context, args.CharityId, $"charity '{args.CharityId}'");
        if (args.CampaignId is not null && RequireCampaign(context, args.CampaignId).CharityId != args.CharityId)
            throw new ContractException(ContractErrors.BadArgs, $"campaign '{args.CampaignId}' does not belong to charity '{args.CharityId}'");
        if (args.Schedule.Count > 0 && args.Schedule.Sum(i => i.Amount) != args.Amount)
            throw new ContractException(ContractErrors.BadArgs, $"the schedule's instalments add up to {Money.Format(args.Schedule.Sum(i => i.Amount))}, the pledge is {Money.Format(args.Amount)}");
        if (context.Exists(CharityKeys.Pledge(args.PledgeId))) throw new ContractException(ContractErrors.Conflict, $"pledge '{args.PledgeId}' already exists");
        context.Put(CharityKeys.Pledge(args.PledgeId), new Pledge
        {
            PledgeId = args.PledgeId, DonorRef = args.DonorRef, CharityId = args.CharityId, CampaignId = args.CampaignId, Amount = args.Amount,
            AgreementHash = args.AgreementHash, Schedule = args.Schedule.ToList(), Status = PledgeStatus.Open, CreatedAt = context.TimestampMs,
        });
        RequestLog.Record(context, "Pledge", args.PledgeId, hash);
        context.Emit(new Pledged(args.PledgeId, args.CharityId, args.CampaignId, args.Amount));
        return null;
    }

    private static byte[]? ConfirmDonation(ContractContext context, ConfirmDonationArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "ConfirmDonation", args.DonationId, args, out var hash)) return null;
        var bank = ActiveCallerOrg(context, OrgType.Bank);
        var charity = RequireOrg(context, args.CharityId, OrgType.Charity);
        RequireActive(charity);
        var bankRef = BankReferences.RequireUnused(context, bank.OrgId, args.BankTxRef);
        if (context.Exists(CharityKeys.Donation(args.DonationId))) throw new ContractException(ContractErrors.Conflict, $"donation '{args.DonationId}' already exists");

        Campaign? campaign = null;
        if (args.CampaignId is not null)
        {
            campaign = RequireCampaign(context, args.CampaignId);
            if (campaign.CharityId != args.CharityId) throw new ContractException(ContractErrors.BadArgs, $"campaign '{campaign.CampaignId}' belongs to '{campaign.CharityId}', not '{args.CharityId}'");
            if (campaign.Status != CampaignStatus.Open) throw new ContractException(CharityErrors.Window, $"campaign '{campaign.CampaignId}' is {campaign.Status}; donations need an Open campaign");
            if (args.ValueDate < campaign.StartAt || args.ValueDate >= campaign.EndAt)
                throw new ContractException(CharityErrors.Window, $"value date {Iso(args.ValueDate)} is outside campaign '{campaign.CampaignId}' window {Iso(campaign.StartAt)} – {Iso(campaign.EndAt)}");
        }
        if (args.PledgeId is not null)
        {
            var pledge = context.Require<Pledge>(CharityKeys.Pledge(args.PledgeId), $"pledge '{args.PledgeId}'");
            if (pledge.DonorRef != args.DonorRef || pledge.CharityId != args.CharityId || pledge.CampaignId != args.CampaignId)
                throw new ContractException(ContractErrors.BadArgs, $"pledge '{pledge.PledgeId}' is for another donor, charity or campaign");
            if (pledge.Donated + args.Amount > pledge.Amount)
                throw new ContractException(ContractErrors.BadArgs, $"pledge '{pledge.PledgeId}' is {Money.Format(pledge.Amount)} of which {Money.Format(pledge.Donated)} is donated; {Money.Format(args.Amount)} is too much");
            pledge.Donated += args.Amount;
            if (pledge.Donated == pledge.Amount) pledge.Status = PledgeStatus.Fulfilled;
            context.Put(CharityKeys.Pledge(pledge.PledgeId), pledge);
        }

        var restricted = campaign is { Restricted: true };
        var pool = Lineage.RequirePool(context, restricted ? CharityKeys.CampaignPool(campaign!.CampaignId) : CharityKeys.UnrestrictedPool(args.CharityId));
        var lotId = CharityKeys.DonationLotId(args.DonationId);
        Lineage.CreateLot(context, pool, lotId, LotOrigin.Donation, args.DonationId, null, null, args.Amount, restricted ? campaign!.CampaignId : null, campaign?.NoInvest == true);
        context.Put(CharityKeys.Pool(pool.PoolId), pool);
        var donation = new Donation
        {
            DonationId = args.DonationId, PledgeId = args.PledgeId, DonorRef = args.DonorRef, DisplayName = args.DisplayName, Anonymous = args.Anonymous,
            DonorAccount = args.DonorAccount?.ToLowerInvariant(), CharityId = args.CharityId, CampaignId = args.CampaignId, PurposeCode = campaign?.PurposeCode,
            Amount = args.Amount, BankId = bank.OrgId, BankTxRef = args.BankTxRef, ValueDate = args.ValueDate, RootLotId = lotId, ConfirmedAt = context.TimestampMs,
        };
        context.Put(CharityKeys.Donation(donation.DonationId), donation);
        BankReferences.Record(context, bankRef, "donation/" + donation.DonationId);
        context.PutState(CharityKeys.DonorIndex(args.DonorRef, args.DonationId), [1]);
        if (args.DonorAccount is { } account) context.PutState(CharityKeys.DonorAccountIndex(account, args.DonorRef, args.DonationId), [1]);
        if (campaign is not null)
        {
            if (restricted) campaign.Totals.Received += args.Amount;
            else campaign.Totals.ReceivedUnrestricted += args.Amount;
            AddCampaignEntry(context, campaign, "Donation", donation.DonationId, args.Amount, 0, restricted ? null : "to unrestricted pool");
        }
        AddFlow(context, args.CharityId, context.TimestampMs, f => f.Income += args.Amount);
        RequestLog.Record(context, "ConfirmDonation", args.DonationId, hash);
        context.Emit(new DonationConfirmed(donation.DonationId, donation.CharityId, donation.CampaignId, donation.Amount, donation.Anonymous ? "anonymous" : donation.DisplayName,
            pool.PoolId, lotId, bank.OrgId));
        if (campaign is not null) AlertIfDisclosureOverdue(context, campaign);
        return null;
    }

    private static Donation RequireDonation(ContractContext context, string donationId) =>
        context.Require<Donation>(CharityKeys.Donation(donationId), $"donation '{donationId}'");

    private static byte[]? IssueReceipt(ContractContext context, ReceiptArgs args) => SetReceipt(context, args.DonationId, args.ReceiptNo, null);

    private static byte[]? WaiveReceipt(ContractContext context, WaiveArgs args) => SetReceipt(context, args.DonationId, null, args.ReasonCode);

    /// <summary>A donation gets one receipt number or one reason why none was issued; repeating the same is a no-op.</summary>
    private static byte[]? SetReceipt(ContractContext context, string donationId, string? receiptNo, string? waived)
    {
        var donation = RequireDonation(context, donationId);
        RequireOwner(context, donation.CharityId, $"donation '{donation.DonationId}'");
        CallerOrg(context, OrgType.Charity);
        if (donation.ReceiptNo == receiptNo && donation.ReceiptWaived == waived) return null;
        if (donation.ReceiptNo is not null || donation.ReceiptWaived is not null)
            throw new ContractException(ContractErrors.Conflict, $"donation '{donation.DonationId}' already has receipt {donation.ReceiptNo ?? "waived (" + donation.ReceiptWaived + ")"}");
        donation.ReceiptNo = receiptNo;
        donation.ReceiptWaived = waived;
        context.Put(CharityKeys.Donation(donation.DonationId), donation);
        if (receiptNo is not null) context.Emit(new ReceiptIssued(donation.DonationId, receiptNo));
        else context.Emit(new ReceiptWaived(donation.DonationId, waived));
        return null;
    }

    /// <summary>The donor (its own account) or its bank on the donor's behalf records consent to a new purpose (Art 55).</summary>
    private static byte[]? GiveConsent(ContractContext context, ConsentArgs args)
    {
        var donation = RequireDonation(context, args.DonationId);
        bool isDonor = donation.DonorAccount is not null && string.Equals(donation.DonorAccount, context.Caller.Address, StringComparison.OrdinalIgnoreCase);
        if (!isDonor)
        {
            if (!context.Caller.HasRole("bank"))
                throw new ContractException(ContractErrors.NotAuthorized, $"only the donor of '{donation.DonationId}' or its bank may give consent; caller {context.Caller.Address} is neither");
            var bank = CallerOrg(context, OrgType.Bank);
            if (bank.OrgId != donation.BankId) throw new ContractException(ContractErrors.NotAuthorized, $"donation '{donation.DonationId}' came through '{donation.BankId}', not '{bank.OrgId}'");
        }
        var key = CharityKeys.Consent(args.DonationId, args.Seq);
        var consent = new Consent(args.DonationId, args.Seq, args.NewPurposeCode, args.ConsentHash, context.Caller.Address, context.TimestampMs, false);
        if (context.Get<Consent>(key) is { } existing)
        {
            if (existing.NewPurposeCode == args.NewPurposeCode && existing.ConsentHash == args.ConsentHash) return null;
            throw new ContractException(ContractErrors.Conflict, $"consent {args.Seq} of donation '{args.DonationId}' was already given with other content");
        }
        context.Put(key, consent);
        context.Emit(new ConsentGiven(args.DonationId, args.Seq, args.NewPurposeCode));
        return null;
    }

    /// <summary>
    /// Purpose change (Art 55, I3): a campaign's needs a regulator filing naming the new purpose; a donation's
    /// needs the donor's consent and may move the donation's unspent restricted money to a campaign with that purpose.
    /// </summary>
    private static byte[]? ChangePurpose(ContractContext context, ChangePurposeArgs args)
    {
        if (args.Scope == Scope.Campaign)
        {
            var campaign = RequireCampaign(context, args.Id);
            RequireOwner(context, campaign.CharityId, $"campaign '{campaign.CampaignId}'");
            ActiveCallerOrg(context, OrgType.Charity);
            if (args.FilingNo is null) throw new ContractException(CharityErrors.Restricted, $"changing the purpose of campaign '{campaign.CampaignId}' needs a filing with the regulator ('filingNo')");
            var filing = context.Get<Filing>(CharityKeys.Filing(campaign.CampaignId, args.FilingNo));
            if (filing?.NewPurposeCode != args.NewPurposeCode)
                throw new ContractException(CharityErrors.Restricted, $"the regulator has no filing '{args.FilingNo}' for campaign '{campaign.CampaignId}' with purpose '{args.NewPurposeCode}'");
            if (campaign.PurposeCode == args.NewPurposeCode) return null;
            var old = campaign.PurposeCode;
            campaign.PurposeCode = args.NewPurposeCode;
            PutCampaign(context, campaign);
            context.Emit(new PurposeChanged(args.Scope, args.Id, old, args.NewPurposeCode, FilingNo: args.FilingNo));
            return null;
        }
        if (args.Scope != Scope.Donation) throw new ContractException(ContractErrors.BadArgs, $"'scope' must be Campaign or Donation, got {args.Scope}");

        var donation = RequireDonation(context, args.Id);
        RequireOwner(context, donation.CharityId, $"donation '{donation.DonationId}'");
        ActiveCallerOrg(context, OrgType.Charity);
        if (args.ConsentSeq is not { } seq) throw new ContractException(CharityErrors.Restricted, $"changing the purpose of donation '{donation.DonationId}' needs the donor's consent ('consentSeq')");
        var consentKey = CharityKeys.Consent(donation.DonationId, seq);
        var consent = context.Get<Consent>(consentKey);
        if (consent is null || consent.NewPurposeCode != args.NewPurposeCode)
            throw new ContractException(CharityErrors.Restricted, $"donation '{donation.DonationId}' has no donor consent {seq} to purpose '{args.NewPurposeCode}'");
        if (consent.Used) throw new ContractException(ContractErrors.Conflict, $"consent {seq} of donation '{donation.DonationId}' was already used");

        var old2 = donation.PurposeCode;
        long moved = 0;
        if (args.TargetCampaignId is not null)
        {
            var to = RequireCampaign(context, args.TargetCampaignId);
            if (to.CharityId != donation.CharityId) throw new ContractException(ContractErrors.BadArgs, $"campaign '{to.CampaignId}' belongs to '{to.CharityId}', not '{donation.CharityId}'");
            if (to.Status != CampaignStatus.Open) throw BadState($"campaign '{to.CampaignId}'", to.Status, "receive money (needs Open)");
            if (to.PurposeCode != args.NewPurposeCode) throw new ContractException(ContractErrors.BadArgs, $"campaign '{to.CampaignId}' has purpose '{to.PurposeCode}', the consent is for '{args.NewPurposeCode}'");
            if (donation.CampaignId is not { } fromCampaignId) throw new ContractException(ContractErrors.BadArgs, $"donation '{donation.DonationId}' is unrestricted; allocate it instead");
            if (to.CampaignId == fromCampaignId)
                throw new ContractException(ContractErrors.BadArgs, $"donation '{donation.DonationId}' is already in campaign '{fromCampaignId}'; a purpose change moves money to another campaign (omit 'targetCampaignId' to change only the donation's purpose)");
            if (RequireCampaign(context, fromCampaignId) is { Status: CampaignStatus.Cancelled or CampaignStatus.Settled } closed)
                throw BadState($"campaign '{closed.CampaignId}'", closed.Status, "move money to another campaign (what is left there goes back to donors through the bank)");
            var fromPool = Lineage.RequirePool(context, CharityKeys.CampaignPool(fromCampaignId));
            RequireNotHeld(context, $"campaign:{fromCampaignId}", $"pool:{fromPool.PoolId}", $"donation:{donation.DonationId}");
            var toPool = Lineage.RequirePool(context, CharityKeys.CampaignPool(to.CampaignId));
            RequireNotHeld(context, $"campaign:{to.CampaignId}", $"pool:{toPool.PoolId}");
            // Only money no approved disbursement counts on may move (I2): cap at the pool's free balance.
            long free = fromPool.Balance - fromPool.Reserved;
            var takes = new List<(Lot Lot, long Take)>();
            foreach (var lot in Lineage.OpenLotsOfDonation(context, donation, includeGrants: false).Where(l => l.PoolId == fromPool.PoolId))
            {
                long take = Math.Min(lot.Remaining - lot.Reserved, free - moved);
                if (take <= 0) continue;
                takes.Add((lot, take));
                moved += take;
            }
            if (moved == 0) throw new ContractException(CharityErrors.Overspend, $"donation '{donation.DonationId}' has no unspent money in campaign '{fromCampaignId}' that approved disbursements do not already count on");
            Lineage.Transfer(context, fromPool, toPool, moved, takes, "P", $"{donation.DonationId}.{seq}", LotOrigin.Transfer, to.CampaignId);
            context.Put(CharityKeys.Pool(fromPool.PoolId), fromPool);
            context.Put(CharityKeys.Pool(toPool.PoolId), toPool);
            var from = RequireCampaign(context, fromCampaignId);
            from.Totals.MovedOut += moved;
            to.Totals.MovedIn += moved;
            AddCampaignEntry(context, from, "PurposeOut", donation.DonationId, 0, moved, to.CampaignId);
            AddCampaignEntry(context, to, "PurposeIn", donation.DonationId, moved, 0, fromCampaignId);
        }
        donation.PurposeCode = args.NewPurposeCode;
        context.Put(CharityKeys.Donation(donation.DonationId), donation);
        context.Put(consentKey, consent with { Used = true });
        context.Emit(new PurposeChanged(args.Scope, args.Id, old2, args.NewPurposeCode, ConsentSeq: seq, TargetCampaignId: args.TargetCampaignId, Moved: moved));
        return null;
    }

    /// <summary>Only these reasons allow money back to a donor (donations are otherwise irrevocable).</summary>
    private static byte[]? ConfirmRefund(ContractContext context, RefundArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "ConfirmRefund", args.RefundId, args, out var hash)) return null;
        var bank = ActiveCallerOrg(context, OrgType.Bank);
        var donation = RequireDonation(context, args.DonationId);
        if (donation.BankId != bank.OrgId)
            throw new ContractException(CharityErrors.BankOnly, $"donation '{donation.DonationId}' was confirmed by '{donation.BankId}'; only that bank can refund it (caller is from '{bank.OrgId}')");
        var bankRef = BankReferences.RequireUnused(context, bank.OrgId, args.BankTxRef);
        if (context.Exists(CharityKeys.Refund(args.RefundId))) throw new ContractException(ContractErrors.Conflict, $"refund '{args.RefundId}' already exists");
        var campaign = donation.CampaignId is null ? null : RequireCampaign(context, donation.CampaignId);
        // A bank error or a reversed payment is corrected soon and names the donation's own bank transaction;
        // a cancellation or a leftover return takes only what sits in the cancelled (or settled) campaign's pool.
        if (args.ReasonCode is RefundReason.BankError or RefundReason.PaymentReversal)
        {
            if (args.OriginalBankTxRef != donation.BankTxRef)
                throw new ContractException(ContractErrors.BadArgs, $"'originalBankTxRef' {args.OriginalBankTxRef} is not the bank reference of donation '{donation.DonationId}'");
            if (context.TimestampMs - donation.ConfirmedAt > RefundWindowDays * DayMs)
                throw new ContractException(ContractErrors.BadState, $"donation '{donation.DonationId}' was confirmed on {Iso(donation.ConfirmedAt)}; a {args.ReasonCode} refund comes within {RefundWindowDays} days");
        }
        bool Eligible(Pool pool) => args.ReasonCode switch
        {
            RefundReason.CampaignCancelled => pool.Kind == PoolKind.Campaign && RequireCampaign(context, pool.CampaignId!).Status == CampaignStatus.Cancelled,
            RefundReason.LeftoverReturn => pool.Kind == PoolKind.Campaign && RequireCampaign(context, pool.CampaignId!) is { Status: CampaignStatus.Settled, LeftoverRule: LeftoverRule.Refund },
            _ => true,
        };
        RequireNotHeld(context, $"donation:{donation.DonationId}", $"org:{donation.CharityId}", campaign is null ? "" : $"campaign:{campaign.CampaignId}");
        RequireActive(context.Require<Org>(CharityKeys.Org(donation.CharityId), $"organisation '{donation.CharityId}'"));

        // Take from the donation's unspent, unearmarked money that the reason covers, oldest lot first, pool by pool.
        var consumed = new List<LotAmount>();
        var refundedByCampaign = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long left = args.Amount;
        bool anyEligible = false;
        foreach (var lot in Lineage.OpenLotsOfDonation(context, donation, includeGrants: false))
        {
            if (left == 0) break;
            var pool = Lineage.RequirePool(context, lot.PoolId);
            if (!Eligible(pool)) continue;
            anyEligible = true;
            long take = Math.Min(left, lot.Remaining - lot.Reserved);
            if (take <= 0) continue;
            if (pool.Balance - take < pool.Reserved) take = Math.Max(0, pool.Balance - pool.Reserved);
            if (take <= 0) continue;
            RequireNotHeld(context, $"pool:{pool.PoolId}", pool.CampaignId is null ? "" : $"campaign:{pool.CampaignId}");
            Lineage.TakeFromLot(context, pool, lot, take, Lineage.ToRefund, args.RefundId);
            consumed.Add(new LotAmount(lot.LotId, take));
            if (pool.Kind == PoolKind.Campaign) refundedByCampaign[pool.CampaignId!] = refundedByCampaign.GetValueOrDefault(pool.CampaignId!) + take;
            context.Put(CharityKeys.Pool(pool.PoolId), pool);
            left -= take;
        }
        if (!anyEligible && args.ReasonCode is RefundReason.CampaignCancelled or RefundReason.LeftoverReturn)
            throw new ContractException(ContractErrors.BadState, args.ReasonCode == RefundReason.CampaignCancelled
                ? $"reason CampaignCancelled needs money of donation '{donation.DonationId}' in a cancelled campaign (CancelCampaign); it has none"
                : $"reason LeftoverReturn needs money of donation '{donation.DonationId}' in a settled campaign whose plan returns leftovers; it has none");
        if (left > 0)
            throw new ContractException(CharityErrors.Overspend, $"donation '{donation.DonationId}' has only {Money.Format(args.Amount - left)} unspent, not earmarked and refundable as {args.ReasonCode}; refund of {Money.Format(args.Amount)} refused");
        foreach (var (campaignId, amount) in refundedByCampaign)
        {
            var from = RequireCampaign(context, campaignId);
            from.Totals.Refunded += amount;
            AddCampaignEntry(context, from, "Refund", args.RefundId, 0, amount, args.ReasonCode.ToString());
        }

        donation.Refunded += args.Amount;
        context.Put(CharityKeys.Donation(donation.DonationId), donation);
        context.Put(CharityKeys.Refund(args.RefundId), new Refund
        {
            RefundId = args.RefundId, DonationId = donation.DonationId, Amount = args.Amount, Reason = args.ReasonCode, BankId = bank.OrgId,
            BankTxRef = args.BankTxRef, At = context.TimestampMs, Consumed = consumed,
        });
        BankReferences.Record(context, bankRef, "refund/" + args.RefundId);
        AddFlow(context, donation.CharityId, context.TimestampMs, f => f.Refunds += args.Amount);
        RequestLog.Record(context, "ConfirmRefund", args.RefundId, hash);
        context.Emit(new RefundPaid(args.RefundId, args.DonationId, args.Amount, args.ReasonCode, consumed));
        return null;
    }

    /// <summary>Unrestricted money → a campaign (FIFO child lots, restricted to that campaign from then on).</summary>
    private static byte[]? Allocate(ContractContext context, AllocateArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "Allocate", args.AllocId, args, out var hash)) return null;
        var from = Lineage.RequirePool(context, args.FromPoolId);
        RequireOwner(context, from.Owner, $"pool '{from.PoolId}'");
        ActiveCallerOrg(context, OrgType.Charity);
        if (from.Kind != PoolKind.Unrestricted)
            throw new ContractException(CharityErrors.Restricted, $"pool '{from.PoolId}' holds money restricted to campaign '{from.CampaignId}'; only unrestricted money can be allocated");
        var campaign = RequireCampaign(context, args.ToCampaignId);
        if (campaign.CharityId != from.Owner) throw new ContractException(ContractErrors.BadArgs, $"campaign '{campaign.CampaignId}' belongs to '{campaign.CharityId}', not '{from.Owner}'");
        if (campaign.Status is CampaignStatus.Closed or CampaignStatus.Settled or CampaignStatus.Cancelled) throw BadState($"campaign '{campaign.CampaignId}'", campaign.Status, "receive an allocation");
        RequireNotHeld(context, $"pool:{from.PoolId}", $"org:{from.Owner}", $"campaign:{campaign.CampaignId}");
        if (args.Amount > from.Balance - from.Reserved)
            throw new ContractException(CharityErrors.Overspend, $"pool '{from.PoolId}' has {Money.Format(from.Balance)} of which {Money.Format(from.Reserved)} is reserved; cannot allocate {Money.Format(args.Amount)}");
        var to = Lineage.RequirePool(context, CharityKeys.CampaignPool(campaign.CampaignId));
        var children = Lineage.Transfer(context, from, to, args.Amount, null, "A", args.AllocId, LotOrigin.Allocation, campaign.CampaignId);
        context.Put(CharityKeys.Pool(from.PoolId), from);
        context.Put(CharityKeys.Pool(to.PoolId), to);
        campaign.Totals.AllocatedIn += args.Amount;
        AddCampaignEntry(context, campaign, "Allocation", args.AllocId, args.Amount, 0, from.PoolId);
        RequestLog.Record(context, "Allocate", args.AllocId, hash);
        context.Emit(new FundsAllocated(args.AllocId, from.PoolId, campaign.CampaignId, args.Amount, children));
        AlertIfIdle(context, from);
        return null;
    }
}
