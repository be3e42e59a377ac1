using Chain.Protocol;
using Chain.Sdk.Client;
using Grpc.Core;

namespace Chain.Tests.TestKit;

/// <summary>
/// A node that lies to the nodes pulling blocks from it (a <see cref="PeerServer"/> showing a real node certificate):
/// it streams the blocks of a real node's PullBlocks and passes every block from <c>forgeFrom</c> on through
/// <c>forge</c> before sending it.
/// </summary>
public static class ForgingPeer
{
    /// <param name="pullWith">The TLS with which it pulls from <paramref name="realPeerEndpoint"/>.</param>
    public static Task<PeerServer> StartAsync(string realPeerEndpoint, TlsOptions pullWith, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate,
        ulong forgeFrom, Func<Block, Block> forge) =>
        PeerServer.StartAsync<LyingPeer, Source>(certificate, new Source(new ChainClient(realPeerEndpoint, pullWith), forgeFrom, forge));

    internal sealed record Source(ChainClient Real, ulong ForgeFrom, Func<Block, Block> Forge);

    internal sealed class LyingPeer(Source source) : Peer.PeerBase
    {
        public override async Task PullBlocks(PullBlocksRequest request, IServerStreamWriter<Block> responseStream, ServerCallContext context)
        {
            using var call = source.Real.Peer.PullBlocks(request, cancellationToken: context.CancellationToken);
            await context.WriteResponseHeadersAsync(await call.ResponseHeadersAsync);
            await foreach (var block in call.ResponseStream.ReadAllAsync(context.CancellationToken))
                await responseStream.WriteAsync(block.Header.Number >= source.ForgeFrom ? source.Forge(block.Clone()) : block);
        }
    }
}
