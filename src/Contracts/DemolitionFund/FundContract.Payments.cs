using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.DemolitionFund;

public sealed partial class FundContract
{
    public sealed record InstructArgs(string PayId, string AgrId, int Ver, int Seq, long Amount, string PayeeAcctHash, string PayeeIdHash);
    public sealed record ConfirmArgs(string PayId, string BankTxRef);
    public sealed record FailArgs(string PayId, string BankTxRef, string Reason, string? AccountHolderHash);

    private void RegisterPayments()
    {
        Invoke("InstructPayment", FinanceAccess, args => new InstructArgs(args.RequiredId("payId"), args.RequiredId("agrId"), (int)args.RequiredLong("ver", 1, 999),
            (int)args.RequiredLong("seq", 1, 99), args.RequiredAmount("amount"), args.RequiredHash("payeeAcctHash"), args.RequiredHash("payeeIdHash")), InstructPayment);
        Invoke("ConfirmPayment", BankAccess, args => new ConfirmArgs(args.RequiredId("payId"), args.RequiredId("bankTxRef")), ConfirmPayment);
        Invoke("FailPayment", BankAccess, args => new FailArgs(args.RequiredId("payId"), args.RequiredId("bankTxRef"), args.RequiredId("reason"), args.OptionalHash("accountHolderHash")), FailPayment);
    }

    private static bool IsPaid(ContractContext context, AgreementHead head, int seq) => head.PaidSeqs.Contains(seq);

    /// <summary>
    /// R1 signed or decided agreement, R2 exactly the scheduled instalment and never above payable, R3 no overdraft,
    /// R5 instructor took no other role, R6 payee is the right-holder (or a recorded agent), R7 cooling period and
    /// handover condition, R10 no holds.
    /// </summary>
    private static byte[]? InstructPayment(ContractContext context, InstructArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "InstructPayment", args.PayId, args, out var hash)) return null;
        if (context.Exists(FundKeys.Payment(args.PayId))) throw new ContractException(ContractErrors.Conflict, $"payment '{args.PayId}' already exists");
        var (head, agreement, project) = RequireCurrent(context, args.AgrId, args.Ver);
        RequireProjectRole(context, project, "finance bureau", project.FinanceOrg);
        var household = RequireHousehold(context, agreement.ProjectId, agreement.HhId);
        RequireNotHeld(context, project.ProjectId, household.HhId, agreement.AgrId);

        RequireDecided(project, "pay households");
        if (agreement.Status is not (AgreementStatus.Signed or AgreementStatus.Decided))
            throw new ContractException(FundErrors.NoAgreement, $"agreement '{agreement.AgrId}' v{agreement.Ver} is {agreement.Status}; payments need a signed agreement or a compensation decision");
        var me = Me(context);
        if (me == agreement.Drafter || me == agreement.Reviewer || me == agreement.Auditor || me == agreement.Approver)
            throw new ContractException(FundErrors.SeparationOfDuties, $"{me} drafted, reviewed, audited or approved agreement '{agreement.AgrId}' v{agreement.Ver} and cannot instruct its payment");
        var instalment = agreement.Schedule.FirstOrDefault(i => i.Seq == args.Seq)
            ?? throw new ContractException(FundErrors.Instalment, $"agreement '{agreement.AgrId}' v{agreement.Ver} has no instalment #{args.Seq} (has {string.Join(", ", agreement.Schedule.Select(i => "#" + i.Seq))})");
        if (head.PaidSeqs.Contains(args.Seq) || head.PendingSeqs.Contains(args.Seq))
            throw new ContractException(FundErrors.Instalment, $"instalment #{args.Seq} of agreement '{agreement.AgrId}' v{agreement.Ver} is already {(head.PaidSeqs.Contains(args.Seq) ? "paid" : "instructed")}");
        if (args.Amount != instalment.Amount)
            throw new ContractException(FundErrors.Instalment, $"instalment #{args.Seq} of agreement '{agreement.AgrId}' is {Money.Format(instalment.Amount)}, not {Money.Format(args.Amount)}");
        if (head.Paid + head.Pending + args.Amount > agreement.Payable)
            throw new ContractException(FundErrors.Instalment, $"agreement '{agreement.AgrId}' would pay {Money.Format(head.Paid + head.Pending + args.Amount)}, above its payable {Money.Format(agreement.Payable)}");
        if (args.PayeeIdHash != household.RightHolderHash && !household.AgentHashes.Contains(args.PayeeIdHash))
            throw new ContractException(FundErrors.PayeeMismatch, $"the payee is not the registered right-holder of unit {household.UnitNo} or a recorded agent; payments go only to the right-holder's own account");
        if (household.PayeeAccount is null)
            throw new ContractException(FundErrors.PayeeMismatch, $"household '{household.HhId}' has no approved payee account; the department approves the account registered at the survey first (ApprovePayeeAccount)");
        if (args.PayeeAcctHash != household.PayeeAccount)
            throw new ContractException(FundErrors.PayeeMismatch, $"the payee account is not the one approved for household '{household.HhId}'; a change of account needs the department's approval");
        long coolingEnds = agreement.SignedAt!.Value + project.Parameters.CoolingDays * DayMs;
        if (context.TimestampMs < coolingEnds) throw new ContractException(FundErrors.TimeLock, $"agreement '{agreement.AgrId}' is in its cooling period until {Iso(coolingEnds)}");
        switch (instalment.Condition)
        {
            case Condition.OnHandover when household.HandedOverAt is null:
                throw new ContractException(FundErrors.TimeLock, $"instalment #{args.Seq} is due on handover; household '{household.HhId}' has not handed over yet");
            case Condition.Date when context.TimestampMs < instalment.DueAt:
                throw new ContractException(FundErrors.TimeLock, $"instalment #{args.Seq} is due on {Iso(instalment.DueAt!.Value)}");
        }
        if (args.Amount > project.Balance - project.Pending)
            throw new ContractException(FundErrors.Overdraft, $"the dedicated account of project '{project.ProjectId}' holds {Money.Format(project.Balance)} with {Money.Format(project.Pending)} already instructed; {Money.Format(args.Amount)} would overdraw it");

        project.PendingPayments += args.Amount;
        PutProject(context, project);
        head.Pending += args.Amount;
        head.PendingSeqs.Add(args.Seq);
        context.Put(FundKeys.AgreementHead(head.AgrId), head);
        context.Put(FundKeys.Payment(args.PayId), new Payment
        {
            PayId = args.PayId, ProjectId = project.ProjectId, HhId = household.HhId, AgrId = agreement.AgrId, Ver = agreement.Ver, Seq = args.Seq, Amount = args.Amount,
            PayeeAcctHash = args.PayeeAcctHash, PayeeIdHash = args.PayeeIdHash, InstructedBy = me, InstructedAt = context.TimestampMs,
            Status = PaymentStatus.Instructed,
        });
        context.PutState(FundKeys.ProjectPayment(project.ProjectId, args.PayId), [1]);
        household.PaymentCount++;
        context.PutState(FundKeys.HouseholdPayment(project.ProjectId, household.HhId, household.PaymentCount), System.Text.Encoding.UTF8.GetBytes(args.PayId));
        PutHousehold(context, household);
        RequestLog.Record(context, "InstructPayment", args.PayId, hash);
        Record(context, "InstructPayment", args.PayId);
        context.Emit(new PaymentInstructed(args.PayId, project.ProjectId, household.HhId, args.AgrId, args.Ver, args.Seq, args.Amount));
        return null;
    }

    /// <summary>The bank pays from the dedicated account and confirms; a held payment, household or project is not confirmed (R10).</summary>
    private static byte[]? ConfirmPayment(ContractContext context, ConfirmArgs args)
    {
        var payment = context.Require<Payment>(FundKeys.Payment(args.PayId), $"payment '{args.PayId}'");
        var project = RequireProject(context, payment.ProjectId);
        RequireProjectRole(context, project, "account bank", project.BankId);
        if (payment.Status == PaymentStatus.Confirmed && payment.BankTxRef == args.BankTxRef) return null;
        if (payment.Status != PaymentStatus.Instructed) throw BadState($"payment '{payment.PayId}'", payment.Status, "be confirmed (needs Instructed)");
        RequireNotHeld(context, project.ProjectId, payment.HhId, payment.AgrId, payment.PayId);
        var bankRef = BankReferences.RequireUnused(context, project.BankId, args.BankTxRef);
        var household = RequireHousehold(context, payment.ProjectId, payment.HhId);
        // R4: a property unit is paid under one agreement only.
        foreach (var entry in context.GetStateByPrefix(FundKeys.PaidUnit(household.UnitNo, "")))
            if (!entry.Key.EndsWith("/" + payment.AgrId, StringComparison.Ordinal))
                throw new ContractException(FundErrors.DuplicateUnit, $"property unit {household.UnitNo} was already paid under agreement '{entry.Key[(entry.Key.LastIndexOf('/') + 1)..]}'");
        if (payment.Amount > project.Balance)
            throw new ContractException(FundErrors.Overdraft, $"the dedicated account of project '{project.ProjectId}' holds {Money.Format(project.Balance)}; {Money.Format(payment.Amount)} would overdraw it");

        var head = context.Require<AgreementHead>(FundKeys.AgreementHead(payment.AgrId), $"agreement '{payment.AgrId}'");
        head.Pending -= payment.Amount;
        head.Paid += payment.Amount;
        head.PendingSeqs.Remove(payment.Seq);
        if (head.CurrentVer == payment.Ver) head.PaidSeqs.Add(payment.Seq);
        context.Put(FundKeys.AgreementHead(head.AgrId), head);
        project.PendingPayments -= payment.Amount;
        project.Paid += payment.Amount;
        project.LastOutflowAt = project.LastPaymentAt = context.TimestampMs;
        project.LastPaymentBlock = context.BlockNumber;
        if (project.Status is ProjectStatus.Signing or ProjectStatus.Decided) project.Status = ProjectStatus.Executing;
        PutProject(context, project);
        payment.Status = PaymentStatus.Confirmed;
        payment.BankTxRef = args.BankTxRef;
        payment.ConfirmedAt = context.TimestampMs;
        context.Put(FundKeys.Payment(payment.PayId), payment);
        context.PutLong(FundKeys.PaidUnit(household.UnitNo, payment.AgrId), checked(context.GetLong(FundKeys.PaidUnit(household.UnitNo, payment.AgrId)) + payment.Amount));
        BankReferences.Record(context, bankRef, "payment/" + payment.PayId);

        var agreement = RequireAgreement(context, head.AgrId, head.CurrentVer);
        household.Paid += payment.Amount;
        household.LastPaidAt = context.TimestampMs;
        household.LastPaidBlock = context.BlockNumber;
        household.Status = StatusAfterPayments(household, agreement, head, household.Status);
        PutHousehold(context, household);
        Record(context, "ConfirmPayment", payment.PayId);
        context.Emit(new PaymentConfirmed(payment.PayId, payment.ProjectId, payment.HhId, payment.AgrId, payment.Seq, payment.Amount, project.Balance));
        return null;
    }

    /// <summary>The bank could not pay (e.g. the account holder is not the right-holder): the instalment is free again.</summary>
    private static byte[]? FailPayment(ContractContext context, FailArgs args)
    {
        var payment = context.Require<Payment>(FundKeys.Payment(args.PayId), $"payment '{args.PayId}'");
        var project = RequireProject(context, payment.ProjectId);
        RequireProjectRole(context, project, "account bank", project.BankId);
        if (payment.Status == PaymentStatus.Failed && payment.BankTxRef == args.BankTxRef) return null;
        if (payment.Status != PaymentStatus.Instructed) throw BadState($"payment '{payment.PayId}'", payment.Status, "fail (needs Instructed)");
        var bankRef = BankReferences.RequireUnused(context, project.BankId, args.BankTxRef);
        var head = context.Require<AgreementHead>(FundKeys.AgreementHead(payment.AgrId), $"agreement '{payment.AgrId}'");
        head.Pending -= payment.Amount;
        head.PendingSeqs.Remove(payment.Seq);
        context.Put(FundKeys.AgreementHead(head.AgrId), head);
        project.PendingPayments -= payment.Amount;
        PutProject(context, project);
        payment.Status = PaymentStatus.Failed;
        payment.BankTxRef = args.BankTxRef;
        payment.FailReason = args.Reason;
        context.Put(FundKeys.Payment(payment.PayId), payment);
        BankReferences.Record(context, bankRef, "payment/" + payment.PayId);
        Record(context, "FailPayment", payment.PayId);
        context.Emit(new PaymentFailed(payment.PayId, payment.ProjectId, payment.HhId, args.Reason));
        if (args.Reason == "PayeeMismatch")
            context.Emit(new PayeeMismatchAlert(payment.PayId, payment.ProjectId, payment.HhId, args.AccountHolderHash));
        return null;
    }
}
