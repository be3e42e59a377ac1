using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Tests.TestKit;
using PuppeteerSharp;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>
/// A real node with both demo scenarios loaded, the portal as its own process, and Debian's Chromium driving the
/// pages as a visitor would. Screenshots of each page land in <see cref="ScreenshotDir"/>.
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public static string ScreenshotDir { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "portal");

    private readonly TempDirectory _dir = new();
    private Process? _portal;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _portalLog = new();

    public NodeProcess Node { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string Url { get; private set; } = "";
    public string LinkSecret => _dir.Combine("link.secret");
    public JsonElement Charity { get; private set; }
    public JsonElement Fund { get; private set; }

    public async Task InitializeAsync()
    {
        Node = await NodeProcess.StartAsync();
        var loads = await Task.WhenAll(
            ChainBinary.RunAsync("--endpoint", Node.Endpoint, "charity", "demo", "--prefix", "pt", "--crypto", Node.CryptoDir, "-o", "json"),
            ChainBinary.RunAsync("--endpoint", Node.Endpoint, "fund", "demo", "--prefix", "pt", "--crypto", Node.CryptoDir, "-o", "json"));
        foreach (var load in loads) Assert.True(load.ExitCode == 0, load.StdErr);
        Charity = JsonDocument.Parse(loads[0].StdOut).RootElement.Clone();
        Fund = JsonDocument.Parse(loads[1].StdOut).RootElement.Clone();

        int port = NodeProcess.FreePort();
        Url = $"http://127.0.0.1:{port}";
        var genesis = Node.Config.Channels.Where(c => c.GenesisFile is not null).Select(c => Node.Config.Resolve(c.GenesisFile!));
        _portal = ChainBinary.Start(["--endpoint", Node.Endpoint, "portal", "--listen", $"127.0.0.1:{port}", "--as", "AuditBureau/auditor1", "--crypto", Node.CryptoDir,
            "--staff", "--link-secret", LinkSecret, "--genesis", .. genesis]);
        var ready = new TaskCompletionSource();
        _portal.OutputDataReceived += (_, e) => { if (e.Data is { } line) { _portalLog.Enqueue(line); if (line.StartsWith("portal ready", StringComparison.Ordinal)) ready.TrySetResult(); } };
        _portal.ErrorDataReceived += (_, e) => { if (e.Data is { } line) _portalLog.Enqueue(line); };
        _portal.BeginOutputReadLine();
        _portal.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(t => { if (t.IsFaulted) throw new InvalidOperationException("the portal did not start:\n" + string.Join('\n', _portalLog)); });

        Directory.CreateDirectory(ScreenshotDir);
        Browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = ChromiumPath(), Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
        });
    }

    /// <summary>Debian's chromium (.ci/run installs it); CHROMIUM_PATH names another.</summary>
    private static string ChromiumPath()
    {
        if (Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path) return path;
        foreach (var candidate in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" })
            if (File.Exists(candidate)) return candidate;
        throw new InvalidOperationException("no Chromium found: install Debian's 'chromium' package (.ci/run does) or set CHROMIUM_PATH");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        if (_portal is { HasExited: false })
        {
            _portal.Kill(entireProcessTree: true);
            await _portal.WaitForExitAsync();
        }
        _portal?.Dispose();
        await Node.DisposeAsync();
        _dir.Dispose();
    }
}

public sealed class PortalBrowserTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private async Task<IPage> OpenAsync(string path, string lang = "en")
    {
        var page = await portal.Browser.NewPageAsync();
        var response = await page.GoToAsync(portal.Url + path + (path.Contains('?') ? '&' : '?') + "lang=" + lang);
        Assert.True(response.Ok, $"{path}: {response.Status}");
        return page;
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.ScreenshotAsync(Path.Combine(PortalFixture.ScreenshotDir, name + ".png"), new ScreenshotOptions { FullPage = true });
        // The page's own server time, next to its picture (docs/PORTAL.md quotes these).
        var timing = await page.EvaluateExpressionAsync<string>("performance.getEntriesByType('navigation')[0].serverTiming.map(t => t.duration).join(',')");
        File.AppendAllText(Path.Combine(PortalFixture.ScreenshotDir, "server-timing.txt"), $"{name} {timing} ms\n");
    }

    private static async Task<List<List<string>>> RowsAsync(IPage page, string tableId) =>
        (await page.EvaluateFunctionAsync<string[][]>(
            "id => [...document.querySelectorAll('#' + id + ' tbody tr')].map(r => [...r.querySelectorAll('th,td')].map(c => c.innerText.trim()))", tableId))
        .Select(r => r.ToList()).ToList();

    private static IEnumerable<string> Strings(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Strings),
        JsonValueKind.String => [e.GetString()!],
        _ => [],
    };

    private static long FenOf(string yuanText) => (long)(decimal.Parse(yuanText.Replace("¥", "").Replace(",", ""), CultureInfo.InvariantCulture) * 100);

    /// <summary>An amount as `chain … -o json` prints it: fen as a number, or yuan as text.</summary>
    private static long FenOf(JsonElement amount) => amount.ValueKind == JsonValueKind.Number ? amount.GetInt64() : FenOf(amount.GetString()!);

    /// <summary>Every step of a trace in the order the page lists them: id and amount.</summary>
    private static List<(string Id, long Fen)> Steps(JsonElement node)
    {
        var steps = new List<(string, long)>();
        foreach (var use in node.GetProperty("uses").EnumerateArray())
        {
            steps.Add((use.GetProperty("id").GetString()!, FenOf(use.GetProperty("amount"))));
            if (use.TryGetProperty("lots", out var lots)) foreach (var lot in lots.EnumerateArray()) steps.AddRange(Steps(lot));
        }
        return steps;
    }

    private async Task<JsonElement> CliTraceAsync(string donation)
    {
        var cli = await ChainBinary.RunAsync("--endpoint", portal.Node.Endpoint, "charity", "trace", "donation", donation, "--as", "AuditBureau/auditor1", "--crypto", portal.Node.CryptoDir, "-o", "json");
        Assert.True(cli.ExitCode == 0, cli.StdErr);
        return JsonDocument.Parse(cli.StdOut).RootElement;
    }

    [Fact]
    public async Task TheDonationTrace_OpenedFromItsReceiptQr_ShowsTheStepsAndAmountsOfTheCliTrace_AndNoPersonalField()
    {
        var donation = portal.Charity.GetProperty("sampleDonation").GetString()!;
        await using var first = await OpenAsync($"/donation/{donation}");
        Assert.NotNull(await first.QuerySelectorAsync("#receipt-qr svg"));
        var qrLink = await first.EvaluateExpressionAsync<string>("document.querySelector('#receipt-qr').href");
        Assert.EndsWith($"/donation/{donation}", qrLink);

        await using var page = await portal.Browser.NewPageAsync();
        Assert.True((await page.GoToAsync(qrLink)).Ok);
        await ScreenshotAsync(page, "donation-trace");
        var cli = await CliTraceAsync(donation);
        var totals = (await RowsAsync(page, "totals")).ToDictionary(r => r[0], r => FenOf(r[1]));
        Assert.Equal(FenOf(cli.GetProperty("paid")), totals.Values.ElementAt(0));
        Assert.Equal(FenOf(cli.GetProperty("refunded")), totals.Values.ElementAt(1));
        Assert.Equal(FenOf(cli.GetProperty("remaining")), totals.Values.ElementAt(2));
        var steps = (await RowsAsync(page, "steps")).Select(r => (r[1], FenOf(r[2]))).ToList();
        var expected = Steps(cli.GetProperty("tree"));
        Assert.NotEmpty(expected);
        Assert.Equal(expected, steps);

        // Nothing that names a person: the donor's reference and the payees' references the full trace holds.
        var text = await page.EvaluateExpressionAsync<string>("document.documentElement.outerHTML");
        var personal = new List<string>();
        if (cli.GetProperty("donation").TryGetProperty("donorRef", out var donorRef) && donorRef.ValueKind == JsonValueKind.String) personal.Add(donorRef.GetString()!);
        void Payees(JsonElement node)
        {
            foreach (var use in node.GetProperty("uses").EnumerateArray())
            {
                if (use.TryGetProperty("payeeRef", out var payee) && payee.ValueKind == JsonValueKind.String) personal.Add(payee.GetString()!);
                if (use.TryGetProperty("lots", out var lots)) foreach (var lot in lots.EnumerateArray()) Payees(lot);
            }
        }
        Payees(cli.GetProperty("tree"));
        Assert.NotEmpty(personal);
        Assert.All(personal, secret => Assert.DoesNotContain(secret, text));
    }

    [Fact]
    public async Task TheDonorsPage_ReachedByTheBanksLink_ShowsTheirReference_AndAnAlteredLinkIsRefused()
    {
        var donation = portal.Charity.GetProperty("sampleDonation").GetString()!;
        var link = await ChainBinary.RunAsync("portal", "link", "--donation", donation, "--link-secret", portal.LinkSecret, "--base", portal.Url);
        Assert.True(link.ExitCode == 0, link.StdErr);
        var url = link.StdOut.Trim();
        await using var page = await portal.Browser.NewPageAsync();
        Assert.True((await page.GoToAsync(url + "&lang=en")).Ok);
        await ScreenshotAsync(page, "donor-page");
        var donorRef = (await CliTraceAsync(donation)).GetProperty("donation").GetProperty("donorRef").GetString()!;
        Assert.Contains(donorRef, await page.EvaluateExpressionAsync<string>("document.querySelector('#donation').innerText"));

        var other = portal.Charity.GetProperty("prefix").GetString() + "-d02";
        var response = await page.GoToAsync(url.Replace($"/donor/{donation}", $"/donor/{other}"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, response.Status);
        Assert.DoesNotContain(donorRef, await page.EvaluateExpressionAsync<string>("document.documentElement.outerHTML"));
    }

    [Fact]
    public async Task TheProjectPage_PublishesTheHouseholdListMasked()
    {
        var project = portal.Fund.GetProperty("projectId").GetString()!;
        var list = JsonDocument.Parse(await portal.Node.Client.QueryAsync("demolition-fund", "demolition-fund", "PublishedList", JsonSerializer.Serialize(new { projectId = project, round = 1 }))).RootElement;
        var households = list.GetProperty("hhIds").EnumerateArray().Select(h => h.GetString()!).ToList();
        Assert.NotEmpty(households);

        await using var page = await OpenAsync($"/project/{project}");
        await ScreenshotAsync(page, "project");
        var rows = await RowsAsync(page, "published-lists");
        var shown = rows[0][2].Split('、');
        Assert.Equal(households.Count, shown.Length);
        Assert.All(shown, name => Assert.Contains('*', name));
        Assert.Empty(shown.Intersect(households));
        var budget = (await RowsAsync(page, "budget")).ToDictionary(r => r[0], r => r[1]);
        Assert.Equal(portal.Fund.GetProperty("budgetFen").GetInt64(), FenOf(budget["Budget"]));

        // The household itself, by the office's link, sees its own file under its own id.
        var household = households[0];
        var link = await ChainBinary.RunAsync("portal", "link", "--household", $"{project}/{household}", "--link-secret", portal.LinkSecret, "--base", portal.Url);
        Assert.True(link.ExitCode == 0, link.StdErr);
        Assert.True((await page.GoToAsync(link.StdOut.Trim())).Ok);
        await ScreenshotAsync(page, "household");
        // What the contract holds for this household, not only its id from the address: its agreement and payment ids.
        var file = JsonDocument.Parse(await portal.Node.Client.QueryAsync("demolition-fund", "demolition-fund", "HouseholdFile", JsonSerializer.Serialize(new { projectId = project, hhId = household }))).RootElement;
        var prefix = project[..(project.IndexOf('-') + 1)]; // the demo names its records "<prefix>-…"
        var ids = Strings(file).Where(v => v.StartsWith(prefix, StringComparison.Ordinal) && v != project).Distinct().ToList();
        Assert.NotEmpty(ids);
        var text = await page.EvaluateExpressionAsync<string>("document.querySelector('main').innerText");
        Assert.All(ids, id => Assert.Contains(id, text));
    }

    [Fact]
    public async Task TheExplorer_FindsATransactionById_AndVerifiesItsReceiptInThePortal()
    {
        var block = await portal.Node.Client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "charity", Number = 2 });
        var txId = Chain.Sdk.Crypto.Hashes.ToHex(Chain.Sdk.Encoding.ProtocolHashes.TxId(block.Transactions[0].Payload.Span));
        await using var page = await OpenAsync("/explorer");
        await ScreenshotAsync(page, "explorer");
        await page.TypeAsync("#q", txId);
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("form[role=search] button"));
        Assert.Contains(txId, await page.EvaluateExpressionAsync<string>("document.querySelector('#tx').innerText"));
        await ScreenshotAsync(page, "transaction");
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("#verify"));
        Assert.Equal("ok", await page.EvaluateExpressionAsync<string>("document.querySelector('#verify-result').className"));
        await ScreenshotAsync(page, "verified");

        // A block hash finds its block, whose page is in Chinese throughout when Chinese is chosen.
        var blockHash = Chain.Sdk.Crypto.Hashes.ToHex(Chain.Sdk.Encoding.ProtocolHashes.BlockHash(block.Header));
        Assert.True((await page.GoToAsync($"{portal.Url}/search?q={blockHash}&lang=zh")).Ok);
        Assert.EndsWith("/explorer/charity/block/2", page.Url);
        var blockText = await page.EvaluateExpressionAsync<string>("document.querySelector('main').innerText");
        Assert.Contains("状态根", blockText);
        foreach (var english in new[] { "State root", "Proposer", "Previous block", "Transactions" }) Assert.DoesNotContain(english, blockText);

        // A campaign's state key, through the explorer's key-history form: every change, each linked to its transaction.
        var campaign = portal.Charity.GetProperty("prefix").GetString() + "-edu";
        Assert.True((await page.GoToAsync($"{portal.Url}/explorer?lang=en")).Ok);
        await page.EvaluateFunctionAsync("k => { const f = document.querySelector('#key-form'); f.channel.value = 'charity'; f.contract.value = 'charity'; f.key.value = k; }",
            Chain.Contracts.Charity.CharityKeys.Campaign(campaign));
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("#key-form button"));
        var changes = await RowsAsync(page, "key-history");
        var expected = await portal.Node.Client.Ledger.GetKeyHistoryAsync(new KeyHistoryRequest { Channel = "charity", Contract = "charity", Key = Chain.Contracts.Charity.CharityKeys.Campaign(campaign), PageSize = 100 });
        Assert.Equal(expected.Entries.Select(e => e.TxId), changes.Select(r => r[1]));
    }

    [Fact]
    public async Task TheLanguageSwitch_ChangesEveryLabel_AndIsRemembered()
    {
        await using var page = await OpenAsync("/", lang: "zh");
        Assert.Equal("公益与征收资金公开平台", await page.EvaluateExpressionAsync<string>("document.querySelector('h1').innerText"));
        Assert.Equal("zh-CN", await page.EvaluateExpressionAsync<string>("document.documentElement.lang"));
        await ScreenshotAsync(page, "home-zh");
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("#lang-switch"));
        Assert.Equal("Charity and Compensation Funds Portal", await page.EvaluateExpressionAsync<string>("document.querySelector('h1').innerText"));
        // Remembered: the next page, without ?lang, is in English too.
        var campaign = portal.Charity.GetProperty("prefix").GetString() + "-edu";
        Assert.True((await page.GoToAsync($"{portal.Url}/campaign/{campaign}")).Ok);
        Assert.Equal("en", await page.EvaluateExpressionAsync<string>("document.documentElement.lang"));
        Assert.NotNull(await page.QuerySelectorAsync("#flow-chart"));
        Assert.NotEmpty((await RowsAsync(page, "disclosures")).Where(r => r.Count == 5)); // the demo publishes the campaign's disclosures
        await ScreenshotAsync(page, "campaign-en");
    }

    [Fact]
    public async Task TheRegulatorView_ShowsBothContractsInvariantsHolding()
    {
        await using var page = await OpenAsync("/regulator");
        await ScreenshotAsync(page, "regulator");
        foreach (var contract in new[] { "charity", "demolition-fund" })
            Assert.Equal("ok", await page.EvaluateExpressionAsync<string>($"document.querySelector('#invariants-{contract} span').className"));
    }
}
