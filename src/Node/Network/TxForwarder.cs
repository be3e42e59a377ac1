using Chain.Node.Configuration;
using Chain.Node.Errors;
using Chain.Protocol;
using Chain.Sdk.Client;
using Grpc.Core;

namespace Chain.Node.Network;

/// <summary>
/// The relay's transport (<see cref="TxRouter"/> decides what goes where): sends transactions over the mutual-TLS
/// peer endpoint to a named node, or to the configured peers in turn. The receiving node admits them exactly as if
/// the client had called it, so clients get the same answers whichever node they talk to.
/// </summary>
/// <remarks>
/// Thread-safe; one HTTP/2 connection per peer, opened on first use, and opened again once this node's TLS certificate
/// was renewed: a peer checks the caller's certificate on every call, and an old one may no longer be trusted.
/// </remarks>
internal sealed class TxForwarder(NodeConfig config, Hosting.NodeIdentity identity) : ITxTransport, IDisposable
{
    private Lazy<ChainClient>[] _peers = Connect(config);
    private string? _ownThumbprint;
    private readonly List<Lazy<ChainClient>> _retired = [];

    private static Lazy<ChainClient>[] Connect(NodeConfig config) =>
        config.Peers.Select(peer => new Lazy<ChainClient>(() => new ChainClient(peer.Endpoint, config.PeerTls(peer)))).ToArray();

    /// <summary>New connections after a certificate renewal; the old clients are disposed with this forwarder (calls on them finish).</summary>
    private void ReconnectIfRenewed()
    {
        if (identity.TlsCertificate?.Thumbprint is not { } thumbprint) return;
        if (Volatile.Read(ref _ownThumbprint) == thumbprint) return;
        lock (_retired)
        {
            if (_ownThumbprint == thumbprint) return;
            if (_ownThumbprint is not null)
            {
                _retired.AddRange(_peers.Concat(_others.Values));
                _peers = Connect(config);
                _others.Clear();
            }
            Volatile.Write(ref _ownThumbprint, thumbprint);
        }
    }
    /// <summary>Per channel, the peer that last took its transactions: the nodes of a consortium serve different channels.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _preferred = new(StringComparer.Ordinal);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<ChainClient>> _others = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>One admission status per transaction, in order, from the first peer that answers.</summary>
    public async Task<IReadOnlyList<AdmissionStatus>> ForwardAsync(IReadOnlyList<Transaction> transactions, string channel, string? target, string? targetCaPem, int hop, CancellationToken cancel)
    {
        ReconnectIfRenewed();
        var peers = Volatile.Read(ref _peers);
        var headers = new Metadata { { TxRouter.HopHeader, hop.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        var request = new SubmitBatchRequest();
        request.Transactions.AddRange(transactions);
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(target) && targetCaPem is not null && config.Tls is not null
            && !config.Peers.Any(p => string.Equals(p.Endpoint.TrimEnd('/'), target.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)))
        {
            try
            {
                var client = _others.GetOrAdd(target.TrimEnd('/'), endpoint => new Lazy<ChainClient>(() => new ChainClient(endpoint,
                    TlsOptions.FromPemFiles(null, config.Resolve(config.Tls.Certificate), config.Resolve(config.Tls.PrivateKey)).TrustingOnly(targetCaPem))));
                return (await client.Value.Peer.ForwardAsync(request, headers, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancel)).Statuses;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unknown or StatusCode.Internal)
            {
                failures.Add($"{target}: {e.StatusCode} {e.Status.Detail}");
            }
            catch (Exception e) when (e is IOException or HttpRequestException or System.Security.Cryptography.CryptographicException)
            {
                failures.Add($"{target}: {e.Message}");
            }
        }
        IReadOnlyList<AdmissionStatus>? notLeader = null;
        int first = string.IsNullOrEmpty(target) ? -1 : config.Peers.FindIndex(p => string.Equals(p.Endpoint.TrimEnd('/'), target.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
        bool named = first >= 0; // a target that is none of the configured peers counts as no target
        if (!named) first = _preferred.GetValueOrDefault(channel);
        for (int attempt = 0; attempt < peers.Length; attempt++)
        {
            int index = (first + attempt) % peers.Length;
            try
            {
                var response = await peers[index].Value.Peer.ForwardAsync(request, headers, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancel);
                // A peer that does not serve the channel answers WRONG_CHANNEL for all of them: try the next one.
                if (response.Statuses.All(s => s.Is(ErrorCodes.Of(ValidationCode.WrongChannel))))
                {
                    failures.Add($"{config.Peers[index].Endpoint}: does not serve channel '{channel}'");
                    continue;
                }
                // A Raft follower answers NOT_LEADER for all of them: when no leader was named, try the next peer.
                if (!named && response.Statuses.All(s => s.Is(ErrorCodes.NotLeader)))
                {
                    notLeader = response.Statuses;
                    continue;
                }
                _preferred[channel] = index; // stick to a peer that answers
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
        throw new RequestException(ErrorCodes.NoOrderer, $"no node that orders the channel could be reached ({string.Join("; ", failures)})");
    }

    public void Dispose()
    {
        lock (_retired)
            foreach (var peer in _peers.Concat(_others.Values).Concat(_retired).Where(p => p.IsValueCreated)) peer.Value.Dispose();
    }
}
