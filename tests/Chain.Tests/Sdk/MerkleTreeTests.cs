using Chain.Sdk.Crypto;
using Xunit;

namespace Chain.Tests.Sdk;

public class MerkleTreeTests
{
    private static byte[] Leaf(int i) => Hashes.Sha256(BitConverter.GetBytes(i));

    private static byte[] Node(byte[] l, byte[] r) => Hashes.Sha256([0x01, .. l, .. r]);

    [Fact]
    public void Empty_IsHashOfNothing() => Assert.Equal(Hashes.Sha256([]), MerkleTree.Root([]));

    [Fact]
    public void SingleLeaf_IsDomainSeparatedLeafHash() =>
        Assert.Equal(Hashes.Sha256([0x00, .. Leaf(1)]), MerkleTree.Root([Leaf(1)]));

    [Fact]
    public void ThreeLeaves_PromoteTheOddOne()
    {
        var h = Enumerable.Range(0, 3).Select(i => MerkleTree.HashLeaf(Leaf(i))).ToArray();
        Assert.Equal(Node(Node(h[0], h[1]), h[2]), MerkleTree.Root([Leaf(0), Leaf(1), Leaf(2)]));
    }

    [Fact]
    public void Order_ChangesTheRoot() =>
        Assert.NotEqual(MerkleTree.Root([Leaf(0), Leaf(1)]), MerkleTree.Root([Leaf(1), Leaf(0)]));
}
