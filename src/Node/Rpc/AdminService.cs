using Chain.Node.Channels;
using Chain.Node.Hosting;
using Chain.Node.Ledger;
using Chain.Protocol;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Rpc;

/// <summary>Operator calls on the admin socket only (<see cref="AdminSocket"/>): the socket file's permissions are the access rule.</summary>
internal sealed class AdminService(ChannelDirectory channels, NodeIdentity identity, TimeProvider clock, ILogger<AdminService> logger) : Admin.AdminBase
{
    public override async Task<BackupResponse> Backup(BackupRequest request, ServerCallContext context)
    {
        var byName = channels.All.ToDictionary(c => c.Name);
        try
        {
            // Checkpoints hard-link and copy files: off the request thread, while the channels go on committing.
            var manifest = await Task.Run(() => LedgerBackup.Write(identity.NodeId, byName.Keys.ToList(), (channel, target) => byName[channel].Ledger.Checkpoint(target),
                request.OutDir, clock.GetUtcNow()), context.CancellationToken);
            logger.LogInformation("backup written to {Folder}: {Channels}", request.OutDir, string.Join(", ", manifest.Channels.Select(c => $"{c.Channel} at height {c.Height}")));
            return new BackupResponse { ManifestJson = LedgerBackup.ToJson(manifest) };
        }
        catch (Exception e) when (e is BackupRefusedException or Storage.StorageException or IOException or UnauthorizedAccessException)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }
}
