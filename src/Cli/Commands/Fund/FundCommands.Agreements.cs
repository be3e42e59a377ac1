using Chain.Contracts.Domain;
using System.CommandLine;
using System.Text.Json.Nodes;
using Chain.Contracts.DemolitionFund;
using static Chain.Cli.Commands.DomainCli;

namespace Chain.Cli.Commands.Fund;

internal static partial class FundCommands
{
    private static Command BuildAgreement()
    {
        var agreement = new Command("agreement", "compensation agreements: draft → review → audit → approve → sign (or decision)");
        var id = Id("agreement-id", "agreement id");
        var ver = new Option<int?>("--ver") { Description = "version (default 1; a new version supersedes the live one)" };
        var project = Text("--project", "project id");
        var household = Text("--household", "household id");
        var mode = Text("--mode", "Cash or Swap");
        var items = new Option<string[]>("--item") { Description = "Code=yuan, e.g. HouseValue=1200000.00 (repeat; codes HouseValue, Relocation, TemporaryHousing, BusinessLoss, Subsidy, Reward, Other)", Required = true };
        var payable = Amount("--payable", "paid from the dedicated account");
        var receivable = OptionalAmount("--receivable", "owed by the household (swap)");
        var instalments = new Option<string[]>("--instalment") { Description = "seq:yuan:OnSign|OnHandover|Date[:yyyy-MM-dd] (repeat)" };
        var swapUnit = OptionalText("--swap-unit", "resettlement unit of a swap");
        var moveDeadline = Time("--move-deadline", "moving deadline");
        moveDeadline.Required = true;
        var doc = Text("--doc", "the agreement document: file or SHA-256");
        var reason = OptionalText("--deviation-reason", "why the house value departs from the appraisal beyond the tolerance");
        agreement.Subcommands.Add(Invoke("draft", "draft an agreement or a new version (implementing unit)", Channel, Contract, "DraftAgreement", p => new FundContract.DraftArgs(p.GetValue(id)!, p.GetValue(ver) ?? 1, p.GetValue(project)!, p.GetValue(household)!, Enum<AgreementMode>(p, mode),
            [.. (p.GetValue(items) ?? []).Select(ParseItem)], Fen(p, payable), OptionalFen(p, receivable) ?? 0, [.. (p.GetValue(instalments) ?? []).Select(ParseInstalment)],
            p.GetValue(swapUnit), Millis(p, moveDeadline)!.Value, HashArgument(p.GetValue(doc)!, "--doc"), p.GetValue(reason)), id, ver, project, household, mode, items, payable, receivable, instalments, swapUnit, moveDeadline, doc, reason));

        Command Step(string verb, string function, string description)
        {
            var stepId = Id("agreement-id", "agreement id");
            var stepVer = new Option<int>("--ver") { Description = "version", DefaultValueFactory = _ => 1 };
            return Invoke(verb, description, Channel, Contract, function, p => new FundContract.VersionArgs(p.GetValue(stepId)!, p.GetValue(stepVer)), stepId, stepVer);
        }
        agreement.Subcommands.Add(Step("review", "ReviewAgreement", "review a draft (expropriation department reviewer, not the drafter)"));
        agreement.Subcommands.Add(Step("approve", "ApproveAgreement", "approve an audit-checked agreement (department approver; nobody who acted on it before)"));

        var auditId = Id("agreement-id", "agreement id");
        var auditVer = new Option<int>("--ver") { Description = "version", DefaultValueFactory = _ => 1 };
        var note = Text("--note", "audit note: file or SHA-256");
        agreement.Subcommands.Add(Invoke("audit", "co-sign a reviewed agreement before approval (audit)", Channel, Contract, "AuditCheck",
            p => new FundContract.AuditArgs(p.GetValue(auditId)!, p.GetValue(auditVer), HashArgument(p.GetValue(note)!, "--note")), auditId, auditVer, note));

        var signId = Id("agreement-id", "agreement id");
        var signVer = new Option<int>("--ver") { Description = "version", DefaultValueFactory = _ => 1 };
        var signature = Text("--signature", "the signed agreement: file or SHA-256");
        var witness = OptionalText("--witness", "witness record when the implementing unit records a paper signature: file or SHA-256");
        agreement.Subcommands.Add(Invoke("sign", "sign an approved agreement (the household itself, or its implementing unit with a witness)", Channel, Contract, "SignAgreement", p => new FundContract.SignArgs(p.GetValue(signId)!, p.GetValue(signVer), HashArgument(p.GetValue(signature)!, "--signature"),
            p.GetValue(witness) is { } w ? HashArgument(w, "--witness") : null), signId, signVer, signature, witness));

        var decideId = Id("agreement-id", "agreement id");
        var decideVer = new Option<int>("--ver") { Description = "version", DefaultValueFactory = _ => 1 };
        var decisionNo = Text("--decision-no", "number of the compensation decision");
        agreement.Subcommands.Add(Invoke("decide", "issue a compensation decision on approved terms after the signing period (government)", Channel, Contract, "IssueDecision",
            p => new FundContract.DecisionArgs(p.GetValue(decideId)!, p.GetValue(decideVer), p.GetValue(decisionNo)!), decideId, decideVer, decisionNo));

        var showId = Id("agreement-id", "agreement id");
        var showVer = new Option<int?>("--ver") { Description = "version (default: the live one)" };
        agreement.Subcommands.Add(Query("show", "an agreement version and what was paid under it", Channel, Contract, "GetAgreement", p => new { agrId = p.GetValue(showId), ver = p.GetValue(showVer) }, null, showId, showVer));
        return agreement;
    }

    private static Item ParseItem(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0) throw new UsageException($"--item must be Code=yuan, got '{text}'");
        return new Item(ParseEnum<ItemCode>(text[..eq], "--item"), ParseFen(text[(eq + 1)..], "--item"));
    }

    private static Instalment ParseInstalment(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is < 3 or > 4 || !int.TryParse(parts[0], out var seq))
            throw new UsageException($"--instalment must be seq:yuan:OnSign|OnHandover|Date[:yyyy-MM-dd], got '{text}'");
        return new Instalment(seq, ParseFen(parts[1], "--instalment"), ParseEnum<Condition>(parts[2], "--instalment"), parts.Length == 4 ? ParseTime(parts[3], "--instalment") : null);
    }

    private static Command BuildPay()
    {
        var pay = new Command("pay", "payments from the dedicated account: finance instructs, the bank confirms");
        var id = Id("payment-id", "payment id");
        var agreement = Text("--agreement", "agreement id");
        var ver = new Option<int>("--ver") { Description = "agreement version", DefaultValueFactory = _ => 1 };
        var seq = new Option<int>("--seq") { Description = "instalment number", Required = true };
        var amount = Amount("--amount", "exactly the scheduled instalment");
        var account = Text("--payee-account", "the payee's bank account number: its SHA-256, or a file holding it");
        var payee = Text("--payee-ref", "hashed reference of the payee: the registered right-holder or a recorded agent");
        pay.Subcommands.Add(Invoke("instruct", "instruct an instalment (finance)", Channel, Contract, "InstructPayment", p => new FundContract.InstructArgs(p.GetValue(id)!, p.GetValue(agreement)!, p.GetValue(ver), p.GetValue(seq), Fen(p, amount),
            HashArgument(p.GetValue(account)!, "--payee-account"), p.GetValue(payee)!), id, agreement, ver, seq, amount, account, payee));
        var confirmId = Id("payment-id", "payment id");
        var bankRef = Text("--bank-ref", "the bank's transaction reference");
        pay.Subcommands.Add(Invoke("confirm", "confirm the payment reached the household's account (bank)", Channel, Contract, "ConfirmPayment",
            p => new FundContract.ConfirmArgs(p.GetValue(confirmId)!, p.GetValue(bankRef)!), confirmId, bankRef));
        var failId = Id("payment-id", "payment id");
        var failRef = Text("--bank-ref", "the bank's transaction reference");
        var reason = Text("--reason", "e.g. PayeeMismatch or AccountClosed");
        var holder = OptionalText("--holder-ref", "hashed reference of the account's actual holder (with PayeeMismatch)");
        pay.Subcommands.Add(Invoke("fail", "record that the bank could not pay (bank)", Channel, Contract, "FailPayment",
            p => new FundContract.FailArgs(p.GetValue(failId)!, p.GetValue(failRef)!, p.GetValue(reason)!, p.GetValue(holder)), failId, failRef, reason, holder));
        var showId = Id("payment-id", "payment id");
        pay.Subcommands.Add(Query("show", "one payment", Channel, Contract, "GetPayment", p => new { payId = p.GetValue(showId) }, null, showId));
        return pay;
    }

    private static Command BuildAudit()
    {
        var audit = new Command("audit", "audit and discipline queries");
        var paymentsProject = Id("project-id", "project id");
        audit.Subcommands.Add(Query("payments", "every payment of a project", Channel, Contract, "PaymentsOfProject", p => new { projectId = p.GetValue(paymentsProject), limit = 1000 }, ShowPayments, paymentsProject));
        audit.Subcommands.Add(Query("paid-twice", "units paid under several agreements, agreements or households paid above payable (should be empty)", Channel, Contract, "HouseholdsPaidTwice", _ => new { limit = 1000 }, null));
        audit.Subcommands.Add(Query("without-agreement", "payments without a signed or decided agreement (should be empty)", Channel, Contract, "PaymentsWithoutApprovedAgreement", _ => new { limit = 1000 }, null));
        audit.Subcommands.Add(Query("same-actor", "one person in two roles of an agreement or its payment (should be empty)", Channel, Contract, "SelfApprovedOrSameActor", _ => new { limit = 1000 }, null));
        audit.Subcommands.Add(Query("mismatches", "payments the bank refused because the payee was not the right-holder", Channel, Contract, "PayeeMismatches", _ => new { limit = 1000 }, null));
        var idleDays = new Option<int?>("--days") { Description = "idle after this many days (default: each project's setting)" };
        var asOf = Time("--as-of", "evaluate at this time (default: the ledger's latest block time)");
        audit.Subcommands.Add(Query("idle", "project accounts idle while money is owed, or holding a leftover", Channel, Contract, "IdleFunds", p => new { days = p.GetValue(idleDays), asOf = Millis(p, asOf) }, null, idleDays, asOf));
        var overdueAsOf = Time("--as-of", "evaluate at this time (default: the ledger's latest block time)");
        audit.Subcommands.Add(Query("overdue", "instalments past due", Channel, Contract, "OverduePayments", p => new { asOf = Millis(p, overdueAsOf) }, null, overdueAsOf));
        var tolerance = new Option<int?>("--tolerance-bps") { Description = "report deviations above this (default: each project's tolerance)" };
        audit.Subcommands.Add(Query("deviations", "house values that depart from the appraisal", Channel, Contract, "AppraisalDeviations", p => new { toleranceBps = p.GetValue(tolerance) }, null, tolerance));
        var unpublishedProject = Id("project-id", "project id");
        audit.Subcommands.Add(Query("unpublished", "paid households missing from every published list", Channel, Contract, "UnpublishedPaidHouseholds", p => new { projectId = p.GetValue(unpublishedProject) }, null, unpublishedProject));
        var address = Id("address", "account address (0x…)");
        audit.Subcommands.Add(Query("actor", "everything one account did", Channel, Contract, "ActorActivity", p => new { address = p.GetValue(address), limit = 1000 }, null, address));
        return audit;
    }

    private static void ShowPayments(JsonNode result)
    {
        foreach (var p in result["items"]!.AsArray())
            Console.Out.WriteLine($"{p!["payId"],-14} {p["status"],-10} {p["amount"],14}  {p["hhId"]} {p["agrId"]} v{p["ver"]} #{p["seq"]}  {ShowTime(p["confirmedAt"] ?? p["instructedAt"])}");
    }
}
