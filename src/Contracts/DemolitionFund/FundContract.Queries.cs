using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.DemolitionFund;

public sealed partial class FundContract
{
    public sealed record ProjectArgs(string ProjectId);
    public sealed record HouseholdQueryArgs(string ProjectId, string HhId);
    public sealed record AgreementQueryArgs(string AgrId, int? Ver);
    public sealed record IdQueryArgs(string Id);
    public sealed record PagedArgs(string? After, int Limit);
    public sealed record ProjectPagedArgs(string ProjectId, string? After, int Limit);
    public sealed record AsOfArgs(long? AsOf, int Limit);
    public sealed record IdleArgs(long? AsOf, int? Days);
    public sealed record ToleranceArgs(int? ToleranceBps, int Limit);
    public sealed record ListQueryArgs(string ProjectId, int Round);
    public sealed record ActorArgs(string Address, string? After, int Limit);

    public sealed record OverdueItem(string ProjectId, string HhId, string AgrId, int Ver, int Seq, long Amount, long DueAt, long DaysOverdue);
    public sealed record IdleItem(string ProjectId, long Balance, long? LastOutflowAt, string Reason);

    private void RegisterQueries()
    {
        Query("GetProject", a => new ProjectArgs(a.RequiredId("projectId")), (c, a) => ContractJson.Serialize(new { project = RequireProject(c, a.ProjectId), budget = Budget(RequireProject(c, a.ProjectId)) }));
        Query("GetHousehold", a => new HouseholdQueryArgs(a.RequiredId("projectId"), a.RequiredId("hhId")), (c, a) => ContractJson.Serialize(RequireHousehold(c, a.ProjectId, a.HhId)));
        Query("GetAgreement", a => new AgreementQueryArgs(a.RequiredId("agrId"), a.Has("ver") ? (int)a.RequiredLong("ver", 1, 999) : null), GetAgreement);
        Query("GetPayment", a => new IdQueryArgs(a.RequiredId("payId")), (c, a) => ContractJson.Serialize(c.Require<Payment>(FundKeys.Payment(a.Id), $"payment '{a.Id}'")));
        Query("BudgetStatus", a => new ProjectArgs(a.RequiredId("projectId")), (c, a) => ContractJson.Serialize(Budget(RequireProject(c, a.ProjectId))));
        Query("PaymentsOfProject", a => new ProjectPagedArgs(a.RequiredId("projectId"), Paging.Args(a).After, Paging.Args(a).Limit), PaymentsOfProject);
        Query("HouseholdFile", a => new HouseholdQueryArgs(a.RequiredId("projectId"), a.RequiredId("hhId")), HouseholdFile);
        Query("HouseholdsPaidTwice", a => new PagedArgs(Paging.Args(a).After, Paging.Args(a).Limit), HouseholdsPaidTwice);
        Query("PaymentsWithoutApprovedAgreement", a => new PagedArgs(Paging.Args(a).After, Paging.Args(a).Limit), PaymentsWithoutApprovedAgreement);
        Query("SelfApprovedOrSameActor", a => new PagedArgs(Paging.Args(a).After, Paging.Args(a).Limit), SelfApprovedOrSameActor);
        Query("IdleFunds", a => new IdleArgs(a.OptionalTime("asOf"), a.Has("days") ? a.OptionalInt("days", 30, 1, 3650) : null),
            (c, a) => ContractJson.Serialize(new { items = FindIdle(c, a.AsOf ?? c.TimestampMs, a.Days) }));
        Query("OverduePayments", a => new AsOfArgs(a.OptionalTime("asOf"), a.OptionalInt("limit", 100, 1, 1000)),
            (c, a) => ContractJson.Serialize(new { items = FindOverdue(c, a.AsOf ?? c.TimestampMs, a.Limit) }));
        Query("AppraisalDeviations", a => new ToleranceArgs(a.Has("toleranceBps") ? a.OptionalInt("toleranceBps", 500, 0, 10_000) : null, a.OptionalInt("limit", 100, 1, 1000)), AppraisalDeviations);
        Query("UnpublishedPaidHouseholds", a => new ProjectArgs(a.RequiredId("projectId")), UnpublishedPaidHouseholds);
        Query("PayeeMismatches", a => new PagedArgs(Paging.Args(a).After, Paging.Args(a).Limit), PayeeMismatches);
        Query("PublishedList", a => new ListQueryArgs(a.RequiredId("projectId"), (int)a.RequiredLong("round", 1, 999)),
            (c, a) => ContractJson.Serialize(c.Require<PublicList>(FundKeys.List(a.ProjectId, a.Round), $"round {a.Round} of project '{a.ProjectId}'")));
        Query("CheckInvariants", a => new CheckArgs(a.OptionalId("projectId")), CheckInvariants);
        Query("ActorActivity", a => new ActorArgs(a.RequiredString("address", 42).ToLowerInvariant(), Paging.Args(a).After, Paging.Args(a).Limit), ActorActivity);
    }

    /// <summary>
    /// Budget / deposited / committed / paid / idle; deposited = paid + returned + balance always holds. Idle is what
    /// no one is owed: the balance minus what approved agreements still owe (their instructed payments included)
    /// minus returns already instructed.
    /// </summary>
    public static object Budget(Project p) => new
    {
        p.ProjectId, p.Status, budget = p.Budget, deposited = p.Deposited, committed = p.Committed, paid = p.Paid, pending = p.Pending,
        pendingPayments = p.PendingPayments, pendingReturns = p.PendingReturns, returned = p.Returned,
        balance = p.Balance, owed = p.Owed, idle = p.Balance - p.PendingReturns - Math.Max(0, p.Owed),
        committedBps = Bps(p.Committed, p.Budget), paidBps = Bps(p.Paid, p.Budget), fundedBps = Bps(p.Deposited, p.Budget),
        balanced = p.Deposited == p.Paid + p.Returned + p.Balance && p.Balance >= 0,
    };

    private static long Bps(long part, long whole) => whole <= 0 ? 0 : (long)((Int128)part * 10_000 / whole);

    private static byte[]? GetAgreement(ContractContext context, AgreementQueryArgs args)
    {
        var head = context.Require<AgreementHead>(FundKeys.AgreementHead(args.AgrId), $"agreement '{args.AgrId}'");
        return ContractJson.Serialize(new { head, agreement = RequireAgreement(context, args.AgrId, args.Ver ?? head.CurrentVer) });
    }

    private static byte[]? PaymentsOfProject(ContractContext context, ProjectPagedArgs args)
    {
        RequireProject(context, args.ProjectId);
        var (entries, next) = Paging.Scan(context, FundKeys.ProjectPaymentPrefix(args.ProjectId), args.After, args.Limit);
        var items = entries.Select(e => context.Require<Payment>(FundKeys.Payment(e.Key[(e.Key.LastIndexOf('/') + 1)..]), "payment")).ToList();
        return ContractJson.Serialize(new Page<Payment>(items, next));
    }

    private static byte[]? HouseholdFile(ContractContext context, HouseholdQueryArgs args)
    {
        var household = RequireHousehold(context, args.ProjectId, args.HhId);
        // Point reads only (versions 1..live, payments 1..count), so the file can be answered with proof (ADR 0007).
        var versions = new List<Agreement>();
        if (household.AgreementId is { } agrId)
        {
            var head = context.Require<AgreementHead>(FundKeys.AgreementHead(agrId), $"agreement '{agrId}'");
            for (int ver = 1; ver <= head.CurrentVer; ver++) versions.Add(RequireAgreement(context, agrId, ver));
        }
        var payments = new List<Payment>();
        for (long n = 1; n <= household.PaymentCount; n++)
            if (context.GetState(FundKeys.HouseholdPayment(args.ProjectId, args.HhId, n)) is { } payId) // a gap only a tampered store leaves; CheckInvariants reports it (F4)
                payments.Add(context.Require<Payment>(FundKeys.Payment(System.Text.Encoding.UTF8.GetString(payId)), "payment"));
        var listed = context.GetState(FundKeys.Listed(args.ProjectId, args.HhId)) is null ? (long?)null : context.GetLong(FundKeys.Listed(args.ProjectId, args.HhId));
        var holds = new[] { HouseholdTarget(args.ProjectId, args.HhId), household.AgreementId is null ? "" : $"agreement:{household.AgreementId}" }
            .Where(t => t.Length > 0).Select(t => context.Get<Hold>(Holds.Key(t))).Where(h => h is not null).ToList();
        return ContractJson.Serialize(new
        {
            household, appraisal = context.Get<Appraisal>(FundKeys.Appraisal(args.ProjectId, args.HhId)),
            agreements = versions, payments, publishedInRound = listed, holds,
        });
    }

    /// <summary>
    /// Households paid twice or above their agreement, agreement by agreement (paged): the property unit paid under
    /// another agreement too (R4), the agreement paid above its live payable (R2), or the household's recorded
    /// payments above its agreement's payable. Empty unless a rule is broken.
    /// </summary>
    private static byte[]? HouseholdsPaidTwice(ContractContext context, PagedArgs args)
    {
        var (entries, next) = Paging.Scan(context, FundKeys.AgreementHeadPrefix, args.After, args.Limit);
        var items = new List<object>();
        foreach (var entry in entries)
        {
            var head = ContractJson.Deserialize<AgreementHead>(entry.Value);
            var current = RequireAgreement(context, head.AgrId, head.CurrentVer);
            var household = RequireHousehold(context, head.ProjectId, head.HhId);
            var issues = new List<string>();
            var others = context.GetStateByPrefix(FundKeys.PaidUnit(household.UnitNo, ""))
                .Select(e => e.Key[(e.Key.LastIndexOf('/') + 1)..]).Where(agrId => agrId != head.AgrId).ToList();
            if (others.Count > 0) issues.Add($"unit {household.UnitNo} was also paid under {string.Join(", ", others)}");
            if (head.Paid > current.Payable) issues.Add($"agreement paid {Money.Format(head.Paid)}, above its payable {Money.Format(current.Payable)}");
            if (household.Paid > current.Payable) issues.Add($"household paid {Money.Format(household.Paid)}, above its agreement's payable {Money.Format(current.Payable)}");
            if (issues.Count > 0) items.Add(new { head.ProjectId, head.HhId, household.UnitNo, head.AgrId, paid = head.Paid, payable = current.Payable, householdPaid = household.Paid, issues });
        }
        return ContractJson.Serialize(new { items, scanned = entries.Count, next, empty = items.Count == 0 });
    }

    /// <summary>
    /// Payments (instructed or confirmed) whose agreement version, read now, was not approved and then signed or
    /// decided before the payment was instructed, or whose amount is not that version's instalment. Must be empty.
    /// </summary>
    private static byte[]? PaymentsWithoutApprovedAgreement(ContractContext context, PagedArgs args)
    {
        var (entries, next) = Paging.Scan(context, FundKeys.PaymentPrefix, args.After, args.Limit);
        var items = new List<object>();
        foreach (var entry in entries)
        {
            var payment = ContractJson.Deserialize<Payment>(entry.Value);
            if (payment.Status == PaymentStatus.Failed) continue;
            var version = context.Get<Agreement>(FundKeys.Agreement(payment.AgrId, payment.Ver));
            var issues = new List<string>();
            if (version is null) issues.Add("the agreement version does not exist");
            else
            {
                if (version.Approver is null || version.ApprovedAt is not { } approvedAt || approvedAt > payment.InstructedAt) issues.Add("not approved before the payment was instructed");
                if (version.SignedAt is not { } signedAt || signedAt > payment.InstructedAt) issues.Add("neither signed nor decided before the payment was instructed");
                if (version.ProjectId != payment.ProjectId || version.HhId != payment.HhId) issues.Add("the agreement is of another household");
                if (version.Schedule.FirstOrDefault(i => i.Seq == payment.Seq) is not { } instalment || instalment.Amount != payment.Amount) issues.Add($"instalment #{payment.Seq} of the version is not {Money.Format(payment.Amount)}");
            }
            if (issues.Count > 0) items.Add(new { payment.PayId, payment.AgrId, payment.Ver, status = version?.Status, approver = version?.Approver, issues });
        }
        return ContractJson.Serialize(new { items, scanned = entries.Count, next });
    }

    private static byte[]? SelfApprovedOrSameActor(ContractContext context, PagedArgs args)
    {
        var (entries, next) = Paging.Scan(context, FundKeys.PaymentPrefix, args.After, args.Limit);
        var items = new List<object>();
        foreach (var entry in entries)
        {
            var payment = ContractJson.Deserialize<Payment>(entry.Value);
            var a = RequireAgreement(context, payment.AgrId, payment.Ver);
            var actors = new[] { a.Drafter, a.Reviewer, a.Auditor, a.Approver }.Where(x => x is not null).ToList();
            var issues = new List<string>();
            if (actors.Distinct().Count() != actors.Count) issues.Add("one person holds two roles of the agreement");
            if (actors.Contains(payment.InstructedBy)) issues.Add("the payment was instructed by someone who drafted, reviewed, audited or approved the agreement");
            if (issues.Count > 0) items.Add(new { payment.PayId, a.AgrId, a.Ver, issues });
        }
        return ContractJson.Serialize(new { items, scanned = entries.Count, next });
    }

    /// <summary>Projects with no outflow for N days while signed agreements still wait for money, or with money left after every payment.</summary>
    private static List<IdleItem> FindIdle(ContractContext context, long now, int? days)
    {
        var items = new List<IdleItem>();
        foreach (var entry in context.GetStateByPrefix(FundKeys.ProjectPrefix))
        {
            var p = ContractJson.Deserialize<Project>(entry.Value);
            if (p.Status is ProjectStatus.Settled or ProjectStatus.Draft || p.Balance <= 0) continue;
            long idleDays = days ?? p.Parameters.IdleDays;
            long since = p.LastOutflowAt ?? p.DecidedAt ?? p.CreatedAt;
            bool owed = p.Committed > p.Paid;
            if (owed && now - since > idleDays * DayMs)
                items.Add(new IdleItem(p.ProjectId, p.Balance, p.LastOutflowAt, $"no payment for {(now - since) / DayMs} days while {Money.Format(p.Committed - p.Paid)} is owed under approved agreements"));
            else if (!owed && p.Paid > 0 && p.PendingReturns == 0 && now - since > idleDays * DayMs)
                items.Add(new IdleItem(p.ProjectId, p.Balance, p.LastOutflowAt, $"{Money.Format(p.Balance)} left {(now - since) / DayMs} days after the last payment; return it to finance"));
        }
        return items;
    }

    /// <summary>Unpaid instalments past due: dated ones after their date, on-signing ones after the project's payment-due days.</summary>
    private static List<OverdueItem> FindOverdue(ContractContext context, long now, int limit)
    {
        var items = new List<OverdueItem>();
        foreach (var entry in context.GetStateByPrefix(FundKeys.AgreementHeadPrefix))
        {
            var head = ContractJson.Deserialize<AgreementHead>(entry.Value);
            var a = RequireAgreement(context, head.AgrId, head.CurrentVer);
            if (a.Status is not (AgreementStatus.Signed or AgreementStatus.Decided)) continue;
            var project = RequireProject(context, a.ProjectId);
            foreach (var i in a.Schedule)
            {
                if (head.PaidSeqs.Contains(i.Seq)) continue;
                long? due = i.Condition switch
                {
                    Condition.Date => i.DueAt,
                    Condition.OnSign => a.SignedAt + project.Parameters.PaymentDueDays * DayMs,
                    _ => null,
                };
                if (due is { } d && now > d)
                {
                    items.Add(new OverdueItem(a.ProjectId, a.HhId, a.AgrId, a.Ver, i.Seq, i.Amount, d, (now - d) / DayMs));
                    if (items.Count == limit) return items;
                }
            }
        }
        return items;
    }

    private static byte[]? AppraisalDeviations(ContractContext context, ToleranceArgs args)
    {
        var items = new List<object>();
        foreach (var entry in context.GetStateByPrefix(FundKeys.AgreementHeadPrefix))
        {
            var head = ContractJson.Deserialize<AgreementHead>(entry.Value);
            var a = RequireAgreement(context, head.AgrId, head.CurrentVer);
            var appraisal = context.Get<Appraisal>(FundKeys.Appraisal(a.ProjectId, a.HhId));
            if (appraisal is null) continue;
            long value = a.Items.FirstOrDefault(i => i.Code == ItemCode.HouseValue)?.Amount ?? 0;
            long bps = DeviationBps(value, appraisal.ValueAmount);
            int tolerance = args.ToleranceBps ?? RequireProject(context, a.ProjectId).Parameters.AppraisalToleranceBps;
            if (bps > tolerance)
            {
                items.Add(new { a.ProjectId, a.HhId, a.AgrId, a.Ver, houseValue = value, appraised = appraisal.ValueAmount, deviationBps = bps, reason = a.DeviationReason, a.Status, auditor = a.Auditor });
                if (items.Count == args.Limit) break;
            }
        }
        return ContractJson.Serialize(new { items });
    }

    private static byte[]? UnpublishedPaidHouseholds(ContractContext context, ProjectArgs args)
    {
        RequireProject(context, args.ProjectId);
        var items = context.GetStateByPrefix(FundKeys.HouseholdPrefix(args.ProjectId))
            .Select(e => ContractJson.Deserialize<Household>(e.Value))
            .Where(h => !PublishedAfterLastPayment(context, h))
            .Select(h => new { h.HhId, h.UnitNo, h.Paid }).ToList();
        return ContractJson.Serialize(new { items });
    }

    private static byte[]? PayeeMismatches(ContractContext context, PagedArgs args)
    {
        var (entries, next) = Paging.Scan(context, FundKeys.PaymentPrefix, args.After, args.Limit);
        var items = entries.Select(e => ContractJson.Deserialize<Payment>(e.Value)).Where(p => p.Status == PaymentStatus.Failed && p.FailReason == "PayeeMismatch")
            .Select(p => new { p.PayId, p.ProjectId, p.HhId, p.AgrId, p.Amount, p.BankTxRef }).ToList();
        return ContractJson.Serialize(new { items, scanned = entries.Count, next });
    }

    private static byte[]? ActorActivity(ContractContext context, ActorArgs args)
    {
        var (entries, next) = Paging.Scan(context, FundKeys.ActorPrefix(args.Address), args.After, args.Limit);
        return ContractJson.Serialize(new Page<ActorAction>(entries.Select(e => ContractJson.Deserialize<ActorAction>(e.Value)).ToList(), next));
    }
}
