using Chain.Cli.Commands.Operate;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Encoding;
using Chain.Sdk.Verification;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>
/// Receipts and state proofs served by a real node over gRPC, checked with nothing but the genesis hash; every
/// changed byte of what the node sent is caught, with the reason.
/// </summary>
public sealed class ProofTests(CharityNode net) : IClassFixture<CharityNode>
{
    private static T Changed<T>(T message, Action<T> change) where T : IMessage<T>, IDeepCloneable<T>
    {
        var copy = message.Clone();
        change(copy);
        return copy;
    }

    private static ByteString Flip(ByteString bytes, int at = 0)
    {
        var copy = bytes.ToByteArray();
        copy[at % copy.Length] ^= 0x01;
        return ByteString.CopyFrom(copy);
    }

    private static void Fails(Action verify, string reason) => Assert.Contains(reason, Assert.Throws<VerificationException>(verify).Message);

    [Fact]
    public async Task ADonationsReceipt_VerifiesOffline_SaysWhatItProves_AndAnyChangedByteIsNamed()
    {
        await net.OpenCampaignAsync("PR-C");
        var donation = await net.DonateAsync("PR-D1", "PR-C", 20_000);
        var receipt = await net.Node.Client.Ledger.GetReceiptAsync(new ReceiptRequest { Channel = "charity", TxId = donation.TxId });
        var genesis = net.GenesisHash;

        var verified = ProofVerifier.VerifyReceipt(receipt, genesis);
        Assert.Equal(donation.TxId, verified.Tx.TxId);
        Assert.Equal(donation.BlockNumber, verified.Tx.Header.Number);
        Assert.StartsWith($"donation PR-D1 of 200.00 yuan to campaign PR-C was confirmed by Bank in block {donation.BlockNumber} of channel charity at ", VerifyCommands.Describe(verified.Tx));
        Assert.EndsWith(" UTC+8", VerifyCommands.Describe(verified.Tx));

        Fails(() => ProofVerifier.VerifyReceipt(receipt, new byte[32]), "is not the trusted");
        Fails(() => ProofVerifier.VerifyReceipt(Changed(receipt, r => r.Inclusion.Transaction.Payload = Flip(r.Inclusion.Transaction.Payload, 7)), genesis), "transaction path");
        Fails(() => ProofVerifier.VerifyReceipt(Changed(receipt, r => r.Inclusion.Transaction.Signature = Flip(r.Inclusion.Transaction.Signature, 3)), genesis), "signature is not by its creator");
        Fails(() => ProofVerifier.VerifyReceipt(Changed(receipt, r => r.Inclusion.Result.Message = "edited"), genesis), "result path");
        Fails(() => ProofVerifier.VerifyReceipt(Changed(receipt, r => r.Inclusion.Result.Events[0].Payload = Flip(r.Inclusion.Result.Events[0].Payload, 20)), genesis), "result path");
        Fails(() => ProofVerifier.VerifyReceipt(Changed(receipt, r => r.Inclusion.Header.StateRoot = Flip(r.Inclusion.Header.StateRoot)), genesis), $"signature 1 of block {donation.BlockNumber}");
        Fails(() => ProofVerifier.VerifyReceipt(Changed(receipt, r => r.Inclusion.Signatures[0].Signature = Flip(r.Inclusion.Signatures[0].Signature, 5)), genesis), $"signature 1 of block {donation.BlockNumber}");
        Fails(() => ProofVerifier.VerifyReceipt(Changed(receipt, r => r.Inclusion.Signatures.Clear()), genesis), "carries no consenter signature");
        Fails(() => ProofVerifier.VerifyReceipt(Changed(receipt, r => r.Consenters.Genesis.Header.TimestampMs++), genesis), "is not the trusted");
        Fails(() => ProofVerifier.VerifyReceipt(Changed(receipt, r => r.Consenters.Genesis.Transactions[0].Payload = Flip(r.Consenters.Genesis.Transactions[0].Payload, 30)), genesis), "do not match its tx root");
        if (receipt.Inclusion.TxPath.Count > 0)
            Fails(() => ProofVerifier.VerifyReceipt(Changed(receipt, r => r.Inclusion.TxPath[0].Sibling = Flip(r.Inclusion.TxPath[0].Sibling)), genesis), "transaction path");
    }

    [Fact]
    public async Task StateProofs_OfPresentAndAbsentKeys_Verify_AndAnotherBlocksHeaderOrAChangedValueDoesNot()
    {
        await net.OpenCampaignAsync("PR-S");
        var genesis = net.GenesisHash;
        var present = await net.Node.Client.Ledger.GetStateProofAsync(new StateProofRequest { Channel = "charity", Contract = "charity", Key = "campaign/PR-S" });
        Assert.True(present.Read.Present);
        var state = ProofVerifier.VerifyState(present, genesis);
        Assert.Contains("\"campaignId\":\"PR-S\"", System.Text.Encoding.UTF8.GetString(state.Value!));
        Assert.Equal(StateTree.Depth, present.Read.Siblings.Count);

        var absent = await net.Node.Client.Ledger.GetStateProofAsync(new StateProofRequest { Channel = "charity", Contract = "charity", Key = "campaign/PR-NONE" });
        Assert.False(absent.Read.Present);
        Assert.Null(ProofVerifier.VerifyState(absent, genesis).Value);

        Fails(() => ProofVerifier.VerifyState(Changed(present, p => p.Read.Value = Flip(p.Read.Value, 10)), genesis), "is not the one the state holds");
        Fails(() => ProofVerifier.VerifyState(Changed(present, p => { p.Read.Present = false; p.Read.Value = ByteString.Empty; }), genesis), "says key 'campaign/PR-S' is absent, but its bucket has an entry");
        Fails(() => ProofVerifier.VerifyState(Changed(absent, p => p.Read.Key = "campaign/PR-S"), genesis), "is in bucket");
        Fails(() => ProofVerifier.VerifyState(Changed(present, p => p.Read.Siblings[9] = Flip(p.Read.Siblings[9])), genesis), "lead to state root");
        Fails(() => ProofVerifier.VerifyState(Changed(present, p => p.Read.Entries[0].ValueHash = Flip(p.Read.Entries[0].ValueHash)), genesis), "lead to state root");

        // Asked at the block before the campaign existed, the node proves it absent then, against that block's signed header.
        var created = (await net.Node.Client.Ledger.GetKeyHistoryAsync(new KeyHistoryRequest { Channel = "charity", Contract = "charity", Key = "campaign/PR-S" })).Entries[0].BlockNumber;
        var before = await net.Node.Client.Ledger.GetStateProofAsync(new StateProofRequest { Channel = "charity", Contract = "charity", Key = "campaign/PR-S", Block = created - 1 });
        Assert.Equal((created - 1, false), (before.Header.Number, before.Read.Present));
        Assert.Null(ProofVerifier.VerifyState(before, genesis).Value);
        Assert.True(ProofVerifier.VerifyState(await net.Node.Client.Ledger.GetStateProofAsync(new StateProofRequest { Channel = "charity", Contract = "charity", Key = "campaign/PR-S", Block = created }), genesis).Value is not null);

        // The same bucket and path against the header of the block before: the state changed since, so the root differs.
        var earlier = await net.Node.Client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "charity", Number = present.Header.Number - 1 });
        Fails(() => ProofVerifier.VerifyState(Changed(present, p => { p.Header = earlier.Header; p.Signatures.Clear(); p.Signatures.AddRange(earlier.Signatures); }), genesis), "lead to state root");
    }

    [Fact]
    public async Task ANodeThatChangesOneFieldOfAnAnswer_IsCaughtByTheSdkAndTheCli()
    {
        await net.OpenCampaignAsync("PR-T");
        var donation = await net.DonateAsync("PR-TD", "PR-T", 50_000);
        var genesisFile = net.GenesisFile;
        string[] asRegulator = ["--as", "CivilAffairs/inspector1", "--crypto", net.Node.CryptoDir];

        // A lie about the amount of a donation (the JSON still parses, only the number differs).
        await using (var liar = await TamperingNode.StartAsync(net.Node.Endpoint, stateProof: p =>
            p.Read.Value = ByteString.CopyFromUtf8(p.Read.Value.ToStringUtf8().Replace("\"amount\":50000", "\"amount\":5000"))))
        {
            using var client = new ChainClient(liar.Endpoint, reader: net.Regulator);
            var lie = await client.Ledger.GetStateProofAsync(new StateProofRequest { Channel = "charity", Contract = "charity", Key = "donation/PR-TD" });
            Assert.Contains("\"amount\":5000,", lie.Read.Value.ToStringUtf8());
            Fails(() => ProofVerifier.VerifyState(lie, net.GenesisHash), "is not the one the state holds");

            var cli = await ChainBinary.RunAsync(["--endpoint", liar.Endpoint, "verify", "state", "-c", "charity", "--contract", "charity", "--key", "donation/PR-TD", "--trust", genesisFile, .. asRegulator]);
            Assert.Equal(1, cli.ExitCode);
            Assert.Equal("error: not verified: the value given for key 'donation/PR-TD' is not the one the state holds (its hash differs)", cli.StdErr.Trim());
        }

        // A lie about who confirmed it, and one about the block it is in.
        await using (var liar = await TamperingNode.StartAsync(net.Node.Endpoint, receipt: r =>
            r.Inclusion.Result.Events[0].Payload = ByteString.CopyFromUtf8(r.Inclusion.Result.Events[0].Payload.ToStringUtf8().Replace("\"bankId\":\"Bank\"", "\"bankId\":\"Other\""))))
        {
            var compact = $"chain-receipt:1/charity/{donation.BlockNumber}/{donation.TxId}/x";
            var cli = await ChainBinary.RunAsync(["--endpoint", liar.Endpoint, "verify", "receipt", "--compact", compact, "--trust", genesisFile, .. asRegulator]);
            Assert.Equal(1, cli.ExitCode);
            Assert.StartsWith("error: not verified: the result path of the transaction", cli.StdErr);
        }
        await using (var liar = await TamperingNode.StartAsync(net.Node.Endpoint, receipt: r => r.Inclusion.Header.Number += 1))
        {
            using var client = new ChainClient(liar.Endpoint, reader: net.Regulator);
            var lie = await client.Ledger.GetReceiptAsync(new ReceiptRequest { Channel = "charity", TxId = donation.TxId });
            Fails(() => ProofVerifier.VerifyReceipt(lie, net.GenesisHash), $"signature 1 of block {donation.BlockNumber + 1}");
        }
        // A proof of another key than the one asked about is refused, though it is a valid proof.
        await using (var liar = await TamperingNode.StartAsync(net.Node.Endpoint, stateProof: p => p.Read.Key = "donation/none"))
        {
            var cli = await ChainBinary.RunAsync(["--endpoint", liar.Endpoint, "verify", "state", "-c", "charity", "--contract", "charity", "--key", "donation/PR-TD", "--trust", genesisFile, .. asRegulator]);
            Assert.Equal("error: not verified: asked about key 'donation/PR-TD' of 'charity', the node proved key 'donation/none' of 'charity'", cli.StdErr.Trim());
        }
        // An account's history that shows a proven transaction with another outcome is refused.
        await using (var liar = await TamperingNode.StartAsync(net.Node.Endpoint, activity: page => { foreach (var e in page.Entries) e.Code = ValidationCode.Valid; }))
        {
            var again = await net.InvokeAsync(net.Teller, "ConfirmDonation", new // refused in its block: the id is taken with other figures
            {
                donationId = "PR-TD", donorRef = CharityWorld.Hash("donor-a"), anonymous = false, charityId = "CharityFoundation", campaignId = "PR-T", amount = 1L,
                bankTxRef = "BK-PR-TD-2", valueDate = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            });
            Assert.NotEqual(ValidationCode.Valid, again.Code);
            var cli = await ChainBinary.RunAsync(["--endpoint", liar.Endpoint, "history", "account", net.Teller.AddressText, "-c", "charity", "--all", "--verify", genesisFile, .. asRegulator]);
            Assert.Equal(1, cli.ExitCode);
            Assert.Contains("does not show its proven call, outcome and time", cli.StdErr);
        }
        // Passed on unchanged, the same answers verify.
        await using (var honest = await TamperingNode.StartAsync(net.Node.Endpoint))
        {
            var cli = await ChainBinary.RunAsync(["--endpoint", honest.Endpoint, "verify", "state", "-c", "charity", "--contract", "charity", "--key", "donation/PR-TD", "--trust", genesisFile, .. asRegulator]);
            Assert.True(cli.ExitCode == 0, cli.StdErr);
        }
    }

    [Fact]
    public async Task TheTraceOfADonationAndACampaignsLedger_AnswerWithProof_PageByPage_AndTheCliChecksThem()
    {
        await net.OpenCampaignAsync("PR-L");
        await net.DonateAsync("PR-LD1", "PR-L", 20_000);
        await net.DonateAsync("PR-LD2", "PR-L", 5_000);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await net.OkAsync(net.Officer1, "ProposeDisbursement", new
        {
            disbId = "PR-LP", poolId = "C:PR-L", payeeType = "Supplier", payeeRef = CharityWorld.Hash("supplier"), amount = 15_000, category = "Charitable",
            evidence = new[] { new { kind = "Invoice", hash = CharityWorld.Hash("invoice PR-LP") } },
        });
        await net.OkAsync(net.Officer2, "ApproveDisbursement", new { disbId = "PR-LP" });
        await net.OkAsync(net.Teller, "ConfirmPayment", new { disbId = "PR-LP", bankTxRef = "BK-PR-LP", paidAt = now });
        using var regulator = new ChainClient(net.Node.Endpoint, reader: net.Regulator);
        async Task<System.Text.Json.JsonElement> ProvenAsync(string function, string args)
        {
            var request = new EvaluateRequest { Channel = "charity", Contract = "charity", Function = function, Args = ByteString.CopyFromUtf8(args), WithProof = true };
            var answer = await regulator.Gateway.EvaluateAsync(request);
            var verified = Chain.Node.Verification.AnswerVerifier.Verify(request, answer, net.GenesisHash, net.Regulator.Address);
            return System.Text.Json.JsonDocument.Parse(verified.Result.ToArray()).RootElement.Clone();
        }

        // The trace follows the lot's numbered edges: proven, and a changed amount in it is caught.
        var trace = await ProvenAsync("TraceDonation", "{\"donationId\":\"PR-LD1\"}");
        Assert.Equal(15_000, trace.GetProperty("paid").GetInt64());
        Assert.Equal(5_000, trace.GetProperty("remaining").GetInt64());
        Assert.Equal("PR-LP", Assert.Single(trace.GetProperty("tree").GetProperty("uses").EnumerateArray()).GetProperty("id").GetString());

        // The campaign's ledger, two lines a page: every page is proven, and the pages join up.
        var first = await ProvenAsync("CampaignLedger", "{\"campaignId\":\"PR-L\",\"limit\":2}");
        Assert.Equal(["Donation", "Donation"], first.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        var next = first.GetProperty("next").GetString();
        var second = await ProvenAsync("CampaignLedger", $"{{\"campaignId\":\"PR-L\",\"limit\":2,\"after\":\"{next}\"}}");
        Assert.Equal("PR-LP", Assert.Single(second.GetProperty("entries").EnumerateArray()).GetProperty("id").GetString());
        Assert.False(second.TryGetProperty("next", out var none) && none.ValueKind != System.Text.Json.JsonValueKind.Null);

        // A node that changes a line of the ledger is caught by the CLI before it prints anything.
        await using (var liar = await TamperingNode.StartAsync(net.Node.Endpoint, answer: a =>
            a.Result = ByteString.CopyFromUtf8(a.Result.ToStringUtf8().Replace("\"kind\":\"Payment\"", "\"kind\":\"Donation\""))))
        {
            var cli = await ChainBinary.RunAsync(["--endpoint", liar.Endpoint, "charity", "ledger", "PR-L", "--verify", net.GenesisFile, "--as", "CivilAffairs/inspector1", "--crypto", net.Node.CryptoDir]);
            Assert.Equal(1, cli.ExitCode);
            Assert.Contains("the answer was changed", cli.StdErr);
        }
        var honest = await ChainBinary.RunAsync(["--endpoint", net.Node.Endpoint, "charity", "trace", "donation", "PR-LD1", "--verify", net.GenesisFile, "--as", "CivilAffairs/inspector1", "--crypto", net.Node.CryptoDir]);
        Assert.True(honest.ExitCode == 0, honest.StdErr);
        Assert.StartsWith("verified: charity.TraceDonation over ", honest.StdErr);
    }

    [Fact]
    public async Task AQueryAskedWithProof_IsCheckedByRerunningItOverTheProvenReads_AndAChangedAnswerOrReadIsCaught()
    {
        await net.OpenCampaignAsync("PR-Q");
        await net.DonateAsync("PR-QD", "PR-Q", 7_000);
        var genesis = net.GenesisHash;
        using var regulator = new ChainClient(net.Node.Endpoint, reader: net.Regulator);
        var request = new EvaluateRequest { Channel = "charity", Contract = "charity", Function = "GetDonation", Args = ByteString.CopyFromUtf8("{\"donationId\":\"PR-QD\"}"), WithProof = true };
        var answer = await regulator.Gateway.EvaluateAsync(request);
        var verified = Chain.Node.Verification.AnswerVerifier.Verify(request, answer, genesis, net.Regulator.Address);
        Assert.Contains("\"amount\":7000", System.Text.Encoding.UTF8.GetString(verified.Result));
        Assert.Contains(answer.Proof.Reads, r => r.Contract == "_members"); // the reader's own enrolment: its roles shape the answer

        void Caught(EvaluateResponse changed, string reason) =>
            Assert.Contains(reason, Assert.Throws<VerificationException>(() => Chain.Node.Verification.AnswerVerifier.Verify(request, changed, genesis, net.Regulator.Address)).Message);
        Caught(Changed(answer, a => a.Result = ByteString.CopyFromUtf8(a.Result.ToStringUtf8().Replace("7000", "700"))), "the answer was changed");
        Caught(Changed(answer, a => a.Proof.Reads[0].Value = ByteString.CopyFromUtf8(a.Proof.Reads[0].Value.ToStringUtf8().Replace("7000", "700"))), "is not the one the state holds");
        Caught(Changed(answer, a => a.Proof.Reads.RemoveAt(0)), "which the proof does not cover");
        Caught(Changed(answer, a => a.Height++), "its proof is of block");
        // Proven as another account: that account's roles are not the ones the proof shows.
        Assert.Contains("the proof does not cover", Assert.Throws<VerificationException>(() => Chain.Node.Verification.AnswerVerifier.Verify(request, answer, genesis, net.Officer1.Address)).Message);

        // A proof carries raw values and bucket listings: even a public query needs rawReaders to be asked with proof.
        var campaign = new EvaluateRequest { Channel = "charity", Contract = "charity", Function = "GetCampaign", Args = ByteString.CopyFromUtf8("{\"campaignId\":\"PR-Q\"}"), WithProof = true };
        Chain.Node.Verification.AnswerVerifier.Verify(campaign, await regulator.Gateway.EvaluateAsync(campaign), genesis, net.Regulator.Address);
        var anonymous = await Assert.ThrowsAsync<RpcException>(() => net.Node.Anonymous.Gateway.EvaluateAsync(campaign).ResponseAsync);
        Assert.StartsWith("UNSIGNED_READ: charity.GetCampaign with proof (raw values and bucket listings) on channel 'charity' needs a signed read (the channel policy 'rawReaders')", anonymous.Status.Detail);
        using var officer = new ChainClient(net.Node.Endpoint, reader: net.Officer1);
        var notRaw = await Assert.ThrowsAsync<RpcException>(() => officer.Gateway.EvaluateAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, notRaw.StatusCode);
        Assert.Contains("rawReaders", notRaw.Status.Detail);
        // A query that scans a range cannot be proven and says so.
        var sheet = await Assert.ThrowsAsync<RpcException>(() => regulator.Gateway.EvaluateAsync(new EvaluateRequest
            { Channel = "charity", Contract = "charity", Function = "ListCampaigns", Args = ByteString.CopyFromUtf8("{\"charityId\":\"CharityFoundation\"}"), WithProof = true }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, sheet.StatusCode);
        Assert.StartsWith("QUERY_NOT_PROVABLE: charity.ListCampaigns cannot be answered with proof: it scans the keys ", sheet.Status.Detail);

        // The CLI checks before it shows: a node that changes the amount gets one error line and exit 1.
        var genesisFile = net.GenesisFile;
        string[] show = ["charity", "show", "donation", "PR-QD", "--verify", genesisFile, "--as", "CivilAffairs/inspector1", "--crypto", net.Node.CryptoDir, "-o", "json"];
        var honest = await ChainBinary.RunAsync(["--endpoint", net.Node.Endpoint, .. show]);
        Assert.True(honest.ExitCode == 0, honest.StdErr);
        Assert.Contains("\"amount\": \"70.00\"", honest.StdOut);
        Assert.StartsWith("verified: charity.GetDonation over ", honest.StdErr);
        // Saved with its proof, the answer re-checks offline; a changed saved answer does not.
        using var dir = new TempDirectory();
        var saved = dir.Combine("answer.bin");
        Assert.Equal(0, (await ChainBinary.RunAsync(["--endpoint", net.Node.Endpoint, .. show, "--save", saved])).ExitCode);
        var offline = await ChainBinary.RunAsync("--endpoint", "http://127.0.0.1:1", "verify", "answer", saved, "--trust", genesisFile);
        Assert.True(offline.ExitCode == 0, offline.StdErr);
        Assert.Contains("\"amount\": \"70.00\"", offline.StdOut);
        Assert.StartsWith("verified: charity.GetDonation {\"donationId\":\"PR-QD\"} over ", offline.StdErr);
        Assert.Contains($", as read by {net.Regulator.AddressText}", offline.StdErr);
        var edited = SavedAnswer.Parser.ParseFrom(File.ReadAllBytes(saved));
        edited.Response.Result = ByteString.CopyFromUtf8(edited.Response.Result.ToStringUtf8().Replace("7000", "700"));
        File.WriteAllBytes(saved, edited.ToByteArray());
        var changed = await ChainBinary.RunAsync("verify", "answer", saved, "--trust", genesisFile);
        Assert.Equal("error: not verified: the node's answer is not what charity.GetDonation computes over the state it proved (the answer was changed)", changed.StdErr.Trim());

        await using var liar = await TamperingNode.StartAsync(net.Node.Endpoint, answer: a => a.Result = ByteString.CopyFromUtf8(a.Result.ToStringUtf8().Replace("7000", "700")));
        var lied = await ChainBinary.RunAsync(["--endpoint", liar.Endpoint, .. show]);
        Assert.Equal(1, lied.ExitCode);
        Assert.Equal("error: not verified: the node's answer is not what charity.GetDonation computes over the state it proved (the answer was changed)", lied.StdErr.Trim());
        Assert.Equal("", lied.StdOut);
    }

    [Fact]
    public async Task Proofs_AreRawReads_AReceiptIsAlsoForItsSigner()
    {
        await net.OpenCampaignAsync("PR-A");
        var history = await net.Node.Client.Ledger.GetKeyHistoryAsync(new KeyHistoryRequest { Channel = "charity", Contract = "charity", Key = "campaign/PR-A" });
        var txId = history.Entries[0].TxId; // CreateCampaign, signed by officer1

        using var officer1 = new ChainClient(net.Node.Endpoint, reader: net.Officer1);
        using var officer2 = new ChainClient(net.Node.Endpoint, reader: net.Officer2);
        var own = await officer1.Ledger.GetReceiptAsync(new ReceiptRequest { Channel = "charity", TxId = txId });
        Assert.Equal(txId, ProofVerifier.VerifyReceipt(own, net.GenesisHash).Tx.TxId);
        var other = await Assert.ThrowsAsync<RpcException>(() => officer2.Ledger.GetReceiptAsync(new ReceiptRequest { Channel = "charity", TxId = txId }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        Assert.StartsWith($"READ_DENIED: the receipt of transaction {txId} is for its signer", other.Status.Detail);

        var proof = await Assert.ThrowsAsync<RpcException>(() => officer1.Ledger.GetStateProofAsync(new StateProofRequest { Channel = "charity", Contract = "charity", Key = "campaign/PR-A" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, proof.StatusCode);
        Assert.Contains("rawReaders", proof.Status.Detail);
        var unsigned = await Assert.ThrowsAsync<RpcException>(() => net.Node.Anonymous.Ledger.GetReceiptAsync(new ReceiptRequest { Channel = "charity", TxId = txId }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, unsigned.StatusCode);
    }
}
