using Chain.Node.Channels;
using Chain.Node.Configuration;
using Chain.Node.Rpc.Interceptors;
using Chain.Protocol;
using Chain.Sdk.Client;
using Grpc.Core;

namespace Chain.Node.Network;

/// <summary>
/// Relays transactions for channels this node only observes to a node that orders them, over the mutual-TLS
/// peer endpoint, trying the configured peers in turn. The ordering node admits them exactly as if the client
/// had called it, so clients get the same answers whichever node they talk to.
/// </summary>
/// <remarks>Thread-safe; one HTTP/2 connection per peer, opened on first use.</remarks>
public sealed class TxForwarder(NodeConfig config) : IDisposable
{
    private readonly Lazy<ChainClient>[] _peers = config.Peers.Select(peer => new Lazy<ChainClient>(() => new ChainClient(peer.Endpoint, config.PeerTls(peer)))).ToArray();
    private int _preferred;

    /// <summary>One admission status per transaction, in order, from the first peer that answers.</summary>
    /// <param name="target">Peer endpoint to try first (the Raft leader), when known.</param>
    /// <exception cref="RequestException">No peer could be reached (UNAVAILABLE).</exception>
    public async Task<IReadOnlyList<AdmissionStatus>> ForwardAsync(IReadOnlyList<Transaction> transactions, CancellationToken cancel, string? target = null)
    {
        var request = new SubmitBatchRequest();
        request.Transactions.AddRange(transactions);
        var failures = new List<string>();
        IReadOnlyList<AdmissionStatus>? notLeader = null;
        int first = string.IsNullOrEmpty(target) ? -1 : config.Peers.FindIndex(p => string.Equals(p.Endpoint.TrimEnd('/'), target.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
        bool named = first >= 0; // a target that is none of the configured peers counts as no target
        if (!named) first = Volatile.Read(ref _preferred);
        for (int attempt = 0; attempt < _peers.Length; attempt++)
        {
            int index = (first + attempt) % _peers.Length;
            try
            {
                var response = await _peers[index].Value.Peer.ForwardAsync(request, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancel);
                // A Raft follower answers NOT_LEADER for all of them: when no leader was named, try the next peer.
                if (!named && response.Statuses.All(s => !s.Accepted && s.Message.StartsWith("NOT_LEADER", StringComparison.Ordinal)))
                {
                    notLeader = response.Statuses;
                    continue;
                }
                Volatile.Write(ref _preferred, index); // stick to a peer that answers
                return response.Statuses;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unknown or StatusCode.Internal)
            {
                failures.Add($"{config.Peers[index].Endpoint}: {e.StatusCode} {e.Status.Detail}");
            }
            catch (Exception e) when (e is IOException or HttpRequestException or System.Security.Cryptography.CryptographicException)
            {
                failures.Add($"{config.Peers[index].Endpoint}: {e.Message}");
            }
        }
        if (notLeader is not null) return notLeader;
        throw new RequestException(StatusCode.Unavailable, $"NO_ORDERER: no node that orders the channel could be reached ({string.Join("; ", failures)})");
    }

    public void Dispose()
    {
        foreach (var peer in _peers.Where(p => p.IsValueCreated)) peer.Value.Dispose();
    }
}
