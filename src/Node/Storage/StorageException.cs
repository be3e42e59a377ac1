namespace Chain.Node.Storage;

/// <summary>The store could not be opened, read or written; the message says which path and why.</summary>
public sealed class StorageException(string message, Exception? inner = null) : Exception(message, inner);
