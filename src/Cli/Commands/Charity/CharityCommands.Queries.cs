using System.CommandLine;
using System.Text.Json.Nodes;
using Chain.Cli.Output;
using Chain.Sdk.Client;
using static Chain.Cli.Commands.DomainCli;

namespace Chain.Cli.Commands.Charity;

internal static partial class CharityCommands
{
    private static Command BuildTrace()
    {
        var trace = new Command("trace", "follow money forward from a donation or backward from a payment");
        var donation = Id("donation-id", "donation id");
        var maxNodes = new Option<int?>("--max-nodes") { Description = "stop after this many lots (default 1000)" };
        trace.Subcommands.Add(Query("donation", "where a donation went: lots, payments with evidence, refunds, and what is unspent", Channel, Contract, "TraceDonation",
            p => new { donationId = p.GetValue(donation), maxNodes = p.GetValue(maxNodes) }, ShowTraceDonation, donation, maxNodes));
        var payment = Id("disb-id", "disbursement id");
        trace.Subcommands.Add(Query("payment", "which donations paid a disbursement (anonymous donors stay anonymous)", Channel, Contract, "TraceDisbursement",
            p => new { disbId = p.GetValue(payment) }, ShowTracePayment, payment));
        return trace;
    }

    private static Command BuildStatement()
    {
        var donorRef = Id("donor-ref", "hashed donor reference");
        var (after, limit) = PageOptions();
        return Query("statement", "a donor's donations and how much of each is used", Channel, Contract, "DonorStatement",
            p => new { donorRef = p.GetValue(donorRef), after = p.GetValue(after), limit = p.GetValue(limit) }, ShowStatement, donorRef, after, limit);
    }

    private static Command BuildLedger()
    {
        var campaign = Id("campaign-id", "campaign id");
        var (after, limit) = PageOptions();
        return Query("ledger", "a campaign's movements and the check inflows = outflows + balance", Channel, Contract, "CampaignLedger",
            p => new { campaignId = p.GetValue(campaign), after = p.GetValue(after), limit = p.GetValue(limit) }, ShowLedger, campaign, after, limit);
    }

    private static Command BuildBalance()
    {
        var charity = Id("charity-id", "charity id");
        var year = new Option<int?>("--year") { Description = "flows of this year only (balances are always current)" };
        return Query("balance", "restricted and unrestricted balances; money in and out by category", Channel, Contract, "BalanceSheet",
            p => new { charityId = p.GetValue(charity), year = p.GetValue(year) }, ShowBalance, charity, year);
    }

    private static Command BuildRatios()
    {
        var charity = Id("charity-id", "charity id");
        var year = new Option<int>("--year") { Description = "year", Required = true };
        return Query("ratios", "the year's spending and management-cost ratios against the Charity Law table", Channel, Contract, "AnnualRatios",
            p => new { charityId = p.GetValue(charity), year = p.GetValue(year) }, ShowRatios, charity, year);
    }

    private static Command BuildAlerts()
    {
        var asOf = Time("--as-of", "evaluate at this time (default: the ledger's latest block time)");
        var idleDays = new Option<int?>("--idle-days") { Description = "money unspent longer than this is idle (default 365)" };
        var limit = new Option<int?>("--limit") { Description = "at most this many of each kind (default 100)" };
        var command = new Command("alerts", "campaigns overdue for disclosure and idle money") { asOf, idleDays, limit };
        command.SetHandler(async (p, cancel) =>
        {
            using var client = GlobalOptions.Connect(p);
            var channel = p.GetValue(Channel)!;
            var at = Millis(p, asOf);
            var overdue = YuanJson.Convert(Contract, await client.QueryAsync(channel, Contract, "OverdueDisclosures", Serialize(new { asOf = at, limit = p.GetValue(limit) }), cancel));
            var idle = YuanJson.Convert(Contract, await client.QueryAsync(channel, Contract, "IdleFunds", Serialize(new { asOf = at, days = p.GetValue(idleDays), limit = p.GetValue(limit) }), cancel));
            if (Printer.IsJson(p))
            {
                Console.Out.WriteLine(Printer.Indented(new JsonObject { ["overdueDisclosures"] = overdue, ["idleFunds"] = idle }));
                return 0;
            }
            var overdueItems = overdue!["items"]!.AsArray();
            var idleItems = idle!["items"]!.AsArray();
            Console.Out.WriteLine($"overdue disclosures: {overdueItems.Count}");
            foreach (var item in overdueItems) Console.Out.WriteLine($"  {item!["campaignId"]} ({item["charityId"]}, {item["status"]}): {item["reason"]}");
            Console.Out.WriteLine($"idle funds: {idleItems.Count}");
            foreach (var item in idleItems) Console.Out.WriteLine($"  {item!["remaining"],12}  lot {item["lotId"]} in {item["poolId"]} ({item["owner"]}), {item["ageDays"]} days");
            return 0;
        });
        return command;
    }

    private static Command BuildPayee()
    {
        var payee = Id("payee-ref", "hashed payee reference");
        return Query("payee", "payments to one payee across all charities", Channel, Contract, "PayeeAcrossCharities", p => new { payeeRef = p.GetValue(payee) }, null, payee);
    }

    private static Command BuildRelatedPartyHits()
    {
        var (after, limit) = PageOptions();
        return Query("related-party-hits", "payments to declared related parties of the payer: in force at payment (a broken rule) or declared later (to review)",
            Channel, Contract, "RelatedPartyHits", p => new { after = p.GetValue(after), limit = p.GetValue(limit) }, null, after, limit);
    }

    private static Command BuildChecks()
    {
        var (after, limit) = PageOptions();
        return Query("checks", "disbursements without evidence or approved by their proposer (should list nothing)", Channel, Contract, "UnevidencedOrSelfApproved",
            p => new { after = p.GetValue(after), limit = p.GetValue(limit) }, null, after, limit);
    }

    private static Command BuildShow()
    {
        var show = new Command("show", "show one donation, payment, pool or lot");
        foreach (var (verb, function, name) in new[] { ("donation", "GetDonation", "donationId"), ("payment", "GetDisbursement", "disbId"), ("pool", "GetPool", "poolId"), ("lot", "GetLot", "lotId") })
        {
            var id = Id("id", verb + " id");
            show.Subcommands.Add(Query(verb, "show a " + verb, Channel, Contract, function, p => new Dictionary<string, string?> { [name] = p.GetValue(id) }, null, id));
        }
        return show;
    }

    private static (Option<string?> After, Option<int?> Limit) PageOptions() =>
        (new Option<string?>("--after") { Description = "continue after this cursor (the previous page's 'next')" },
         new Option<int?>("--limit") { Description = "page size (default 100, at most 1000)" });

    // ---- renderers (amounts are already yuan text) ----

    private static void ShowCampaign(JsonNode result)
    {
        var c = result["campaign"]!;
        var t = c["totals"]!;
        Printer.Pairs(("campaign", $"{c["campaignId"]}  {c["title"]}"), ("charity", c["charityId"]), ("status", c["status"]), ("purpose", c["purposeCode"]),
            ("restricted", c["restricted"]), ("window", $"{ShowTime(c["startAt"])} – {ShowTime(c["endAt"])}"), ("target", c["target"]),
            ("received", t["received"]), ("allocated in", t["allocatedIn"]), ("paid", t["paid"]), ("refunded", t["refunded"]),
            ("balance", result["pool"]!["balance"]), ("reserved", result["pool"]!["reserved"]));
    }

    private static void ShowCampaignList(JsonNode result)
    {
        foreach (var c in result["items"]!.AsArray())
            Console.Out.WriteLine($"{c!["campaignId"],-16} {c["status"],-8} {(c["restricted"]!.GetValue<bool>() ? "restricted" : "unrestricted"),-12} {c["title"]}");
        if (result["next"] is { } next) Console.Out.WriteLine($"more: --after {next}");
    }

    private static void ShowTraceDonation(JsonNode result)
    {
        var d = result["donation"]!;
        Console.Out.WriteLine($"donation {d["donationId"]}  {d["amount"]}  to {d["charityId"]}{(d["campaignId"] is { } c ? " / " + c : "")}  donor: {d["donor"]}  receipt: {d["receiptNo"] ?? "-"}");
        if (result["tree"] is { } tree) Node(tree, 1);
        Console.Out.WriteLine($"paid {result["paid"]} · refunded {result["refunded"]} · unspent {result["remaining"]}{(result["truncated"]!.GetValue<bool>() ? " (truncated)" : "")}");

        static void Node(JsonNode node, int depth)
        {
            var pad = new string(' ', depth * 2);
            Console.Out.WriteLine($"{pad}lot {node["lotId"]}  {node["amount"]}  unspent {node["remaining"]}  in {node["poolId"]} ({node["owner"]})");
            foreach (var use in node["uses"]!.AsArray())
            {
                switch (use!["type"]!.GetValue<string>())
                {
                    case "disb":
                        var evidence = string.Join(", ", use["evidence"]?.AsArray().Select(e => $"{e!["kind"]}:{Short(e["hash"])}") ?? []);
                        Console.Out.WriteLine($"{pad}  → payment {use["id"]}  {use["amount"]}  {use["category"]} to {use["payeeType"]} {Short(use["payeeRef"])}  {use["status"]} {ShowTime(use["paidAt"])}  [{evidence}]");
                        foreach (var lot in use["lots"]?.AsArray() ?? []) Node(lot!, depth + 2);
                        break;
                    case "refund":
                        Console.Out.WriteLine($"{pad}  → refund {use["id"]}  {use["amount"]}  ({use["reason"]})");
                        break;
                    default:
                        Console.Out.WriteLine($"{pad}  → moved {use["amount"]} to lot {use["id"]}");
                        foreach (var lot in use["lots"]?.AsArray() ?? []) Node(lot!, depth + 2);
                        break;
                }
            }
        }
    }

    private static void ShowTracePayment(JsonNode result)
    {
        var d = result["disbursement"]!;
        Console.Out.WriteLine($"payment {d["disbId"]}  {d["amount"]}  {d["category"]} to {d["payeeType"]} {Short(d["payeeRef"])}  from {d["poolId"]} ({d["owner"]})  {d["status"]}");
        foreach (var s in result["byDonation"]!.AsArray()) Console.Out.WriteLine($"  {s!["amount"],12}  from donation {s["donationId"]}  donor: {s["donor"]}");
    }

    private static void ShowStatement(JsonNode result)
    {
        foreach (var item in result["items"]!.AsArray())
            Console.Out.WriteLine($"{item!["donationId"],-16} {item["amount"],12}  used {item["used"],12}  unspent {item["remaining"],12}  refunded {item["refunded"],10}  {item["charityId"]}/{item["campaignId"] ?? "-"}");
        if (result["next"] is { } next) Console.Out.WriteLine($"more: --after {next}");
    }

    private static void ShowLedger(JsonNode result)
    {
        Console.Out.WriteLine($"campaign {result["campaignId"]}  {result["title"]}  ({result["status"]})");
        foreach (var e in result["entries"]!.AsArray())
            Console.Out.WriteLine($"  {ShowTime(e!["at"])}  {e["kind"],-12} {e["id"],-20} in {e["in"],12}  out {e["out"],12}  {e["detail"]}");
        Console.Out.WriteLine($"inflows {result["inflows"]} = outflows {result["outflows"]} + balance {result["pool"]!["balance"]}: {(result["balanced"]!.GetValue<bool>() ? "balanced" : "NOT BALANCED")}");
        if (result["next"] is { } next) Console.Out.WriteLine($"more entries: --after {next}");
    }

    private static void ShowBalance(JsonNode result)
    {
        var o = result["outByCategory"]!;
        Printer.Pairs(("charity", result["charityId"]), ("unrestricted", result["unrestricted"]), ("restricted", result["restricted"]), ("sub-grants held", result["subGrants"]),
            ("total", result["total"]), ("reserved", result["reserved"]), ("income", result["income"]), ("refunds", result["refunds"]),
            ("charitable", o["charitable"]), ("management", o["management"]), ("fundraising", o["fundraising"]), ("other", o["other"]));
    }

    private static void ShowRatios(JsonNode result)
    {
        var r = result["ledger"]!;
        Printer.Pairs(("charity", r["charityId"]), ("year", r["year"]), ("basis", r["rule"]!["basis"]), ("prior-year income", r["incomePriorYear"]),
            ("prior-year net assets", r["netAssetsPriorYearEnd"]), ("charitable spending", $"{r["charitableSpend"]} (required {r["requiredSpend"]})"),
            ("management cost", $"{r["managementSpend"]} = {r["mgmtBps"]!.GetValue<int>() / 100m}% of {r["totalSpend"]} (cap {r["rule"]!["maxMgmtBps"]!.GetValue<int>() / 100m}%{(r["mgmtExempt"]!.GetValue<bool>() ? ", exempt below 200000.00" : "")})"));
        var breaches = r["breaches"]!.AsArray();
        Console.Out.WriteLine(breaches.Count == 0 ? "no breach" : string.Join('\n', breaches.Select(b => "BREACH: " + b)));
    }
}
