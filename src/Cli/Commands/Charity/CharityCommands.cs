using Chain.Contracts.Domain;
using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Chain.Contracts.Charity;
using static Chain.Cli.Commands.DomainCli;

namespace Chain.Cli.Commands.Charity;

/// <summary>
/// <c>chain charity …</c>: the work of charities, the bank, donors, the regulator and auditors on the charity
/// channel. Every state-changing verb is one signed call that waits for its block; amounts are yuan.
/// </summary>
internal static partial class CharityCommands
{
    private const string Contract = CharityContract.ContractName;
    private static readonly Option<string> Channel = new("--channel", "-c") { Description = "channel running the charity contract", DefaultValueFactory = _ => "charity", Recursive = true };

    public static Command Build()
    {
        var charity = new Command("charity", "charity traceability: donations, campaigns, disbursements, traces and regulator checks");
        charity.Options.Add(Channel);
        Signer.AddTo(charity);
        foreach (var command in new[]
        {
            BuildOrg(), BuildCampaign(), BuildPledge(), BuildDonate(), BuildReceipt(), BuildAllocate(), BuildPropose(), BuildApprove(), BuildReject(),
            BuildPay(), BuildFail(), BuildAck(), BuildConsent(), BuildChangePurpose(), BuildRefund(), BuildDisclose(), BuildAnnual(), BuildHold(),
            BuildRelease(), BuildAttest(), BuildRaiseAlerts(), BuildTrace(), BuildStatement(), BuildLedger(), BuildBalance(), BuildRatios(), BuildAlerts(),
            BuildPayee(), BuildRelatedPartyHits(), BuildChecks(), BuildShow(), BuildRef(), CharityDemo.Build(Channel),
            Check("check", "recompute the contract's conservation laws from state and list every violation (exit 1 if any)", Channel, Contract, _ => new { }),
        })
            charity.Subcommands.Add(command);
        return charity;
    }

    private static Command BuildOrg()
    {
        var org = new Command("org", "organisations on the charity ledger (registered by the regulator)");
        var id = Id("org-id", "organisation id (its name in the network)");
        var type = Text("--type", "Charity, Bank, Regulator, Auditor, Executor or Supplier");
        var name = Text("--name", "registered name");
        var uscc = Text("--uscc", "unified social credit code");
        var form = OptionalText("--form", "Foundation, SocialGroup, SocialService or Other");
        var publicFundraising = new Option<bool>("--public-fundraising") { Description = "the charity has public-fundraising status" };
        var dual = OptionalAmount("--dual-approval", "disbursements from this amount on need two approvers (default 50000.00)");
        var idleDays = new Option<int?>("--idle-days") { Description = "unspent money older than this raises IdleFunds alerts (default 365)" };
        var accountBank = OptionalText("--account-bank", "the registered bank that holds a charity's or executor's accounts and alone pays its disbursements (required for them)");
        org.Subcommands.Add(Invoke("register", "register an organisation (regulator)", Channel, Contract, "RegisterOrg", p => new CharityContract.RegisterOrgArgs(p.GetValue(id)!, Enum<OrgType>(p, type), p.GetValue(name)!, p.GetValue(uscc)!, Enum(p, form, OrgForm.Other),
            p.GetValue(publicFundraising), OptionalFen(p, dual) ?? CharityContract.DefaultDualApprovalThreshold, p.GetValue(idleDays) ?? CharityContract.DefaultIdleDays, p.GetValue(accountBank)), id, type, name, uscc, form, publicFundraising, dual, idleDays, accountBank));

        var statusId = Id("org-id", "organisation id");
        var status = Text("--status", "Active or Frozen");
        var reason = Text("--reason", "why");
        org.Subcommands.Add(Invoke("status", "freeze or reactivate an organisation (regulator)", Channel, Contract, "SetOrgStatus",
            p => new CharityContract.SetOrgStatusArgs(p.GetValue(statusId)!, Enum<OrgStatus>(p, status), p.GetValue(reason)!), statusId, status, reason));

        var rpId = Id("charity-id", "charity id");
        var hashes = new Option<string[]>("--hash") { Description = "hashed reference of a related party (repeat)", AllowMultipleArgumentsPerToken = true };
        org.Subcommands.Add(Invoke("related-parties", "declare related parties of the charity (Art 58; payments to them are refused; a declaration is only ended by the regulator)",
            Channel, Contract, "DeclareRelatedParties", p => new CharityContract.RelatedPartiesArgs(p.GetValue(rpId)!, p.GetValue(hashes) ?? []), rpId, hashes));

        var endOrg = Id("org-id", "organisation id");
        var endHash = Text("--hash", "hashed reference of the related party");
        var endReason = Text("--reason", "why the declaration ends");
        org.Subcommands.Add(Invoke("end-related-party", "end a related-party declaration; its period stays on record (regulator)", Channel, Contract, "EndRelatedParty",
            p => new CharityContract.EndRelatedPartyArgs(p.GetValue(endOrg)!, p.GetValue(endHash)!, p.GetValue(endReason)!), endOrg, endHash, endReason));
        var listOrg = Id("org-id", "organisation id");
        org.Subcommands.Add(Query("related-list", "an organisation's related-party declarations and when each was in force", Channel, Contract, "ListRelatedParties",
            p => new { orgId = p.GetValue(listOrg) }, null, listOrg));

        var showId = Id("org-id", "organisation id");
        org.Subcommands.Add(Query("show", "show an organisation", Channel, Contract, "GetOrg", p => new { orgId = p.GetValue(showId) }, null, showId));
        return org;
    }

    private static Command BuildCampaign()
    {
        var campaign = new Command("campaign", "fundraising campaigns: create, file, open, close, settle, show");
        var id = Id("campaign-id", "campaign id");
        var charity = Text("--charity", "charity id");
        var title = Text("--title", "title");
        var purpose = Text("--purpose", "purpose code (e.g. EDU)");
        var restricted = new Option<bool>("--restricted") { Description = "donations are restricted to this campaign (定向); otherwise they go to the unrestricted pool" };
        var targeted = new Option<bool>("--targeted") { Description = "a non-public (targeted) campaign; public campaigns need public-fundraising status" };
        var target = Amount("--target", "fundraising target");
        var start = Time("--start", "start");
        var end = Time("--end", "end");
        var plan = Text("--plan", "plan document: file or SHA-256");
        var cap = new Option<int?>("--mgmt-cap-bps") { Description = "management cost cap in basis points of receipts (default 1000 = 10%)" };
        var leftover = OptionalText("--leftover", "SimilarProject (default), Refund or Named");
        var leftoverTarget = OptionalText("--leftover-target", "with --leftover Named: the campaign the plan names to receive the leftover");
        var noInvest = new Option<bool>("--no-invest") { Description = "the plan or the donors' agreements forbid investing this money (Art 54)" };
        var every = new Option<int?>("--disclosure-days") { Description = "disclosure interval in days (default 90)" };
        start.Required = true;
        end.Required = true;
        campaign.Subcommands.Add(Invoke("create", "create a campaign (charity officer)", Channel, Contract, "CreateCampaign", p => new CharityContract.CreateCampaignArgs(p.GetValue(id)!, p.GetValue(charity)!, p.GetValue(title)!, p.GetValue(purpose)!, p.GetValue(restricted),
            Public: !p.GetValue(targeted), Fen(p, target), Millis(p, start)!.Value, Millis(p, end)!.Value, HashArgument(p.GetValue(plan)!, "--plan"),
            p.GetValue(cap) ?? CharityContract.DefaultMgmtFeeCapBps, Enum(p, leftover, LeftoverRule.SimilarProject), p.GetValue(leftoverTarget), p.GetValue(noInvest),
            p.GetValue(every) ?? CharityContract.DefaultDisclosureEveryDays), id, charity, title, purpose, restricted, targeted, target, start, end, plan, cap, leftover, leftoverTarget, noInvest, every));

        var fileId = Id("campaign-id", "campaign id");
        var filingNo = Text("--filing-no", "the regulator's filing number");
        var newPurpose = OptionalText("--new-purpose", "record a filed purpose change instead of the plan filing");
        campaign.Subcommands.Add(Invoke("file", "acknowledge a plan filing or a purpose-change filing (regulator)", Channel, Contract, "AcknowledgeFiling",
            p => new CharityContract.FilingArgs(p.GetValue(fileId)!, p.GetValue(filingNo)!, p.GetValue(newPurpose)), fileId, filingNo, newPurpose));

        foreach (var (verb, function, what) in new[] { ("open", "OpenCampaign", "open a filed campaign for donations"), ("close", "CloseCampaign", "close a campaign at or after its end") })
        {
            var verbId = Id("campaign-id", "campaign id");
            campaign.Subcommands.Add(Invoke(verb, what + " (charity officer)", Channel, Contract, function, p => new CharityContract.CampaignIdArgs(p.GetValue(verbId)!), verbId));
        }

        var cancelId = Id("campaign-id", "campaign id");
        var cancelReason = Text("--reason", "why the campaign is called off");
        campaign.Subcommands.Add(Invoke("cancel", "cancel a campaign: its money only goes back to donors (refund reason CampaignCancelled) (charity officer or regulator)",
            Channel, Contract, "CancelCampaign", p => new CharityContract.CancelArgs(p.GetValue(cancelId)!, p.GetValue(cancelReason)!), cancelId, cancelReason));

        var settleId = Id("campaign-id", "campaign id");
        var rule = Text("--rule", "the plan's leftover rule: SimilarProject, Refund or Named");
        var to = OptionalText("--to", "campaign that receives the leftover (SimilarProject; a Named plan's target is used by default)");
        campaign.Subcommands.Add(Invoke("settle", "settle a closed campaign's leftover (Art 57)", Channel, Contract, "SettleLeftover",
            p => new CharityContract.SettleArgs(p.GetValue(settleId)!, Enum<LeftoverRule>(p, rule), p.GetValue(to)), settleId, rule, to));

        var showId = Id("campaign-id", "campaign id");
        campaign.Subcommands.Add(Query("show", "show a campaign with its totals and pool", Channel, Contract, "GetCampaign", p => new { campaignId = p.GetValue(showId) }, ShowCampaign, showId));
        var listCharity = Text("--charity", "charity id");
        campaign.Subcommands.Add(Query("list", "list a charity's campaigns", Channel, Contract, "ListCampaigns", p => new { charityId = p.GetValue(listCharity) }, ShowCampaignList, listCharity));
        return campaign;
    }

    private static Command BuildPledge()
    {
        var id = Id("pledge-id", "pledge id");
        var donorRef = Text("--donor-ref", "hashed donor reference (see 'chain charity ref')");
        var charity = Text("--charity", "charity id");
        var campaign = OptionalText("--campaign", "campaign id");
        var amount = Amount("--amount", "pledged amount");
        var agreement = Text("--agreement", "donation agreement: file or SHA-256");
        return Invoke("pledge", "record a pledge (donor or charity officer)", Channel, Contract, "Pledge", p => new CharityContract.PledgeArgs(p.GetValue(id)!, p.GetValue(donorRef)!, p.GetValue(charity)!, p.GetValue(campaign), Fen(p, amount),
            HashArgument(p.GetValue(agreement)!, "--agreement"), Schedule: []), id, donorRef, charity, campaign, amount, agreement);
    }

    private static Command BuildDonate()
    {
        var id = Id("donation-id", "donation id");
        var charity = Text("--charity", "charity id");
        var campaign = OptionalText("--campaign", "campaign id (omit for an unrestricted gift)");
        var amount = Amount("--amount", "amount received");
        var donorRef = Text("--donor-ref", "hashed donor reference (see 'chain charity ref'); never an ID number");
        var name = OptionalText("--name", "display name the donor agreed to publish");
        var anonymous = new Option<bool>("--anonymous") { Description = "the donor stays anonymous in every public view" };
        var account = OptionalText("--donor-account", "the donor's chain account, if any (it may then give consent itself)");
        var bankRef = Text("--bank-ref", "the bank's transaction reference (unique per bank)");
        var valueDate = Time("--value-date", "value date (default now)");
        var pledge = OptionalText("--pledge", "pledge this donation fulfils");
        return Invoke("donate", "confirm a donation received (bank)", Channel, Contract, "ConfirmDonation", p => new CharityContract.ConfirmDonationArgs(p.GetValue(id)!, p.GetValue(pledge), p.GetValue(donorRef)!, p.GetValue(name), p.GetValue(anonymous),
            p.GetValue(account), p.GetValue(charity)!, p.GetValue(campaign), Fen(p, amount), p.GetValue(bankRef)!, Millis(p, valueDate) ?? Now), id, charity, campaign, amount, donorRef, name, anonymous, account, bankRef, valueDate, pledge);
    }

    private static Command BuildReceipt()
    {
        var id = Id("donation-id", "donation id");
        var number = OptionalText("--number", "receipt number (捐赠票据)");
        var waive = OptionalText("--waive", "reason code when no receipt is issued (e.g. Anonymous, Declined)");
        var command = new Command("receipt", "record the receipt of a donation, or why none was issued (charity officer)") { id, number, waive };
        command.SetHandler((p, cancel) =>
        {
            if ((p.GetValue(number) is null) == (p.GetValue(waive) is null)) throw new UsageException("give exactly one of --number or --waive");
            return p.GetValue(number) is { } receiptNo
                ? SubmitAsync(p, p.GetValue(Channel)!, Contract, "IssueReceipt", new CharityContract.ReceiptArgs(p.GetValue(id)!, receiptNo), cancel)
                : SubmitAsync(p, p.GetValue(Channel)!, Contract, "WaiveReceipt", new CharityContract.WaiveArgs(p.GetValue(id)!, p.GetValue(waive)!), cancel);
        });
        return command;
    }

    private static Command BuildAllocate()
    {
        var id = Id("alloc-id", "allocation id");
        var from = Text("--from", "unrestricted pool, e.g. U:CharityFoundation");
        var to = Text("--to", "campaign id");
        var amount = Amount("--amount", "amount");
        return Invoke("allocate", "allocate unrestricted money to a campaign (charity officer)", Channel, Contract, "Allocate",
            p => new CharityContract.AllocateArgs(p.GetValue(id)!, p.GetValue(from)!, p.GetValue(to)!, Fen(p, amount)), id, from, to, amount);
    }

    private static Command BuildPropose()
    {
        var id = Id("disb-id", "disbursement id");
        var pool = Text("--pool", "pool to pay from, e.g. C:campaign or U:charity");
        var campaign = OptionalText("--campaign", "campaign the payment is for (default: the pool's)");
        var payeeType = Text("--payee-type", "Beneficiary, Supplier, Executor, Staff or Investment");
        var payeeRef = Text("--payee-ref", "hashed payee reference, or the executor's id");
        var amount = Amount("--amount", "amount");
        var category = Text("--category", "Charitable, Management, Fundraising or Other");
        var evidence = new Option<string[]>("--evidence") { Description = "kind:file-or-sha256, e.g. invoice:scan.pdf (repeat; kinds Contract, Invoice, SignOff, Receipt, Photo, Other)", Required = true };
        var lots = new Option<string[]>("--lot") { Description = "lot=amount to pay from named lots instead of FIFO (repeat)" };
        return Invoke("propose", "propose a disbursement (charity officer or executor)", Channel, Contract, "ProposeDisbursement", p => new CharityContract.ProposeArgs(p.GetValue(id)!, p.GetValue(pool)!, p.GetValue(campaign), Enum<PayeeType>(p, payeeType), p.GetValue(payeeRef)!,
            Fen(p, amount), Enum<Category>(p, category), [.. (p.GetValue(evidence) ?? []).Select(ParseEvidence)], [.. (p.GetValue(lots) ?? []).Select(ParseLot)]), id, pool, campaign, payeeType, payeeRef, amount, category, evidence, lots);
    }

    private static Evidence ParseEvidence(string text)
    {
        int colon = text.IndexOf(':');
        if (colon <= 0) throw new UsageException($"--evidence must be kind:file-or-sha256, got '{text}'");
        return new Evidence(ParseEnum<EvidenceKind>(text[..colon], "--evidence"), HashArgument(text[(colon + 1)..], "--evidence"));
    }

    private static LotAmount ParseLot(string text)
    {
        int eq = text.LastIndexOf('=');
        if (eq <= 0) throw new UsageException($"--lot must be lot=amount, got '{text}'");
        return new LotAmount(text[..eq], ParseFen(text[(eq + 1)..], "--lot"));
    }

    private static Command BuildApprove()
    {
        var id = Id("disb-id", "disbursement id");
        return Invoke("approve", "approve a disbursement (an officer other than the proposer)", Channel, Contract, "ApproveDisbursement", p => new CharityContract.DisbIdArgs(p.GetValue(id)!), id);
    }

    private static Command BuildReject()
    {
        var id = Id("disb-id", "disbursement id");
        var reason = Text("--reason", "why");
        return Invoke("reject", "reject a proposed disbursement; once approved only the bank closes it, with pay or fail (charity officer or bank)", Channel, Contract, "RejectDisbursement",
            p => new CharityContract.RejectArgs(p.GetValue(id)!, p.GetValue(reason)!), id, reason);
    }

    private static Command BuildPay()
    {
        var id = Id("disb-id", "disbursement id");
        var bankRef = Text("--bank-ref", "the bank's transaction reference");
        var paidAt = Time("--paid-at", "value date of the payment (default now)");
        return Invoke("pay", "confirm an approved disbursement was paid (bank)", Channel, Contract, "ConfirmPayment",
            p => new CharityContract.PaymentArgs(p.GetValue(id)!, p.GetValue(bankRef)!, Millis(p, paidAt) ?? Now), id, bankRef, paidAt);
    }

    private static Command BuildFail()
    {
        var id = Id("disb-id", "disbursement id");
        var bankRef = Text("--bank-ref", "the bank's transaction reference");
        var reason = Text("--reason", "why the payment failed");
        return Invoke("fail", "record a failed payment and release the reservation (bank)", Channel, Contract, "FailPayment",
            p => new CharityContract.FailArgs(p.GetValue(id)!, p.GetValue(bankRef)!, p.GetValue(reason)!), id, bankRef, reason);
    }

    private static Command BuildAck()
    {
        var id = Id("disb-id", "disbursement id");
        var ack = Text("--ack", "signed acknowledgement: file or SHA-256");
        return Invoke("ack", "acknowledge receipt of a payment (executor or charity)", Channel, Contract, "AcknowledgeReceipt",
            p => new CharityContract.AckArgs(p.GetValue(id)!, HashArgument(p.GetValue(ack)!, "--ack")), id, ack);
    }

    private static Command BuildConsent()
    {
        var id = Id("donation-id", "donation id");
        var seq = new Option<int?>("--seq") { Description = "consent number (default 1)" };
        var purpose = Text("--purpose", "the new purpose code");
        var consent = Text("--consent", "signed consent document: file or SHA-256");
        return Invoke("consent", "record the donor's consent to a new purpose (the donor, or its bank)", Channel, Contract, "GiveConsent",
            p => new CharityContract.ConsentArgs(p.GetValue(id)!, p.GetValue(seq) ?? 1, p.GetValue(purpose)!, HashArgument(p.GetValue(consent)!, "--consent")),
            id, seq, purpose, consent);
    }

    private static Command BuildChangePurpose()
    {
        var campaign = OptionalText("--campaign", "change a campaign's purpose (needs --filing-no)");
        var donation = OptionalText("--donation", "change a donation's purpose (needs --consent-seq)");
        var purpose = Text("--purpose", "new purpose code");
        var filing = OptionalText("--filing-no", "the regulator's filing of the change");
        var consentSeq = new Option<int?>("--consent-seq") { Description = "the donor's consent number" };
        var to = OptionalText("--to", "move the donation's unspent money to this campaign");
        var command = new Command("change-purpose", "change the purpose of a campaign or a donation (Art 55)") { campaign, donation, purpose, filing, consentSeq, to };
        command.SetHandler((p, cancel) =>
        {
            if ((p.GetValue(campaign) is null) == (p.GetValue(donation) is null)) throw new UsageException("give exactly one of --campaign or --donation");
            var scope = p.GetValue(campaign) is null ? Scope.Donation : Scope.Campaign;
            return SubmitAsync(p, p.GetValue(Channel)!, Contract, "ChangePurpose", new CharityContract.ChangePurposeArgs(scope, (p.GetValue(campaign) ?? p.GetValue(donation))!,
                p.GetValue(purpose)!, p.GetValue(filing), p.GetValue(consentSeq), p.GetValue(to)), cancel);
        });
        return command;
    }

    private static Command BuildRefund()
    {
        var id = Id("refund-id", "refund id");
        var donation = Text("--donation", "donation id");
        var amount = Amount("--amount", "amount returned");
        var reason = Text("--reason", "BankError, CampaignCancelled, LeftoverReturn or PaymentReversal");
        var bankRef = Text("--bank-ref", "the bank's transaction reference");
        var original = OptionalText("--original-bank-ref", "with BankError or PaymentReversal: the bank reference of the donation being corrected");
        return Invoke("refund", "confirm money returned to a donor (the bank that confirmed the donation)", Channel, Contract, "ConfirmRefund", p => new CharityContract.RefundArgs(p.GetValue(id)!, p.GetValue(donation)!, Fen(p, amount), Enum<RefundReason>(p, reason), p.GetValue(bankRef)!, p.GetValue(original)), id, donation, amount, reason, bankRef, original);
    }

    private static Command BuildDisclose()
    {
        var scope = Text("--scope", "Campaign, Donation, Disbursement or Org");
        var id = Text("--id", "id of the disclosed object");
        var kind = Text("--kind", "Periodic, Final, Leftover or Annual");
        var period = Text("--period", "period label, e.g. 2026Q1");
        var report = Text("--report", "the published report: file or SHA-256");
        return Invoke("disclose", "publish a disclosure (charity officer)", Channel, Contract, "PublishDisclosure", p => new CharityContract.DisclosureArgs(Enum<Scope>(p, scope), p.GetValue(id)!, Enum<DisclosureKind>(p, kind), p.GetValue(period)!, HashArgument(p.GetValue(report)!, "--report")), scope, id, kind, period, report);
    }

    private static Command BuildAnnual()
    {
        var id = Id("charity-id", "charity id");
        var year = new Option<int>("--year") { Description = "report year", Required = true };
        var income = Amount("--income", "total income");
        var charitable = Amount("--charitable", "charitable-activity spending");
        var management = Amount("--management", "management cost");
        var total = Amount("--total", "total spending");
        var netAssets = Amount("--net-assets", "net assets at year end");
        var adjustment = OptionalAmount("--restricted-time-adj", "time-restricted income adjustment");
        var report = Text("--report", "the annual report: file or SHA-256");
        return Invoke("annual", "publish the annual report; the ledger's own figures are checked against the Charity Law ratios", Channel, Contract, "PublishAnnual", p => new CharityContract.AnnualArgs(p.GetValue(id)!, p.GetValue(year),
            new AnnualFigures(Fen(p, income), OptionalFen(p, adjustment) ?? 0, Fen(p, charitable), Fen(p, management), Fen(p, total), Fen(p, netAssets)),
            HashArgument(p.GetValue(report)!, "--report")), id, year, income, charitable, management, total, netAssets, adjustment, report);
    }

    private static Command BuildHold()
    {
        var target = Id("target", "kind:id, e.g. campaign:C1, disb:P7, org:CharitySmall, pool:C:C1, donation:D1");
        var reason = Text("--reason", "why");
        return Invoke("hold", "place a hold: nothing is paid from the target until released (regulator or auditor)", Channel, Contract, "PlaceHold",
            p => new CharityContract.HoldArgs(p.GetValue(target)!, p.GetValue(reason)!), target, reason);
    }

    private static Command BuildRelease()
    {
        var target = Id("target", "kind:id of the hold");
        return Invoke("release", "release a hold (the organisation that placed it)", Channel, Contract, "ReleaseHold", p => new CharityContract.TargetArgs(p.GetValue(target)!), target);
    }

    private static Command BuildAttest()
    {
        var scope = Text("--scope", "Campaign, Donation, Disbursement or Org");
        var id = Text("--id", "id");
        var report = Text("--report", "audit report: file or SHA-256");
        return Invoke("attest", "sign an audit attestation (auditor)", Channel, Contract, "Attest",
            p => new CharityContract.AttestArgs(Enum<Scope>(p, scope), p.GetValue(id)!, HashArgument(p.GetValue(report)!, "--report")), scope, id, report);
    }

    private static Command BuildRaiseAlerts()
    {
        var limit = new Option<int?>("--limit") { Description = "at most this many alerts of each kind (default 100)" };
        return Invoke("raise-alerts", "sweep for overdue disclosures and idle funds and emit Alert events (regulator or auditor)", Channel, Contract, "RaiseAlerts",
            p => new CharityContract.AlertScanArgs(p.GetValue(limit) ?? Paging.DefaultLimit), limit);
    }

    private static Command BuildRef()
    {
        var keyFile = Text("--key-file", "file with the secret HMAC key (held by the bank or the charity, never on chain)");
        var idText = Text("--id", "identity text, e.g. ID-type|number");
        var command = new Command("ref", "compute a hashed reference HMAC-SHA256(key, id) locally; the id never leaves this machine") { keyFile, idText };
        command.SetHandler((p, _) =>
        {
            var path = p.GetValue(keyFile)!;
            if (!File.Exists(path)) throw new UsageException($"--key-file '{path}' does not exist");
            var reference = Convert.ToHexStringLower(HMACSHA256.HashData(File.ReadAllBytes(path), Encoding.UTF8.GetBytes(p.GetValue(idText)!)));
            Output.Printer.Print(p, new { reference }, () => Console.Out.WriteLine(reference));
            return Task.FromResult(0);
        });
        return command;
    }
}
