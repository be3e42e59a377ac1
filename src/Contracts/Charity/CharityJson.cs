using Chain.Contracts.Domain;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chain.Contracts.Charity;

/// <summary>
/// Compile-time JSON metadata for the charity state types, so the hot path (every donation reads and writes a
/// campaign, a pool and its flows) does not pay for reflection. The settings match <see cref="Abstractions.ContractJson.Options"/>; the contract passes it to <see cref="Domain.DomainContract"/>.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Org))]
[JsonSerializable(typeof(RelatedParty))]
[JsonSerializable(typeof(PayeeTotal))]
[JsonSerializable(typeof(Campaign))]
[JsonSerializable(typeof(Pool))]
[JsonSerializable(typeof(Lot))]
[JsonSerializable(typeof(Donation))]
[JsonSerializable(typeof(Disbursement))]
[JsonSerializable(typeof(Refund))]
[JsonSerializable(typeof(Pledge))]
[JsonSerializable(typeof(Consent))]
[JsonSerializable(typeof(Filing))]
[JsonSerializable(typeof(Disclosure))]
[JsonSerializable(typeof(AnnualReport))]
[JsonSerializable(typeof(YearFlows))]
[JsonSerializable(typeof(Domain.Hold))]
[JsonSerializable(typeof(Attestation))]
[JsonSerializable(typeof(LedgerEntry))]
internal sealed partial class CharityJson : JsonSerializerContext;
