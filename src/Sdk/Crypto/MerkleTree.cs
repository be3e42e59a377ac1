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

    /// <summary>
    /// The path from leaf <paramref name="index"/> to the root: one step per level where the node has a sibling (a
    /// promoted odd node has none), bottom up. <see cref="RootFromPath"/> of the leaf and this path is the root.
    /// </summary>
    public static IReadOnlyList<(byte[] Sibling, bool SiblingOnLeft)> Path(IReadOnlyList<byte[]> leaves, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, leaves.Count);
        var path = new List<(byte[], bool)>();
        var level = leaves.Select(l => HashLeaf(l)).ToList();
        while (level.Count > 1)
        {
            int sibling = index ^ 1;
            if (sibling < level.Count) path.Add((level[sibling], sibling < index));
            var next = new List<byte[]>((level.Count + 1) / 2);
            for (int i = 0; i < level.Count; i += 2)
                next.Add(i + 1 == level.Count ? level[i] : Node(level[i], level[i + 1]));
            level = next;
            index >>= 1;
        }
        return path;
    }

    /// <summary>The root a leaf reaches along <paramref name="path"/> (see <see cref="Path"/>).</summary>
    public static byte[] RootFromPath(ReadOnlySpan<byte> leaf, IEnumerable<(byte[] Sibling, bool SiblingOnLeft)> path)
    {
        var node = HashLeaf(leaf);
        foreach (var (sibling, onLeft) in path)
        {
            if (sibling.Length != Hashes.Length) throw new ArgumentException($"a Merkle path step is {sibling.Length} bytes, not {Hashes.Length}");
            node = onLeft ? Node(sibling, node) : Node(node, sibling);
        }
        return node;
    }

    /// <summary>An inner node: H(0x01 || left || right).</summary>
    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * Hashes.Length];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + Hashes.Length)..]);
        return Hashes.Sha256(buffer);
    }

    public static byte[] HashLeaf(ReadOnlySpan<byte> leaf)
    {
        var buffer = new byte[leaf.Length + 1];
        leaf.CopyTo(buffer.AsSpan(1));
        return Hashes.Sha256(buffer);
    }
}
