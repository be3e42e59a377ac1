using System.Text.Json;
using Chain.Contracts.Abstractions;
using Xunit;

namespace Chain.Tests.TestKit;

/// <summary>
/// The driver shared by the model-based contract tests: one seeded random sequence of calls against a
/// <see cref="MemoryContractHost"/>, each checked against what an independent reference model predicts.
/// </summary>
/// <remarks>
/// A call the model says must be refused and that the contract applies fails the test on the spot, naming the
/// call. A refused call must leave state unchanged. A call the model cannot judge is allowed either way; when
/// the contract applies it, the model applies the same effect, and the run compares both after every step.
/// </remarks>
public abstract class ModelRun(int seed, Dictionary<string, int> calls)
{
    protected readonly Random Random = new(seed);
    protected abstract MemoryContractHost Host { get; }
    protected int Seed { get; } = seed;
    protected int StepNumber { get; private set; }

    /// <summary>(function, role of the caller) pairs attempted, for the "every function by every role" coverage check.</summary>
    public HashSet<(string Function, string Role)> Tried { get; } = [];
    /// <summary>How often each code refused, and how often a predicted refusal came with another code.</summary>
    public Dictionary<string, int> Refusals { get; } = [];
    public Dictionary<string, int> RefusalsByFunction { get; } = [];
    public Dictionary<string, int> AppliedByFunction { get; } = [];
    public int Applied { get; private set; }
    public int PredictedRefusals { get; private set; }

    /// <summary>Why the model says the call must be refused (null: the model cannot tell).</summary>
    protected sealed class Prediction
    {
        private readonly List<string> _reasons = [];
        public void Refuse(bool when, string reason) { if (when) _reasons.Add(reason); }
        public bool Refused => _reasons.Count > 0;
        public override string ToString() => string.Join("; ", _reasons);
    }

    /// <summary>The actors of the network: a name, the kind of role it stands for, and the caller.</summary>
    protected abstract IReadOnlyList<Actor> Actors { get; }

    public sealed record Actor(string Name, string Role, Caller Caller);

    /// <summary>Roles that may call each function, as the contract's documentation states them (independent of its code).</summary>
    protected abstract IReadOnlyDictionary<string, string[]> AccessRoles { get; }

    public void Step()
    {
        StepNumber++;
        Next();
        AfterStep();
    }

    /// <summary>Picks and attempts one call.</summary>
    protected abstract void Next();

    /// <summary>Compares contract state, the invariant query and the model after a step.</summary>
    protected abstract void AfterStep();

    protected string Where => $"seed {Seed} step {StepNumber}";

    /// <summary>
    /// The caller of the next call to <paramref name="function"/>: usually <paramref name="intended"/>, but every fourth
    /// call of each function (counted over all sequences of a test, in <c>calls</c>) goes to an actor of the next role
    /// in turn, so every function meets every role. Predictions are made for the actor returned.
    /// </summary>
    protected Actor Who(string function, Actor intended)
    {
        int n = calls[function] = calls.GetValueOrDefault(function) + 1;
        if (n % 4 != 0) return intended;
        var roles = Actors.Select(a => a.Role).Distinct().ToList();
        var ofRole = Actors.Where(a => a.Role == roles[n / 4 % roles.Count]).ToList();
        return ofRole[Random.Next(ofRole.Count)];
    }

    protected Actor Named(string name) => Actors.First(a => a.Name == name);

    /// <summary>Calls <paramref name="function"/>; an actor without an allowed role must be refused NOT_AUTHORIZED.</summary>
    protected bool Attempt(string function, Actor actor, object args, Prediction? prediction = null, Action? applied = null)
    {
        Tried.Add((function, actor.Role));
        var roles = AccessRoles[function];
        bool allowed = roles.Any(actor.Caller.HasRole);
        var before = Host.Fingerprint();
        try
        {
            Host.Invoke(actor.Caller, function, args);
        }
        catch (ContractException e)
        {
            Refusals[e.Code] = Refusals.GetValueOrDefault(e.Code) + 1;
            var byFunction = function + " " + e.Code;
            RefusalsByFunction[byFunction] = RefusalsByFunction.GetValueOrDefault(byFunction) + 1;
            Assert.True(before == Host.Fingerprint(), $"{Where}: refused {function} ({e}) changed state");
            Assert.True(allowed || e.Code == ContractErrors.NotAuthorized, $"{Where}: {function} by {actor.Name} lacks the role and must be NOT_AUTHORIZED, was {e}");
            if (prediction?.Refused == true) PredictedRefusals++;
            return false;
        }
        Assert.True(allowed, $"{Where}: {function} by {actor.Name} (roles {string.Join(",", actor.Caller.Roles)}) needs one of {string.Join(",", roles)} but was applied");
        if (prediction?.Refused == true)
            Assert.Fail($"{Where}: {function} by {actor.Name} must be refused ({prediction}) but was applied: {JsonSerializer.Serialize(args, JsonSerializerOptions.Web)}");
        Applied++;
        AppliedByFunction[function] = AppliedByFunction.GetValueOrDefault(function) + 1;
        applied?.Invoke();
        return true;
    }

    protected T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    protected bool Chance(int oneIn) => Random.Next(oneIn) == 0;

    /// <summary>The contract's invariant query must find nothing.</summary>
    protected void AssertSound(object args)
    {
        var check = Host.Query("CheckInvariants", args);
        Assert.True(check.GetProperty("sound").GetBoolean(), $"{Where}: CheckInvariants found {check.GetProperty("violations")}");
    }

    /// <summary>
    /// An identity number written the ways a careless client might: plain, with spaces, full-width, inside a longer
    /// run of digits, or with its check character in lower case.
    /// </summary>
    public static string IdNumberVariant(Random random) => random.Next(5) switch
    {
        0 => "11010519491231002X",
        1 => "110105 19491231 002X",
        2 => "１１０１０５１９４９１２３１００２Ｘ",
        3 => "7" + "440524198801010011" + "93",
        _ => "owner 11010519491231002x of unit 7",
    };
}
