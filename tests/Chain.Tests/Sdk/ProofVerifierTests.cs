using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Sdk.Verification;
using Google.Protobuf;
using Xunit;

namespace Chain.Tests.Sdk;

/// <summary>Merkle paths, and the consenter chain: a consenter removed by a configuration update no longer vouches for blocks.</summary>
public sealed class ProofVerifierTests
{
    [Fact]
    public void EveryLeafsPath_LeadsToTheRoot_AndNoChangedStepDoes()
    {
        for (int count = 1; count <= 13; count++)
        {
            var leaves = Enumerable.Range(0, count).Select(i => Hashes.Sha256(BitConverter.GetBytes(i))).ToArray();
            var root = MerkleTree.Root(leaves);
            for (int i = 0; i < count; i++)
            {
                var path = MerkleTree.Path(leaves, i);
                Assert.Equal(root, MerkleTree.RootFromPath(leaves[i], path));
                for (int step = 0; step < path.Count; step++)
                {
                    var changed = path.ToList();
                    var sibling = changed[step].Sibling.ToArray();
                    sibling[0] ^= 1;
                    changed[step] = (sibling, changed[step].SiblingOnLeft);
                    Assert.NotEqual(root, MerkleTree.RootFromPath(leaves[i], changed));
                    changed[step] = (path[step].Sibling, !path[step].SiblingOnLeft);
                    Assert.NotEqual(root, MerkleTree.RootFromPath(leaves[i], changed));
                }
                if (count > 1) Assert.NotEqual(root, MerkleTree.RootFromPath(leaves[(i + 1) % count], path));
            }
        }
    }

    private static readonly AccountKey A = AccountKey.Generate(), B = AccountKey.Generate(), Member = AccountKey.Generate();

    private static ChannelConfig Config(ulong sequence, params AccountKey[] consenters)
    {
        var config = new ChannelConfig { Channel = "c", Sequence = sequence };
        foreach (var (key, i) in consenters.Select((k, i) => (k, i)))
            config.Consenters.Add(new ConsenterConfig { Node = "node" + i, Address = ByteString.CopyFrom(key.Address) });
        return config;
    }

    /// <summary>A block of the given transactions (all VALID), cut and signed by <paramref name="signer"/>.</summary>
    private static Block SignedBlock(ulong number, AccountKey signer, params Transaction[] transactions)
    {
        var results = transactions.Select(_ => new TxResult { Code = ValidationCode.Valid }).ToList();
        var header = new BlockHeader
        {
            Channel = "c", Number = number, PreviousHash = ByteString.CopyFrom(new byte[32]),
            TxRoot = ByteString.CopyFrom(ProtocolHashes.TxRoot(transactions.Select(t => ProtocolHashes.TxId(t.Payload.Span)).ToArray())),
            ResultsRoot = ByteString.CopyFrom(ProtocolHashes.ResultsRoot(results)), StateRoot = ByteString.CopyFrom(new byte[32]),
            TimestampMs = 1_000 + (long)number, Proposer = signer.AddressText,
        };
        var block = new Block { Header = header };
        block.Transactions.AddRange(transactions);
        block.Results.AddRange(results);
        block.Signatures.Add(new ConsenterSignature { Signer = ByteString.CopyFrom(signer.Address), Signature = ByteString.CopyFrom(signer.Sign(ProtocolHashes.BlockHash(header))) });
        return block;
    }

    private static Transaction Signed(AccountKey creator, string contract, string function, string args)
    {
        var payload = new TxPayload { Channel = "c", Contract = contract, Function = function, Args = ByteString.CopyFromUtf8(args), Creator = ByteString.CopyFrom(creator.Address), TimestampMs = 1 };
        var bytes = payload.ToByteArray();
        return new Transaction { Payload = ByteString.CopyFrom(bytes), Signature = ByteString.CopyFrom(creator.Sign(ProtocolHashes.TxId(bytes))) };
    }

    private static TxInclusion Inclusion(Block block, int index)
    {
        var inclusion = new TxInclusion { Transaction = block.Transactions[index], TxIndex = (uint)index, Result = block.Results[index], Header = block.Header };
        inclusion.Signatures.AddRange(block.Signatures);
        inclusion.TxPath.AddRange(ProofVerifier.Steps(block.Transactions.Select(t => ProtocolHashes.TxId(t.Payload.Span)).ToArray(), index));
        inclusion.ResultPath.AddRange(ProofVerifier.Steps(block.Results.Select(ProtocolHashes.ResultDigest).ToArray(), index));
        return inclusion;
    }

    private static Transaction Update(ChannelConfig next) =>
        Signed(Member, SystemContracts.Config, ChannelConfigs.UpdateFunction,
            $"{{\"envelope\":\"{Convert.ToBase64String(new ConfigUpdateEnvelope { Config = next.ToByteString() }.ToByteArray())}\"}}");

    [Fact]
    public void AfterAnUpdateThatReplacesConsenterA_ABlockSignedByA_FailsAndOneSignedByB_Verifies()
    {
        var genesis = GenesisBlock.Create(Config(0, A), 1_000);
        var genesisHash = ProtocolHashes.BlockHash(genesis.Header);
        var update = SignedBlock(5, A, Signed(Member, "kv", "put", "{}"), Update(Config(1, B)), Signed(Member, "kv", "put", "{\"k\":1}"));
        var chain = new ConsenterChain { Genesis = genesis, Updates = { Inclusion(update, 1) } };
        var history = ProofVerifier.VerifyConsenters(chain, genesisHash);
        Assert.Equal(2, history.Count);

        var byA = SignedBlock(9, A, Signed(Member, "kv", "put", "{}"));
        var byB = SignedBlock(9, B, Signed(Member, "kv", "put", "{}"));
        Assert.Equal(ProtocolHashes.BlockHash(byB.Header), ProofVerifier.VerifyHeader(byB.Header, byB.Signatures, history));
        var removed = Assert.Throws<VerificationException>(() => ProofVerifier.VerifyHeader(byA.Header, byA.Signatures, history));
        Assert.Equal($"block 9 is signed by {A.AddressText}, which is not a consenter of configuration 1 (in force from block 6)", removed.Message);
        // Before the update A was in force, and the block of the update itself is signed by the consenters before it.
        var earlier = SignedBlock(5, A, Signed(Member, "kv", "put", "{}"));
        ProofVerifier.VerifyHeader(earlier.Header, earlier.Signatures, history);

        // An update signed by someone who was not a consenter breaks the chain.
        var forged = SignedBlock(5, B, Update(Config(1, B)));
        Assert.Contains("which is not a consenter of configuration 0",
            Assert.Throws<VerificationException>(() => ProofVerifier.VerifyConsenters(new ConsenterChain { Genesis = genesis, Updates = { Inclusion(forged, 0) } }, genesisHash)).Message);
        // A refused update paired with a VALID neighbour's result (same block, another position) does not pass as adopted.
        var refusedFirst = SignedBlock(5, A, Update(Config(1, B)), Signed(Member, "kv", "put", "{}"));
        refusedFirst.Results[0].Code = ValidationCode.NotAuthorized; // re-sign the header over the changed results
        refusedFirst.Header.ResultsRoot = ByteString.CopyFrom(ProtocolHashes.ResultsRoot(refusedFirst.Results));
        refusedFirst.Signatures[0].Signature = ByteString.CopyFrom(A.Sign(ProtocolHashes.BlockHash(refusedFirst.Header)));
        var paired = Inclusion(refusedFirst, 0);
        paired.Result = refusedFirst.Results[1];
        paired.ResultPath.Clear();
        paired.ResultPath.AddRange(ProofVerifier.Steps(refusedFirst.Results.Select(ProtocolHashes.ResultDigest).ToArray(), 1));
        Assert.Contains("are not of the same position",
            Assert.Throws<VerificationException>(() => ProofVerifier.VerifyConsenters(new ConsenterChain { Genesis = genesis, Updates = { paired } }, genesisHash)).Message);

        // An update that skips a sequence number is refused.
        var skipping = SignedBlock(5, A, Update(Config(2, B)));
        Assert.Contains("has sequence 2, expected 1",
            Assert.Throws<VerificationException>(() => ProofVerifier.VerifyConsenters(new ConsenterChain { Genesis = genesis, Updates = { Inclusion(skipping, 0) } }, genesisHash)).Message);
    }
}
