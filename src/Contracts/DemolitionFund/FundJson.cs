using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chain.Contracts.DemolitionFund;

/// <summary>Compile-time JSON metadata for the demolition-fund state types (settings as <see cref="Abstractions.ContractJson.Options"/>).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Project))]
[JsonSerializable(typeof(Household))]
[JsonSerializable(typeof(Appraisal))]
[JsonSerializable(typeof(Agreement))]
[JsonSerializable(typeof(AgreementHead))]
[JsonSerializable(typeof(Payment))]
[JsonSerializable(typeof(Deposit))]
[JsonSerializable(typeof(LeftoverReturn))]
[JsonSerializable(typeof(ResettlementUnit))]
[JsonSerializable(typeof(PublicList))]
[JsonSerializable(typeof(ActorAction))]
[JsonSerializable(typeof(UnitClaim))]
internal sealed partial class FundJson : JsonSerializerContext;
