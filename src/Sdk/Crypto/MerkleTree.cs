namespace Chain.Sdk.Crypto;

/// <summary>
/// Binary Merkle tree in the RFC 6962 style: leaves are hashed as H(0x00 || leaf) and inner
/// nodes as H(0x01 || left || right), so a leaf can never be passed off as an inner node.
/// An odd node at the end of a level is promoted unchanged. The empty tree hashes to H("").
/// </summary>
public static class MerkleTree
{
    public static byte[] Root(IReadOnlyList<byte[]> leaves)
    {
        if (leaves.Count == 0) return Hashes.Sha256([]);
        var level = new byte[leaves.Count][];
        Span<byte> buffer = stackalloc byte[1 + 2 * Hashes.Length];
        for (int i = 0; i < leaves.Count; i++) level[i] = HashLeaf(leaves[i]);
        int count = level.Length;
        while (count > 1)
        {
            int next = 0;
            for (int i = 0; i < count; i += 2)
            {
                if (i + 1 == count) { level[next++] = level[i]; break; }
                buffer[0] = 0x01;
                level[i].CopyTo(buffer[1..]);
                level[i + 1].CopyTo(buffer[(1 + Hashes.Length)..]);
                level[next++] = Hashes.Sha256(buffer);
            }
            count = next;
        }
        return level[0];
    }

    public static byte[] HashLeaf(ReadOnlySpan<byte> leaf)
    {
        var buffer = new byte[leaf.Length + 1];
        leaf.CopyTo(buffer.AsSpan(1));
        return Hashes.Sha256(buffer);
    }
}
