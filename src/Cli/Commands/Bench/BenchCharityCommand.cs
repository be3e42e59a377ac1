using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chain.Cli.Output;
using Chain.Contracts.Charity;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Transactions;
using Grpc.Core;

namespace Chain.Cli.Commands.Bench;

/// <summary>
/// <c>chain bench charity</c>: opens a fresh campaign, loads it with ConfirmDonation transactions signed by the
/// bank, spends half of it in payments that each consume hundreds of donation lots, and then times the
/// trace queries a donor or auditor runs on that campaign.
/// </summary>
internal static class BenchCharityCommand
{
    private const string Contract = "charity";

    public sealed record QueryTiming(string Query, int Calls, double MedianMs, double P95Ms, int ResultBytes);
    public sealed record CharityResult(BenchCommands.Result Donations, int Payments, int LotsPerPayment, double PaymentSeconds, IReadOnlyList<QueryTiming> Queries);

    public static Command Build()
    {
        var channel = new Option<string>("--channel", "-c") { Description = "channel running the charity contract", DefaultValueFactory = _ => "charity" };
        var txs = BenchCommands.Txs(10_000);
        var batch = BenchCommands.Batch();
        var concurrency = BenchCommands.Concurrency();
        var rate = BenchCommands.Rate();
        var payments = new Option<int>("--payments") { Description = "payments made after the donations, together spending half of the campaign", DefaultValueFactory = _ => 20 };
        var command = new Command("charity", "ConfirmDonation load on a fresh campaign, then payments and trace-query timings") { channel, txs, batch, concurrency, rate, payments };
        command.Options.Add(Signer.Crypto);
        command.SetHandler(async (parse, cancel) =>
        {
            var settings = new BenchCommands.Settings(parse.GetValue(channel)!, parse.GetValue(txs), parse.GetValue(batch), parse.GetValue(concurrency), parse.GetValue(rate), 1);
            settings.Validate();
            int paymentCount = parse.GetValue(payments);
            if (paymentCount < 1 || paymentCount > settings.Txs / 2) throw new UsageException("--payments must be in 1..txs/2");
            // The trace queries it times are read as the regulator, who may read every donor's statement.
            using var client = GlobalOptions.Connect(parse, Signer.LoadSample(parse.GetValue(Signer.Crypto)!, "CivilAffairs/inspector1"));
            var result = await RunAsync(client, settings, parse.GetValue(Signer.Crypto)!, paymentCount, cancel);
            Printer.Print(parse, result, () =>
            {
                BenchCommands.PrintLoad(result.Donations);
                Printer.Pairs(("payments", $"{result.Payments} × {result.LotsPerPayment} lots each in {result.PaymentSeconds:F2} s (propose, approve, pay; one at a time)"));
                foreach (var q in result.Queries) Printer.Pairs((q.Query, $"median {q.MedianMs:F1} ms, p95 {q.P95Ms:F1} ms over {q.Calls} calls ({q.ResultBytes} bytes)"));
            });
            return result.Donations.Valid == settings.Txs ? 0 : 1;
        });
        return command;
    }

    public static async Task<CharityResult> RunAsync(ChainClient client, BenchCommands.Settings settings, string cryptoDir, int paymentCount, CancellationToken cancel)
    {
        var teller = Signer.LoadSample(cryptoDir, "Bank/teller1");
        var regulator = Signer.LoadSample(cryptoDir, "CivilAffairs/inspector1");
        var officer1 = Signer.LoadSample(cryptoDir, "CharityFoundation/officer1");
        var officer2 = Signer.LoadSample(cryptoDir, "CharityFoundation/officer2");
        var officer3 = Signer.LoadSample(cryptoDir, "CharityFoundation/officer3");
        var run = "bench-" + Guid.NewGuid().ToString("N")[..8];
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var session = new CharitySession(client, settings.Channel, "benchmark setup", cancel);
        Task Call(AccountKey signer, string function, object args) => session.CallAsync(signer, function, args);
        await session.RegisterSampleOrganisationsAsync(regulator);
        foreach (var (signer, function, args) in CharitySession.OpenSampleCampaign(run, now)) await Call(Signer.LoadSample(cryptoDir, signer), function, args);

        const long Amount = CharitySession.BenchDonationAmount;
        var donorRefs = Enumerable.Range(0, 100).Select(i => CharitySession.BenchDonorRef(run, i)).ToArray();
        var load = await BenchCommands.RunAsync(client, settings, i => TransactionFactory.Create(teller, settings.Channel, Contract, "ConfirmDonation",
            DomainCli.Serialize(CharitySession.BenchDonation(run, run, i, now))), cancel);

        // Payments that together spend half of the campaign, each consuming many donation lots (FIFO).
        int lotsPerPayment = settings.Txs / 2 / paymentCount;
        var paymentWatch = Stopwatch.StartNew();
        for (int p = 0; p < paymentCount; p++)
        {
            var id = $"{run}-p{p}";
            await Call(officer1, "ProposeDisbursement", new CharityContract.ProposeArgs(id, "C:" + run, CampaignId: null, PayeeType.Supplier, Sha("supplier " + p), lotsPerPayment * Amount,
                Category.Charitable, [new Evidence(EvidenceKind.Invoice, Sha("invoice " + id))], Lots: []));
            await Call(officer2, "ApproveDisbursement", new CharityContract.DisbIdArgs(id));
            if (lotsPerPayment * Amount >= 5_000_000) await Call(officer3, "ApproveDisbursement", new CharityContract.DisbIdArgs(id));
            await Call(teller, "ConfirmPayment", new CharityContract.PaymentArgs(id, id, now));
        }
        var paymentSeconds = paymentWatch.Elapsed.TotalSeconds;

        var queries = new List<QueryTiming>
        {
            await TimeAsync(client, settings.Channel, "TraceDonation (spent)", "TraceDonation", new { donationId = $"{run}-0" }, cancel),
            await TimeAsync(client, settings.Channel, "TraceDonation (unspent)", "TraceDonation", new { donationId = $"{run}-{settings.Txs - 1}" }, cancel),
            await TimeAsync(client, settings.Channel, $"TraceDisbursement ({lotsPerPayment} donations)", "TraceDisbursement", new { disbId = $"{run}-p0" }, cancel),
            await TimeAsync(client, settings.Channel, "CampaignLedger (first 100 entries)", "CampaignLedger", new { campaignId = run }, cancel),
            await TimeAsync(client, settings.Channel, "DonorStatement (first 100 donations)", "DonorStatement", new { donorRef = donorRefs[0] }, cancel),
        };
        return new CharityResult(load, paymentCount, lotsPerPayment, paymentSeconds, queries);
    }

    private static async Task<QueryTiming> TimeAsync(ChainClient client, string channel, string label, string function, object args, CancellationToken cancel)
    {
        var json = DomainCli.Serialize(args);
        const int Calls = 50;
        var times = new double[Calls];
        int bytes = 0;
        await client.QueryAsync(channel, Contract, function, json, cancel); // warm up
        for (int i = 0; i < Calls; i++)
        {
            var watch = Stopwatch.StartNew();
            bytes = (await client.QueryAsync(channel, Contract, function, json, cancel)).Length;
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return new QueryTiming(label, Calls, times[Calls / 2], times[(int)(Calls * 0.95) - 1], bytes);
    }

    private static string Sha(string text) => ContractSession.Sha(text);
}
