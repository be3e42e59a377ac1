using Chain.Contracts.Charity;
using Chain.Contracts.Domain;
using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Grpc.Core;

namespace Chain.Cli.Commands.Charity;

/// <summary>
/// <c>chain charity demo</c>: loads a realistic scenario into a running network through ordinary signed
/// calls: 2 charities, 3 campaigns (restricted and unrestricted), 50 donations, an allocation, payments
/// with evidence, a sub-grant spent by the executor, a purpose change with the donor's consent, and a
/// closed campaign whose leftover is settled.
/// </summary>
internal static class CharityDemo
{
    public sealed record Summary(string Prefix, int Campaigns, int Donations, int Payments, long DonatedFen, string SampleDonation, string SamplePayment);

    public static Command Build(Option<string> channel)
    {
        var prefix = new Option<string?>("--prefix") { Description = "id prefix of the scenario (default: demo-<time>, so each run adds a fresh scenario)" };
        var command = new Command("demo", "load a demo scenario into a running network, signed by the sample accounts of --crypto") { prefix };
        command.SetHandler(async (parse, cancel) =>
        {
            using var client = GlobalOptions.Connect(parse, Signer.LoadSample(parse.GetValue(Signer.Crypto)!, "CivilAffairs/inspector1"));
            var summary = await RunAsync(client, parse.GetValue(channel)!, parse.GetValue(Signer.Crypto)!,
                parse.GetValue(prefix) ?? "demo-" + DateTime.UtcNow.ToString("MMddHHmmss", System.Globalization.CultureInfo.InvariantCulture), Console.Error, cancel);
            Output.Printer.Print(parse, summary, () =>
            {
                Console.Out.WriteLine($"loaded {summary.Campaigns} campaigns, {summary.Donations} donations ({Chain.Contracts.Domain.Money.Format(summary.DonatedFen)} yuan), {summary.Payments} payments");
                Console.Out.WriteLine($"try: chain charity trace donation {summary.SampleDonation}");
                Console.Out.WriteLine($"     chain charity trace payment {summary.SamplePayment}");
                Console.Out.WriteLine($"     chain charity ledger {summary.Prefix}-edu");
            });
            return 0;
        });
        return command;
    }

    public static async Task<Summary> RunAsync(ChainClient client, string channel, string cryptoDir, string prefix, TextWriter log, CancellationToken cancel)
    {
        AccountKey Key(string account) => Signer.LoadSample(cryptoDir, account);
        var regulator = Key("CivilAffairs/inspector1");
        var teller = Key("Bank/teller1");
        var donorAccount = Key("Bank/donor1");
        var f1 = Key("CharityFoundation/officer1");
        var f2 = Key("CharityFoundation/officer2");
        var s1 = Key("CharitySmall/officer1");
        var s2 = Key("CharitySmall/officer2");
        var clerk1 = Key("Executor/clerk1");
        var clerk2 = Key("Executor/clerk2");
        var auditor = Key("AuditBureau/auditor1");
        int bankRef = 0, payments = 0;
        var random = new Random(2026);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        const long Day = 86_400_000;

        var session = new CharitySession(client, channel, "demo", cancel);
        int calls = 0;
        Task Call(AccountKey signer, string function, object args)
        {
            calls++;
            return session.CallAsync(signer, function, args);
        }

        log.WriteLine("registering organisations");
        await session.RegisterSampleOrganisationsAsync(regulator);

        string edu = prefix + "-edu", clinic = prefix + "-clinic", elder = prefix + "-elder";
        log.WriteLine("creating campaigns");
        var timing = System.Diagnostics.Stopwatch.StartNew();
        async Task Campaign(AccountKey officer, string id, string charity, string title, string purpose, bool restricted, bool isPublic, long endAt, LeftoverRule leftoverRule = LeftoverRule.SimilarProject, string? leftoverTarget = null)
        {
            await Call(officer, "CreateCampaign", new CharityContract.CreateCampaignArgs(id, charity, title, purpose, restricted, isPublic, Target: 50_000_000L,
                StartAt: now - Day, endAt, Sha("plan of " + id), MgmtFeeCapBps: 800, leftoverRule, leftoverTarget, NoInvest: false, CharityContract.DefaultDisclosureEveryDays));
            await Call(regulator, "AcknowledgeFiling", new CharityContract.FilingArgs(id, "MZ-" + id, NewPurposeCode: null));
            await Call(officer, "OpenCampaign", new CharityContract.CampaignIdArgs(id));
        }
        // The clinic campaign ends soon so the demo can close it and settle its leftover; about 110 calls must fit
        // before its end, so allow 20 s or twice their time at the pace measured so far (slower on a Raft network).
        await Campaign(f1, edu, "CharityFoundation", "School supplies for mountain schools", "EDU", restricted: true, isPublic: true, now + 365 * Day);
        long perCallMs = timing.ElapsedMilliseconds / Math.Max(1, calls);
        long clinicEnd = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + Math.Max(20_000, 2 * 110 * perCallMs);
        // Its plan names the school-supplies campaign as the home of any leftover.
        await Campaign(f1, clinic, "CharityFoundation", "Village clinic equipment", "HEALTH", restricted: true, isPublic: true, clinicEnd, leftoverRule: LeftoverRule.Named, leftoverTarget: edu);
        await Campaign(s1, elder, "CharitySmall", "Care for elderly living alone", "HEALTH", restricted: false, isPublic: false, now + 365 * Day);

        log.WriteLine("confirming 50 donations");
        var donations = new List<(string Id, string Campaign, string Charity, bool Anonymous)>();
        for (int i = 1; i <= 50; i++)
        {
            var (campaign, charity) = i switch
            {
                <= 27 => ((string?)edu, "CharityFoundation"),
                <= 39 => (clinic, "CharityFoundation"),
                <= 47 => (elder, "CharitySmall"),
                _ => (null, "CharityFoundation"), // unrestricted gifts, allocated below
            };
            bool anonymous = i % 5 == 0;
            long amount = (long)(random.Next(1, 40) * 5_000) + (i == 1 ? 15_000 : 0); // 50.00 .. 1,950.00 yuan
            var id = $"{prefix}-d{i:D2}";
            await Call(teller, "ConfirmDonation", new CharityContract.ConfirmDonationArgs(id, PledgeId: null, Sha("donor|" + (i % 17)), anonymous ? null : $"Donor {i % 17}", anonymous,
                i == 30 ? donorAccount.AddressText : null, charity, campaign, amount, $"{prefix}-BK{++bankRef:D4}", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            donations.Add((id, campaign ?? "", charity, anonymous));
            var officer = charity == "CharitySmall" ? s1 : f1;
            if (anonymous) await Call(officer, "WaiveReceipt", new CharityContract.WaiveArgs(id, "Anonymous"));
            else await Call(officer, "IssueReceipt", new CharityContract.ReceiptArgs(id, $"R-{prefix}-{i:D4}"));
        }

        log.WriteLine("allocating unrestricted gifts and paying suppliers");
        await Call(f1, "Allocate", new CharityContract.AllocateArgs(prefix + "-a1", "U:CharityFoundation", edu, 5_000L));

        async Task Pay(AccountKey proposer, AccountKey approver, string id, string pool, PayeeType payeeType, string payee, long amount, Category category, EvidenceKind evidenceKind, string? campaignId = null)
        {
            await Call(proposer, "ProposeDisbursement", new CharityContract.ProposeArgs(id, pool, campaignId, payeeType, payeeType == PayeeType.Executor ? payee : Sha("payee|" + payee), amount, category,
                [new Evidence(evidenceKind, Sha($"{evidenceKind} {id}")), new Evidence(EvidenceKind.Contract, Sha("contract " + id))], Lots: []));
            await Call(approver, "ApproveDisbursement", new CharityContract.DisbIdArgs(id));
            await Call(teller, "ConfirmPayment", new CharityContract.PaymentArgs(id, $"{prefix}-BK{++bankRef:D4}", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            payments++;
        }
        await Pay(f1, f2, prefix + "-p1", "C:" + edu, PayeeType.Supplier, "Xinhua bookstore", 150_000, Category.Charitable, EvidenceKind.Invoice);
        await Pay(f1, f2, prefix + "-p2", "C:" + edu, PayeeType.Supplier, "Desk factory", 120_000, Category.Charitable, EvidenceKind.Invoice);
        await Pay(f1, f2, prefix + "-g1", "C:" + edu, PayeeType.Executor, "Executor", 200_000, Category.Charitable, EvidenceKind.Contract);
        await Pay(clerk1, clerk2, prefix + "-x1", "G:Executor:" + edu, PayeeType.Supplier, "Stationery wholesaler", 80_000, Category.Charitable, EvidenceKind.Invoice);
        await Pay(f1, f2, prefix + "-p3", "C:" + clinic, PayeeType.Supplier, "Medical devices co", 90_000, Category.Charitable, EvidenceKind.Invoice);
        await Pay(f1, f2, prefix + "-m1", "C:" + edu, PayeeType.Staff, "Project coordinator", 8_000, Category.Management, EvidenceKind.SignOff);
        await Pay(s1, s2, prefix + "-e1", "U:CharitySmall", PayeeType.Beneficiary, "household 12", 30_000, Category.Charitable, EvidenceKind.SignOff, campaignId: elder);
        await Call(clerk1, "AcknowledgeReceipt", new CharityContract.AckArgs(prefix + "-g1", Sha("ack g1")));

        log.WriteLine("purpose change with the donor's consent");
        var consenting = donations[29]; // d30, in the clinic campaign, has a chain account
        await Call(donorAccount, "GiveConsent", new CharityContract.ConsentArgs(consenting.Id, Seq: 1, "EDU", Sha("consent " + consenting.Id)));
        await Call(f1, "ChangePurpose", new CharityContract.ChangePurposeArgs(Scope.Donation, consenting.Id, "EDU", FilingNo: null, ConsentSeq: 1, edu));

        log.WriteLine("disclosures");
        await Call(f1, "PublishDisclosure", new CharityContract.DisclosureArgs(Scope.Campaign, edu, DisclosureKind.Periodic, "Q1", Sha("edu Q1 report")));
        await Call(s1, "PublishDisclosure", new CharityContract.DisclosureArgs(Scope.Campaign, elder, DisclosureKind.Periodic, "Q1", Sha("elder Q1 report")));

        var wait = clinicEnd - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1_500;
        if (wait > 0)
        {
            log.WriteLine($"waiting {wait / 1000} s for the clinic campaign to end");
            await Task.Delay(TimeSpan.FromMilliseconds(wait), cancel);
        }
        log.WriteLine("closing the clinic campaign and settling its leftover");
        await Call(f1, "CloseCampaign", new CharityContract.CampaignIdArgs(clinic));
        await Call(f1, "PublishDisclosure", new CharityContract.DisclosureArgs(Scope.Campaign, clinic, DisclosureKind.Final, "final", Sha("clinic final report")));
        await Call(f1, "SettleLeftover", new CharityContract.SettleArgs(clinic, LeftoverRule.Named, TargetCampaignId: null));
        await Call(auditor, "Attest", new CharityContract.AttestArgs(Scope.Campaign, edu, Sha("audit of " + edu)));

        long donated = 0;
        foreach (var (id, _, _, _) in donations)
            donated += (await session.QueryAsync("GetDonation", new { donationId = id })).GetProperty("amount").GetInt64();
        return new Summary(prefix, 3, donations.Count, payments, donated, donations[0].Id, prefix + "-x1");
    }

    private static string Sha(string text) => ContractSession.Sha(text);
}
