using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.DemolitionFund;

public sealed partial class FundContract
{
    /// <summary>One broken conservation law: which law, on what, and the figures that disagree.</summary>
    public sealed record Violation(string Law, string Subject, string Detail);

    public sealed record CheckArgs(string? ProjectId);

    /// <summary>How many records of a kind the check read (a list, so record kinds are never mistaken for money fields).</summary>
    public sealed record CheckedCount(string What, int Count);

    /// <summary>
    /// Recomputes the conservation laws (docs/FUND.md, "Conservation laws") of one project, or of every project,
    /// from state and lists every violation; an empty list means the ledger is sound.
    /// </summary>
    private static byte[]? CheckInvariants(ContractContext context, CheckArgs args)
    {
        var v = new List<Violation>();
        var projects = args.ProjectId is { } only
            ? [RequireProject(context, only)]
            : context.Objects<Project>(FundKeys.ProjectPrefix).Select(e => e.Value).ToList();
        int households = 0, agreements = 0, payments = 0;
        foreach (var project in projects)
        {
            var p = project.ProjectId;
            var projectPayments = context.GetStateByPrefix(FundKeys.ProjectPaymentPrefix(p))
                .Select(e => context.Require<Payment>(FundKeys.Payment(e.Key[(e.Key.LastIndexOf('/') + 1)..]), "payment")).ToList();
            var confirmed = projectPayments.Where(x => x.Status == PaymentStatus.Confirmed).ToList();
            var instructed = projectPayments.Where(x => x.Status == PaymentStatus.Instructed).ToList();
            var returns = context.Objects<LeftoverReturn>("return/").Select(e => e.Value).Where(r => r.ProjectId == p).ToList();
            var deposits = context.Objects<Deposit>("deposit/").Select(e => e.Value).Where(d => d.ProjectId == p).ToList();
            payments += projectPayments.Count;

            // F1 the account: deposited = Σ deposits, paid = Σ confirmed, returned = Σ confirmed returns, pending = Σ instructed;
            // balance = deposited − paid − returned ≥ instructed payments and returns.
            Expect(v, "F1", $"project {p}", "deposited", project.Deposited, deposits.Sum(d => d.Amount));
            Expect(v, "F1", $"project {p}", "paid", project.Paid, confirmed.Sum(x => x.Amount));
            Expect(v, "F1", $"project {p}", "returned", project.Returned, returns.Where(r => r.Confirmed).Sum(r => r.Amount));
            Expect(v, "F1", $"project {p}", "instructed payments", project.PendingPayments, instructed.Sum(x => x.Amount));
            Expect(v, "F1", $"project {p}", "instructed returns", project.PendingReturns, returns.Where(r => !r.Confirmed && !r.Failed).Sum(r => r.Amount));
            if (project.Balance < project.Pending)
                v.Add(new("F1", $"project {p}", $"balance {Money.Format(project.Balance)} below what is instructed {Money.Format(project.Pending)}"));

            // F2 commitment: committed = Σ per agreement (live version approved ? payable : paid so far) ≤ budget, and
            // what it still owes stays in the account: committed − paid ≤ balance − instructed returns.
            long committed = 0;
            var heads = context.Objects<AgreementHead>(FundKeys.AgreementHeadPrefix).Select(e => e.Value).Where(h => h.ProjectId == p).ToList();
            agreements += heads.Count;
            foreach (var head in heads)
            {
                var current = RequireAgreement(context, head.AgrId, head.CurrentVer);
                bool approved = current.Status is AgreementStatus.Approved or AgreementStatus.Signed or AgreementStatus.Decided;
                committed += approved ? current.Payable : head.Paid;
                var mine = projectPayments.Where(x => x.AgrId == head.AgrId).ToList();
                // F3 agreements: paid and instructed match its payments, and never exceed its live payable.
                Expect(v, "F3", $"agreement {head.AgrId}", "paid", head.Paid, mine.Where(x => x.Status == PaymentStatus.Confirmed).Sum(x => x.Amount));
                Expect(v, "F3", $"agreement {head.AgrId}", "instructed", head.Pending, mine.Where(x => x.Status == PaymentStatus.Instructed).Sum(x => x.Amount));
                if (head.Paid + head.Pending > current.Payable)
                    v.Add(new("F3", $"agreement {head.AgrId}", $"paid {Money.Format(head.Paid)} + instructed {Money.Format(head.Pending)} above its payable {Money.Format(current.Payable)}"));
                var paidSeqs = mine.Where(x => x.Status == PaymentStatus.Confirmed && x.Ver == head.CurrentVer).Select(x => x.Seq).Order().ToList();
                if (!paidSeqs.SequenceEqual(head.PaidSeqs.Order()))
                    v.Add(new("F3", $"agreement {head.AgrId}", $"instalments marked paid [{string.Join(",", head.PaidSeqs.Order())}] ≠ confirmed [{string.Join(",", paidSeqs)}]"));
                if (current.SwapUnitId is { } unit && current.Status != AgreementStatus.Cancelled && SwapClaimant(context, unit) != head.AgrId)
                    v.Add(new("F6", $"agreement {head.AgrId}", $"names resettlement unit {unit}, promised to {SwapClaimant(context, unit) ?? "no one"}"));
            }
            Expect(v, "F2", $"project {p}", "committed", project.Committed, committed);
            if (project.Committed > project.Budget) v.Add(new("F2", $"project {p}", $"committed {Money.Format(project.Committed)} above the budget {Money.Format(project.Budget)}"));
            if (project.Owed > project.Balance - project.PendingReturns)
                v.Add(new("F2", $"project {p}", $"owed {Money.Format(project.Owed)} above what the account keeps {Money.Format(project.Balance - project.PendingReturns)}"));

            // F4 households: paid = Σ its confirmed payments ≤ its agreement's payable; paid to its approved account; F5 one agreement per unit.
            foreach (var (_, household) in context.Objects<Household>(FundKeys.HouseholdPrefix(p)))
            {
                households++;
                var own = confirmed.Where(x => x.HhId == household.HhId).ToList();
                Expect(v, "F4", $"household {p}/{household.HhId}", "paid", household.Paid, own.Sum(x => x.Amount));
                if (household.AgreementId is { } agrId && heads.FirstOrDefault(h => h.AgrId == agrId) is { } head
                    && household.Paid > RequireAgreement(context, agrId, head.CurrentVer).Payable)
                    v.Add(new("F4", $"household {p}/{household.HhId}", $"paid {Money.Format(household.Paid)} above its agreement's payable"));
                var numbered = Enumerable.Range(1, household.PaymentCount)
                    .Select(n => context.GetState(FundKeys.HouseholdPayment(p, household.HhId, n)) is { } id ? System.Text.Encoding.UTF8.GetString(id) : "").Order(StringComparer.Ordinal);
                var instructedHere = projectPayments.Where(x => x.HhId == household.HhId).Select(x => x.PayId).Order(StringComparer.Ordinal);
                if (!numbered.SequenceEqual(instructedHere, StringComparer.Ordinal) || context.GetState(FundKeys.HouseholdPayment(p, household.HhId, household.PaymentCount + 1)) is not null)
                    v.Add(new("F4", $"household {p}/{household.HhId}", $"its {household.PaymentCount} numbered payments are not the payments instructed for it, each once"));
                foreach (var payment in own.Where(x => !household.PayeeAccountHistory.Any(a => a.AcctHash == x.PayeeAcctHash)))
                    v.Add(new("F7", $"payment {payment.PayId}", $"paid to an account never approved for household {household.HhId}"));
                var paidUnder = context.GetStateByPrefix(FundKeys.PaidUnit(household.UnitNo, "")).Select(e => e.Key[(e.Key.LastIndexOf('/') + 1)..]).ToList();
                if (paidUnder.Count > 1) v.Add(new("F5", $"unit {household.UnitNo}", $"paid under {string.Join(", ", paidUnder)}"));
            }
        }
        foreach (var (_, unit) in context.Objects<ResettlementUnit>("resunit/"))
            if (unit.AssignedTo is { } agrId && (context.Get<AgreementHead>(FundKeys.AgreementHead(agrId)) is not { } head
                || RequireAgreement(context, agrId, head.CurrentVer) is not { Mode: AgreementMode.Swap } swap || swap.SwapUnitId != unit.ResUnitId))
                v.Add(new("F6", $"resettlement unit {unit.ResUnitId}", $"assigned to {agrId}, which is not a swap agreement naming it"));
        return ContractJson.Serialize(new
        {
            sound = v.Count == 0, violations = v,
            @checked = new[] { new CheckedCount("projects", projects.Count), new CheckedCount("households", households), new CheckedCount("agreements", agreements), new CheckedCount("payments", payments) },
        });
    }

    private static void Expect(List<Violation> violations, string law, string subject, string what, long recorded, long recomputed)
    {
        if (recorded != recomputed) violations.Add(new(law, subject, $"{what} {Money.Format(recorded)} ≠ {Money.Format(recomputed)} recomputed from the records"));
    }
}
