using System.Diagnostics;
using System.Text.Json;
using Chain.Cli.Commands;
using Chain.Contracts;
using Chain.Contracts.Abstractions;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Sdk.Verification;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Chain.Cli.Portal;

/// <summary>What a portal serves and with which identity (docs/adr/0008-portal.md).</summary>
internal sealed record PortalOptions(
    ChainClient Public, ChainClient? Reader, bool Staff, byte[] LinkSecret, IReadOnlyDictionary<string, byte[]> GenesisHashes,
    string PublicUrl, string CharityChannel = "charity", string FundChannel = "demolition-fund");

/// <summary>
/// The portal's pages, server-rendered from a node's answers. Public pages read unsigned, so they can show only what
/// the chain's public view allows; the donor's and household's pages read with the portal's account behind a signed
/// link; the regulator view and the explorer read with it on an internal portal (<c>--staff</c>).
/// </summary>
internal sealed class PortalSite(PortalOptions options)
{
    private const string Charity = "charity", Fund = "demolition-fund";
    private static readonly FieldUnits CharityUnits = BuiltInContracts.UnitsOf(Charity), FundUnits = BuiltInContracts.UnitsOf(Fund);

    public void Map(WebApplication app)
    {
        app.MapGet("/", context => Serve(context, Home));
        app.MapGet("/search", context => Serve(context, Search));
        app.MapGet("/donation/{id}", context => Serve(context, Donation));
        app.MapGet("/donor/{id}", context => Serve(context, Donor));
        app.MapGet("/campaign/{id}", context => Serve(context, Campaign));
        app.MapGet("/project/{id}", context => Serve(context, Project));
        app.MapGet("/household/{project}/{id}", context => Serve(context, Household));
        app.MapGet("/regulator", context => Serve(context, Regulator, staff: true));
        app.MapGet("/explorer", context => Serve(context, Explorer, staff: true));
        app.MapGet("/explorer/{channel}/block/{number}", context => Serve(context, ExplorerBlock, staff: true));
        app.MapGet("/explorer/tx/{id}", context => Serve(context, ExplorerTx, staff: true));
        app.MapGet("/explorer/tx/{id}/verify", context => Serve(context, VerifyTx, staff: true));
        app.MapGet("/explorer/{channel}/key", context => Serve(context, KeyHistory, staff: true));
        app.MapGet("/explorer/key", context => Serve(context, KeyHistory, staff: true));
    }

    /// <summary>A page's answer: its title and body, or a status other than 200 with a message page.</summary>
    private sealed record Answer(string Title, int Status = 200, string? Redirect = null);

    private sealed class PageFailure(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }

    private async Task Serve(HttpContext context, Func<HttpContext, Html, Task<Answer>> page, bool staff = false)
    {
        var started = Stopwatch.GetTimestamp();
        var lang = Language(context);
        var html = new Html(lang);
        Answer answer;
        try
        {
            if (staff && !options.Staff) throw new PageFailure(StatusCodes.Status404NotFound, html.T("staffOnly"));
            if (staff && options.Reader is null) throw new PageFailure(StatusCodes.Status503ServiceUnavailable, "the portal runs without a reader account (--as or --key)");
            answer = await page(context, html);
        }
        catch (PageFailure e) { html = Failure(lang, e.Status == 404 ? html.T("notFound") : html.T("error"), e.Message); answer = new Answer(html.T("error"), e.Status); }
        catch (RpcException e)
        {
            int status = e.StatusCode switch
            {
                _ when IsNotFound(e) => 404, StatusCode.InvalidArgument => 400, StatusCode.PermissionDenied or StatusCode.Unauthenticated => 403, _ => 502,
            };
            html = Failure(lang, status == 404 ? html.T("notFound") : html.T("error"), e.Status.Detail);
            answer = new Answer(html.T("error"), status);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An answer of an unexpected shape, a malformed stored value: an error page, never a blank 500.
            Console.Error.WriteLine($"error: {context.Request.Path}: {e.GetType().Name}: {e.Message}");
            html = Failure(lang, html.T("error"), e.Message);
            answer = new Answer(html.T("error"), StatusCodes.Status500InternalServerError);
        }
        // Personal pages must not stay in shared caches, and their signed links must not leak to other sites.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        if (answer.Redirect is not null) { context.Response.Redirect(answer.Redirect); return; }
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "text/html; charset=utf-8";
        // How long the page took to build, for operators and the page-time figures in docs/PORTAL.md.
        context.Response.Headers["Server-Timing"] = $"page;dur={Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)}";
        await context.Response.WriteAsync(html.Page(answer.Title, context.Request.Path + QueryWithoutLang(context)));
    }

    private static Html Failure(string lang, string title, string message)
    {
        var html = new Html(lang);
        html.H1(title).P(message, "class=\"bad\" role=\"alert\"");
        return html;
    }

    /// <summary>The visitor's language: <c>?lang=</c> (remembered in a cookie), else the cookie, else Chinese.</summary>
    private static string Language(HttpContext context)
    {
        if (context.Request.Query["lang"].ToString() is "zh" or "en" && context.Request.Query["lang"].ToString() is var chosen)
        {
            context.Response.Cookies.Append("lang", chosen, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365) });
            return chosen;
        }
        return context.Request.Cookies["lang"] is "en" ? "en" : "zh";
    }

    private static string QueryWithoutLang(HttpContext context)
    {
        var kept = context.Request.Query.Where(q => q.Key != "lang").Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}").ToList();
        return kept.Count == 0 ? "" : "?" + string.Join("&", kept);
    }

    private static async Task<JsonElement> QueryAsync(ChainClient client, string channel, string contract, string function, object args, CancellationToken cancel)
    {
        var bytes = await client.QueryAsync(channel, contract, function, JsonSerializer.Serialize(args, JsonSerializerOptions.Web), cancel);
        using var document = JsonDocument.Parse(bytes);
        return document.RootElement.Clone();
    }

    /// <summary>Nothing by that id: the node's NOT_FOUND codes, or the contract's own NOT_FOUND.</summary>
    private static bool IsNotFound(RpcException e) => e.StatusCode == StatusCode.NotFound || ErrorCodes.ContractCodeOf(e) == "NOT_FOUND";

    private ChainClient Reader => options.Reader ?? throw new PageFailure(StatusCodes.Status503ServiceUnavailable, "the portal runs without a reader account (--as or --key)");

    private static string Route(HttpContext context, string name) => (string)context.Request.RouteValues[name]!;

    private static long Fen(JsonElement e, string field) => e.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
    private static string Str(JsonElement e, string field) => e.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    // ---- public pages ----

    private async Task<Answer> Home(HttpContext context, Html html)
    {
        html.H1(html.T("site")).P(html.T("homeIntro"));
        foreach (var charity in new[] { "CharityFoundation", "CharitySmall" })
        {
            JsonElement page;
            try { page = await QueryAsync(options.Public, options.CharityChannel, Charity, "ListCampaigns", new { charityId = charity, limit = 50 }, context.RequestAborted); }
            catch (RpcException e) when (IsNotFound(e)) { continue; }
            var rows = page.GetProperty("items").EnumerateArray().Select(c => (IReadOnlyList<string>)
            [
                $"<a href=\"/campaign/{Html.E(Str(c, "campaignId"))}\">{Html.E(Str(c, "title"))}</a>", Html.E(Str(c, "status")),
                Html.E(Html.Yuan(Fen(c, "target"))), Html.E(Html.Yuan(c.TryGetProperty("totals", out var t) ? Fen(t, "received") : 0)),
            ]);
            html.Table($"{html.T("campaigns")} · {charity}", [html.T("campaign"), html.T("status"), html.T("target"), html.T("raised")], rows);
        }
        if (options.Staff) html.Raw("<p>").Link("/regulator", html.T("regulator")).Raw(" · ").Link("/explorer", html.T("explorer")).Raw("</p>");
        return new Answer(html.T("home"));
    }

    private async Task<Answer> Search(HttpContext context, Html html)
    {
        var q = context.Request.Query["q"].ToString().Trim();
        if (q.Length > 0 && q.Length <= 64 && Hashes.TryFromHex(q) is not { Length: 32 })
        {
            var probes = new (string Channel, string Contract, string Function, object Args, string Page)[]
            {
                (options.CharityChannel, Charity, "PublicTraceDonation", new { donationId = q, maxNodes = 1 }, "/donation/"),
                (options.CharityChannel, Charity, "GetCampaign", new { campaignId = q }, "/campaign/"),
                (options.FundChannel, Fund, "BudgetStatus", new { projectId = q }, "/project/"),
            };
            foreach (var probe in probes)
            {
                try
                {
                    await QueryAsync(options.Public, probe.Channel, probe.Contract, probe.Function, probe.Args, context.RequestAborted);
                    return new Answer("", Redirect: probe.Page + Uri.EscapeDataString(q));
                }
                catch (RpcException e) when (IsNotFound(e) || e.StatusCode == StatusCode.InvalidArgument || ErrorCodes.ContractCodeOf(e) == "BAD_ARGS") { }
            }
        }
        if (options.Staff && Hashes.TryFromHex(q) is { Length: 32 } hash)
        {
            // A transaction id, else a block hash, on any channel the portal's account may read.
            var info = await Reader.Ledger.GetChainInfoAsync(new ChainInfoRequest(), cancellationToken: context.RequestAborted);
            foreach (var channel in info.Channels)
            {
                if (!await MayReadAsync(channel.Channel, context.RequestAborted)) continue;
                try
                {
                    await Reader.Ledger.GetTransactionAsync(new TransactionRequest { Channel = channel.Channel, TxId = q }, cancellationToken: context.RequestAborted);
                    return new Answer("", Redirect: $"/explorer/tx/{Hashes.ToHex(hash)}");
                }
                catch (RpcException e) when (IsNotFound(e)) { }
                try
                {
                    var block = await Reader.Ledger.GetBlockByHashAsync(new BlockByHashRequest { Channel = channel.Channel, Hash = ByteString.CopyFrom(hash) }, cancellationToken: context.RequestAborted);
                    return new Answer("", Redirect: $"/explorer/{Uri.EscapeDataString(channel.Channel)}/block/{block.Header.Number}");
                }
                catch (RpcException e) when (IsNotFound(e)) { }
            }
        }
        if (options.Staff && ulong.TryParse(q, out var number)) return new Answer("", Redirect: $"/explorer/{options.CharityChannel}/block/{number}");
        html.H1(html.T("notFound")).P(html.T("notFoundHint"), "role=\"alert\"");
        return new Answer(html.T("notFound"), 404);
    }

    private async Task<Answer> Donation(HttpContext context, Html html)
    {
        var id = Route(context, "id");
        var trace = await QueryAsync(options.Public, options.CharityChannel, Charity, "PublicTraceDonation", new { donationId = id }, context.RequestAborted);
        WriteTrace(context, html, id, trace, full: false);
        var url = options.PublicUrl + $"/donation/{Uri.EscapeDataString(id)}";
        using var generator = new QRCoder.QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCoder.QRCodeGenerator.ECCLevel.M);
        html.H2(html.T("receiptQr"))
            .Raw($"<a class=\"qr\" id=\"receipt-qr\" href=\"{Html.E(url)}\" aria-label=\"{Html.E(html.T("receiptQrHint"))}\">{new QRCoder.SvgQRCode(data).GetGraphic(4)}</a>")
            .P(html.T("receiptQrHint"));
        return new Answer($"{html.T("donation")} {id}");
    }

    private async Task<Answer> Donor(HttpContext context, Html html)
    {
        var id = Route(context, "id");
        RequireLink(context, html, $"/donor/{id}");
        var trace = await QueryAsync(Reader, options.CharityChannel, Charity, "TraceDonation", new { donationId = id }, context.RequestAborted);
        WriteTrace(context, html, id, trace, full: true);
        var donorRef = Str(trace.GetProperty("donation"), "donorRef");
        if (donorRef.Length > 0)
        {
            var statement = await QueryAsync(Reader, options.CharityChannel, Charity, "DonorStatement", new { donorRef, limit = 100 }, context.RequestAborted);
            html.Json(statement, CharityUnits, html.T("donorStatement"));
        }
        return new Answer(html.T("donorPage"));
    }

    private void RequireLink(HttpContext context, Html html, string path)
    {
        if (!PortalLinks.Check(options.LinkSecret, path, context.Request.Query["exp"], context.Request.Query["sig"], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
            throw new PageFailure(StatusCodes.Status403Forbidden, html.T("linkInvalid"));
    }

    /// <summary>The donation, its totals and every step the money took; <paramref name="full"/> adds the references the public does not see.</summary>
    private static void WriteTrace(HttpContext context, Html html, string id, JsonElement trace, bool full)
    {
        var d = trace.GetProperty("donation");
        html.H1($"{html.T(full ? "donorPage" : "donationTrace")} · {id}");
        var facts = new List<(string, string)>
        {
            (html.T("donation"), Str(d, "donationId")), (html.T("amount"), Html.Yuan(Fen(d, "amount"))), (html.T("donor"), Str(d, "donor")),
            (html.T("date"), Html.ChinaTime(Fen(d, "valueDate"))), (html.T("campaign"), Str(d, "campaignId")), (html.T("charity"), Str(d, "charityId")),
        };
        if (full) facts.Add((html.T("donorRef"), Str(d, "donorRef")));
        html.Facts(html.T("donation"), facts, "donation");
        if (Str(d, "campaignId") is { Length: > 0 } campaignId) html.Raw("<p>").Link($"/campaign/{Uri.EscapeDataString(campaignId)}", html.T("campaign") + " " + campaignId).Raw("</p>");
        html.Facts(html.T("totals"), [(html.T("paid"), Html.Yuan(Fen(trace, "paid"))), (html.T("refunded"), Html.Yuan(Fen(trace, "refunded"))), (html.T("unspent"), Html.Yuan(Fen(trace, "remaining")))], "totals");

        var rows = new List<IReadOnlyList<string>>();
        void Walk(JsonElement node)
        {
            foreach (var use in node.GetProperty("uses").EnumerateArray())
            {
                var evidence = use.TryGetProperty("evidence", out var ev) ? string.Join("<br>", ev.EnumerateArray().Select(x => $"<code>{Html.E(Str(x, "kind"))}: {Html.E(Str(x, "hash"))}</code>")) : "";
                var row = new List<string>
                {
                    Html.E(html.T("step." + Str(use, "type"))), Html.E(Str(use, "id")), Html.E(Html.Yuan(Fen(use, "amount"))), Html.E(Str(use, "category")),
                    Html.E(Str(use, "status") is { Length: > 0 } s ? s : Str(use, "reason")), Html.E(Fen(use, "paidAt") > 0 ? Html.ChinaTime(Fen(use, "paidAt")) : ""), evidence,
                    Html.E(Str(node, "lotId")),
                };
                if (full) row.Add(Html.E(Str(use, "payeeRef")));
                rows.Add(row);
                if (use.TryGetProperty("lots", out var lots)) foreach (var lot in lots.EnumerateArray()) Walk(lot);
            }
        }
        if (trace.TryGetProperty("tree", out var tree) && tree.ValueKind == JsonValueKind.Object) Walk(tree);
        List<string> headers = [html.T("step"), html.T("id"), html.T("amount"), html.T("category"), html.T("status"), html.T("date"), html.T("evidence"), html.T("from")];
        if (full) headers.Add(html.T("payeeRef"));
        html.Table(html.T("steps"), headers, rows, "steps");
    }

    private async Task<Answer> Campaign(HttpContext context, Html html)
    {
        var id = Route(context, "id");
        var answer = await QueryAsync(options.Public, options.CharityChannel, Charity, "GetCampaign", new { campaignId = id }, context.RequestAborted);
        var ledger = await QueryAsync(options.Public, options.CharityChannel, Charity, "CampaignLedger", new { campaignId = id, limit = 1000 }, context.RequestAborted);
        var c = answer.GetProperty("campaign");
        var totals = c.GetProperty("totals");
        html.H1($"{Str(c, "title")} · {id}");
        html.Facts(html.T("campaign"),
        [
            (html.T("charity"), Str(c, "charityId")), (html.T("status"), Str(c, "status")), (html.T("target"), Html.Yuan(Fen(c, "target"))),
            (html.T("raised"), Html.Yuan(Fen(totals, "received"))), (html.T("balance"), Html.Yuan(Fen(answer.GetProperty("pool"), "balance"))),
        ], "campaign");
        html.Facts(html.T("spentByCategory"),
        [
            (html.T("charitable"), Html.Yuan(Fen(totals, "paidCharitable"))), (html.T("management"), Html.Yuan(Fen(totals, "paidManagement"))),
            (html.T("fundraising"), Html.Yuan(Fen(totals, "paidFundraising"))), (html.T("other"), Html.Yuan(Fen(totals, "paidOther"))),
        ], "spent");
        var entries = ledger.GetProperty("entries").EnumerateArray().ToList();
        bool cut = ledger.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String;
        html.H2(html.T("chart")).Raw(FlowChart(html, entries));
        var disclosures = await QueryAsync(options.Public, options.CharityChannel, Charity, "ListDisclosures", new { scope = "Campaign", id, limit = 1000 }, context.RequestAborted);
        html.Table(html.T("disclosures"), [html.T("date"), html.T("kind"), html.T("period"), html.T("by"), html.T("hash")], disclosures.GetProperty("items").EnumerateArray().Select(d => (IReadOnlyList<string>)
        [
            Html.E(Html.ChinaTime(Fen(d, "publishedAt"))), Html.E(Str(d, "kind")), Html.E(Str(d, "period")), Html.E(Str(d, "by")), $"<code>{Html.E(Str(d, "reportHash"))}</code>",
        ]), "disclosures");
        html.Table(html.T("flows"), [html.T("time"), html.T("kind"), html.T("id"), html.T("inflow"), html.T("outflow")], entries.Select(e => (IReadOnlyList<string>)
        [
            Html.E(Html.ChinaTime(Fen(e, "at"))), Html.E(Str(e, "kind")),
            string.Equals(Str(e, "kind"), "donation", StringComparison.OrdinalIgnoreCase) ? $"<a href=\"/donation/{Html.E(Str(e, "id"))}\">{Html.E(Str(e, "id"))}</a>" : Html.E(Str(e, "id")),
            Fen(e, "in") > 0 ? Html.E(Html.Yuan(Fen(e, "in"))) : "", Fen(e, "out") > 0 ? Html.E(Html.Yuan(Fen(e, "out"))) : "",
        ]), "flows");
        if (cut) html.P(string.Format(System.Globalization.CultureInfo.InvariantCulture, html.T("firstOnly"), entries.Count), "class=\"note\"");
        return new Answer(Str(c, "title"));
    }

    /// <summary>Cumulative inflows and outflows over time as an inline SVG with a text alternative.</summary>
    private static string FlowChart(Html html, IReadOnlyList<JsonElement> entries)
    {
        if (entries.Count == 0) return $"<p>{Html.E(html.T("none"))}</p>";
        const int W = 640, H = 220, Pad = 30;
        long t0 = entries.Min(e => Fen(e, "at")), t1 = Math.Max(t0 + 1, entries.Max(e => Fen(e, "at")));
        long cumIn = 0, cumOut = 0;
        var inPoints = new List<(long T, long V)>(); var outPoints = new List<(long T, long V)>();
        foreach (var e in entries.OrderBy(e => Fen(e, "at")))
        {
            cumIn += Fen(e, "in"); cumOut += Fen(e, "out");
            inPoints.Add((Fen(e, "at"), cumIn)); outPoints.Add((Fen(e, "at"), cumOut));
        }
        long max = Math.Max(1, Math.Max(cumIn, cumOut));
        string Path(List<(long T, long V)> points) => string.Join(" ", points.Select(p =>
            FormattableString.Invariant($"{Pad + (double)(p.T - t0) / (t1 - t0) * (W - 2 * Pad):F1},{H - Pad - (double)p.V / max * (H - 2 * Pad):F1}")));
        var summary = $"{html.T("inflow")} {Html.Yuan(cumIn)}, {html.T("outflow")} {Html.Yuan(cumOut)}";
        return $"""
            <svg id="flow-chart" role="img" aria-label="{Html.E(html.T("chart") + ": " + summary)}" viewBox="0 0 {W} {H}" width="{W}" height="{H}">
            <rect x="0" y="0" width="{W}" height="{H}" fill="#fff" stroke="#ccc"/>
            <polyline fill="none" stroke="#176b2c" stroke-width="2" points="{Path(inPoints)}"/>
            <polyline fill="none" stroke="#a00" stroke-width="2" points="{Path(outPoints)}"/>
            <text x="{Pad}" y="18" font-size="12" fill="#176b2c">{Html.E(html.T("inflow"))} {Html.E(Html.Yuan(cumIn))}</text>
            <text x="{W / 2}" y="18" font-size="12" fill="#a00">{Html.E(html.T("outflow"))} {Html.E(Html.Yuan(cumOut))}</text>
            <text x="{Pad}" y="{H - 8}" font-size="11">{Html.E(Html.ChinaTime(t0))}</text>
            <text x="{W - Pad - 100}" y="{H - 8}" font-size="11">{Html.E(Html.ChinaTime(t1))}</text>
            </svg>
            """;
    }

    /// <summary>A household id as a public notice shows a name: the first and last characters, the rest masked.</summary>
    public static string Mask(string id) => id.Length switch
    {
        <= 1 => "*",
        2 => id[0] + "*",
        _ => id[0] + new string('*', id.Length - 2) + id[^1],
    };

    private async Task<Answer> Project(HttpContext context, Html html)
    {
        var id = Route(context, "id");
        var status = await QueryAsync(options.Public, options.FundChannel, Fund, "BudgetStatus", new { projectId = id }, context.RequestAborted);
        html.H1($"{html.T("project")} · {id}");
        html.Facts(html.T("project"),
        [
            (html.T("status"), Str(status, "status")), (html.T("budget"), Html.Yuan(Fen(status, "budget"))), (html.T("deposited"), Html.Yuan(Fen(status, "deposited"))),
            (html.T("committed"), Html.Yuan(Fen(status, "committed"))), (html.T("paid"), Html.Yuan(Fen(status, "paid"))), (html.T("balance"), Html.Yuan(Fen(status, "balance"))),
        ], "budget");
        var rows = new List<IReadOnlyList<string>>();
        for (int round = 1; round <= 999; round++) // the contract numbers rounds 1..999
        {
            JsonElement list;
            try { list = await QueryAsync(options.Public, options.FundChannel, Fund, "PublishedList", new { projectId = id, round }, context.RequestAborted); }
            catch (RpcException e) when (IsNotFound(e)) { break; }
            rows.Add([Html.E(round.ToString(System.Globalization.CultureInfo.InvariantCulture)), Html.E(Html.ChinaTime(Fen(list, "publishedAt"))),
                Html.E(string.Join("、", list.GetProperty("hhIds").EnumerateArray().Select(h => Mask(h.GetString()!)))), $"<code>{Html.E(Str(list, "listHash"))}</code>"]);
        }
        html.Table(html.T("publishedLists"), [html.T("round"), html.T("date"), html.T("households"), html.T("hash")], rows, "published-lists");
        return new Answer($"{html.T("project")} {id}");
    }

    private async Task<Answer> Household(HttpContext context, Html html)
    {
        string project = Route(context, "project"), id = Route(context, "id");
        RequireLink(context, html, $"/household/{project}/{id}");
        var file = await QueryAsync(Reader, options.FundChannel, Fund, "HouseholdFile", new { projectId = project, hhId = id }, context.RequestAborted);
        html.H1($"{html.T("householdPage")} · {id}").Json(file, FundUnits);
        return new Answer(html.T("householdPage"));
    }

    // ---- staff pages ----

    private async Task<Answer> Regulator(HttpContext context, Html html)
    {
        html.H1(html.T("regulator"));
        html.H2(html.T("invariants"));
        foreach (var (channel, contract, units) in new[] { (options.CharityChannel, Charity, CharityUnits), (options.FundChannel, Fund, FundUnits) })
        {
            var check = await QueryAsync(Reader, channel, contract, "CheckInvariants", new { }, context.RequestAborted);
            bool holds = check.TryGetProperty("sound", out var sound) && sound.ValueKind == JsonValueKind.True;
            html.Raw($"<p id=\"invariants-{Html.E(contract)}\">{Html.E(contract)}: <span class=\"{(holds ? "ok" : "bad")}\">{Html.E(html.T(holds ? "holds" : "broken"))}</span></p>");
            html.Json(check, units);
        }
        html.H2(html.T("anomalies"));
        var checks = new (string Channel, string Contract, string Function, FieldUnits Units)[]
        {
            (options.CharityChannel, Charity, "OverdueDisclosures", CharityUnits), (options.CharityChannel, Charity, "IdleFunds", CharityUnits),
            (options.CharityChannel, Charity, "RelatedPartyHits", CharityUnits), (options.CharityChannel, Charity, "UnevidencedOrSelfApproved", CharityUnits),
            (options.FundChannel, Fund, "HouseholdsPaidTwice", FundUnits), (options.FundChannel, Fund, "PaymentsWithoutApprovedAgreement", FundUnits),
            (options.FundChannel, Fund, "SelfApprovedOrSameActor", FundUnits), (options.FundChannel, Fund, "OverduePayments", FundUnits),
            (options.FundChannel, Fund, "PayeeMismatches", FundUnits), (options.FundChannel, Fund, "IdleFunds", FundUnits),
        };
        foreach (var check in checks)
        {
            var answer = await QueryAsync(Reader, check.Channel, check.Contract, check.Function, new { }, context.RequestAborted);
            html.Json(answer, check.Units, $"{check.Contract}.{check.Function}");
        }
        return new Answer(html.T("regulator"));
    }

    private async Task<Answer> Explorer(HttpContext context, Html html)
    {
        var info = await Reader.Ledger.GetChainInfoAsync(new ChainInfoRequest(), cancellationToken: context.RequestAborted);
        html.H1(html.T("explorer"));
        foreach (var channel in info.Channels)
        {
            if (!await MayReadAsync(channel.Channel, context.RequestAborted)) continue; // a channel the portal's account is not enrolled on
            var rows = new List<IReadOnlyList<string>>();
            for (ulong n = channel.Height; n-- > 0 && channel.Height - n <= 10;)
            {
                var block = await Reader.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = channel.Channel, Number = n }, cancellationToken: context.RequestAborted);
                rows.Add([$"<a href=\"/explorer/{Html.E(channel.Channel)}/block/{n}\">{n}</a>", Html.E(Html.ChinaTime(block.Header.TimestampMs)),
                    Html.E(block.Transactions.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"<code>{Html.E(Hashes.ToHex(ProtocolHashes.BlockHash(block.Header)))}</code>"]);
            }
            html.Table($"{html.T("channel")} {channel.Channel} · {html.T("height")} {channel.Height}", [html.T("block"), html.T("time"), html.T("transactions"), html.T("hash")], rows, $"blocks-{channel.Channel}");
        }
        html.H2(html.T("keyHistory")).Raw($"""
            <form action="/explorer/key" method="get" id="key-form">
            <label>{Html.E(html.T("channel"))} <input name="channel" value="{Html.E(options.CharityChannel)}"></label>
            <label>{Html.E(html.T("contract"))} <input name="contract" value="{Html.E(Charity)}"></label>
            <label>{Html.E(html.T("key"))} <input name="key" required></label>
            <button type="submit">{Html.E(html.T("go"))}</button></form>
            """);
        return new Answer(html.T("explorer"));
    }

    private async Task<bool> MayReadAsync(string channel, CancellationToken cancel)
    {
        try
        {
            await Reader.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = channel, Number = 0 }, cancellationToken: cancel);
            return true;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated) { return false; }
    }

    private async Task<Answer> ExplorerBlock(HttpContext context, Html html)
    {
        var channel = Route(context, "channel");
        if (!ulong.TryParse(Route(context, "number"), out var number)) throw new PageFailure(400, $"'{Route(context, "number")}' is not a block number");
        var block = await Reader.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = channel, Number = number }, cancellationToken: context.RequestAborted);
        var h = block.Header;
        html.H1($"{html.T("block")} {channel} #{number}");
        html.Facts(html.T("block"),
        [
            (html.T("hash"), Hashes.ToHex(ProtocolHashes.BlockHash(h))), (html.T("previous"), Names(h.PreviousHash)), (html.T("stateRoot"), Names(h.StateRoot)),
            (html.T("time"), Html.ChinaTime(h.TimestampMs)), (html.T("proposer"), h.Proposer), (html.T("signer"), string.Join(", ", block.Signatures.Select(s => Address.ToText(s.Signer.Span)))),
        ], "block");
        html.Table(html.T("transactions"), [html.T("txId"), html.T("function"), html.T("code")], block.Transactions.Select((t, i) =>
        {
            var id = Hashes.ToHex(ProtocolHashes.TxId(t.Payload.Span));
            var payload = TxPayload.Parser.ParseFrom(t.Payload);
            return (IReadOnlyList<string>)[$"<a href=\"/explorer/tx/{id}\"><code>{id}</code></a>", Html.E($"{payload.Contract}.{payload.Function}"), Html.E(ErrorCodes.NameOf(block.Results[i].Code))];
        }), "block-transactions");
        return new Answer($"{html.T("block")} {number}");
    }

    private static string Names(ByteString bytes) => Hashes.ToHex(bytes.Span);

    /// <summary>The channel holding a transaction: the first of the node's channels that has it.</summary>
    private async Task<(string Channel, TransactionResponse Tx)> FindTxAsync(string id, CancellationToken cancel)
    {
        if (Hashes.TryFromHex(id) is not { Length: 32 }) throw new PageFailure(400, $"'{id}' is not a 64-character hex transaction id");
        var info = await Reader.Ledger.GetChainInfoAsync(new ChainInfoRequest(), cancellationToken: cancel);
        foreach (var channel in info.Channels)
        {
            if (!await MayReadAsync(channel.Channel, cancel)) continue;
            try { return (channel.Channel, await Reader.Ledger.GetTransactionAsync(new TransactionRequest { Channel = channel.Channel, TxId = id }, cancellationToken: cancel)); }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { }
        }
        throw new PageFailure(404, $"no channel of this node holds transaction {id}");
    }

    private async Task<Answer> ExplorerTx(HttpContext context, Html html)
    {
        var id = Route(context, "id");
        var (channel, tx) = await FindTxAsync(id, context.RequestAborted);
        WriteTx(html, channel, id, tx);
        html.Raw($"<form action=\"/explorer/tx/{Html.E(id)}/verify\" method=\"get\"><button id=\"verify\" type=\"submit\">{Html.E(html.T("verify"))}</button></form>");
        return new Answer($"{html.T("transaction")} {id[..12]}…");
    }

    private static void WriteTx(Html html, string channel, string id, TransactionResponse tx)
    {
        var p = tx.Payload;
        var units = BuiltInContracts.UnitsOf(p.Contract);
        html.H1($"{html.T("transaction")} {id[..12]}…");
        html.Facts(html.T("transaction"),
        [
            (html.T("txId"), id), (html.T("channel"), channel), (html.T("block"), $"{tx.BlockNumber} / {tx.TxIndex}"), (html.T("code"), ErrorCodes.NameOf(tx.Result.Code)),
            (html.T("function"), $"{p.Contract}.{p.Function}"), (html.T("signer"), Address.ToText(p.Creator.Span)), (html.T("time"), Html.ChinaTime(p.TimestampMs)),
        ], "tx");
        if (tx.Result.Message.Length > 0) html.P(tx.Result.Message, "class=\"bad\"");
        try
        {
            using var args = JsonDocument.Parse(p.Args.Memory);
            html.Json(args.RootElement, units, html.T("args"));
        }
        catch (JsonException) { html.P(html.T("args") + ": 0x" + Hashes.ToHex(p.Args.Span)); }
        foreach (var e in tx.Result.Events)
        {
            try
            {
                using var payload = JsonDocument.Parse(e.Payload.Memory);
                html.Json(payload.RootElement, units, $"{html.T("events")}: {e.Contract}.{e.Name}");
            }
            catch (JsonException) { html.P($"{e.Contract}.{e.Name}"); }
        }
    }

    private async Task<Answer> VerifyTx(HttpContext context, Html html)
    {
        var id = Route(context, "id");
        var (channel, tx) = await FindTxAsync(id, context.RequestAborted);
        WriteTx(html, channel, id, tx);
        html.H2(html.T("verify"));
        if (!options.GenesisHashes.TryGetValue(channel, out var genesis))
        {
            html.P(html.T("noAnchor"), "id=\"verify-result\" class=\"bad\" role=\"status\"");
            return new Answer(html.T("verify"));
        }
        var receipt = await Reader.Ledger.GetReceiptAsync(new ReceiptRequest { Channel = channel, TxId = id }, cancellationToken: context.RequestAborted);
        try
        {
            var verified = ProofVerifier.VerifyReceipt(receipt, genesis);
            html.Raw($"<p id=\"verify-result\" class=\"ok\" role=\"status\">{Html.E(html.T("verified"))}</p>");
            html.Facts(html.T("verify"), [(html.T("block"), verified.Tx.Header.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)), (html.T("hash"), Hashes.ToHex(verified.Tx.BlockHash)),
                (html.T("genesis"), Hashes.ToHex(genesis))]);
        }
        catch (VerificationException e) { html.Raw($"<p id=\"verify-result\" class=\"bad\" role=\"status\">{Html.E(html.T("notVerified"))}: {Html.E(e.Message)}</p>"); }
        return new Answer(html.T("verify"));
    }

    private async Task<Answer> KeyHistory(HttpContext context, Html html)
    {
        var channel = context.Request.RouteValues.TryGetValue("channel", out var routed) ? (string)routed! : context.Request.Query["channel"].ToString();
        string contract = context.Request.Query["contract"].ToString(), key = context.Request.Query["key"].ToString();
        if (contract.Length == 0 || key.Length == 0) throw new PageFailure(400, "give ?contract=…&key=…");
        var history = await Reader.Ledger.GetKeyHistoryAsync(new KeyHistoryRequest { Channel = channel, Contract = contract, Key = key, PageSize = 100 }, cancellationToken: context.RequestAborted);
        html.H1($"{html.T("keyHistory")} · {contract} {key}");
        html.Table(html.T("keyHistory"), [html.T("block"), html.T("txId"), html.T("time"), html.T("value")], history.Entries.Select(m => (IReadOnlyList<string>)
        [
            Html.E(m.BlockNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"<a href=\"/explorer/tx/{Html.E(m.TxId)}\"><code>{Html.E(m.TxId)}</code></a>",
            Html.E(Html.ChinaTime(m.TimestampMs)), m.IsDelete ? Html.E(html.T("deleted")) : $"<code>{Html.E(m.Value.ToStringUtf8())}</code>",
        ]), "key-history");
        return new Answer(html.T("keyHistory"));
    }
}
