using Chain.Node.Storage;
using Chain.Node.Storage.Rocks;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Node.Storage;

public class RocksStoreTests
{
    /// <summary>
    /// A column written a little per block flushes rarely; unbounded, it kept every write-ahead log file since its last
    /// flush (gigabytes on a large ledger, all replayed at restart). The bound makes RocksDB flush it instead.
    /// </summary>
    [Fact]
    public void TheWriteAheadLog_StaysNearItsBound_WhenOneColumnIsWrittenALittleAndAnotherALot()
    {
        using var dir = new TempDirectory();
        const ulong Bound = 4UL << 20;
        using (var store = RocksStore.Open(dir.Path, maxWalBytes: Bound))
        {
            var value = new byte[16 * 1024];
            for (int block = 0; block < 2_000; block++) // 32 MB into one column, a few bytes into another, per "block"
            {
                using var batch = store.CreateBatch();
                batch.Put(Column.History, KeyCodec.BlockNumber((ulong)block), value);
                batch.Put(Column.BlockHashes, KeyCodec.BlockNumber((ulong)block), [1]);
                batch.Commit(sync: false);
            }
            // The flushes the bound asks for run in the background; on a loaded machine they trail the writer, so allow
            // them to finish. Unbounded, the small column is never flushed and the log stays at 32 MB however long we wait.
            long logBytes = store.Sizes().Log;
            for (var waited = System.Diagnostics.Stopwatch.StartNew(); logBytes >= 4 * (long)Bound && waited.Elapsed < TimeSpan.FromSeconds(20);)
            {
                Thread.Sleep(100);
                logBytes = store.Sizes().Log;
            }
            Assert.True(logBytes < 4 * (long)Bound, $"{logBytes / 1e6:F1} MB of write-ahead log against a bound of {Bound / 1e6:F1} MB");
            Assert.NotNull(store.Get(Column.BlockHashes, KeyCodec.BlockNumber(0)));
        }
    }
}
