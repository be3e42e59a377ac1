namespace Chain.Node.Storage;

/// <summary>The column families of a channel's ledger database. Names are persisted: never rename one.</summary>
internal enum Column
{
    /// <summary>block number → serialized Block.</summary>
    Blocks,
    /// <summary>block hash → block number.</summary>
    BlockHashes,
    /// <summary>tx id → (block number, tx index, validation code).</summary>
    TxIndex,
    /// <summary>state key → (version, value).</summary>
    State,
    /// <summary>(bucket, state key) → SHA-256 of the value; feeds the state root.</summary>
    StateHashes,
    /// <summary>(state key, block, tx) → value or tombstone.</summary>
    History,
    /// <summary>(contract, event name, block, tx, index) → empty; finds events by name.</summary>
    Events,
    /// <summary>savepoint and state-root buckets.</summary>
    Meta,
}
