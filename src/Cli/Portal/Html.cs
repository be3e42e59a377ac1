using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Chain.Contracts.Abstractions;

namespace Chain.Cli.Portal;

/// <summary>
/// How the portal writes HTML: every value encoded, amounts in yuan, times in China time (UTC+8), labels in the
/// visitor's language (<see cref="Labels"/>), and a generic rendering of a contract's JSON answer that formats the
/// fields its <see cref="FieldUnits"/> declare.
/// </summary>
internal sealed class Html(string lang)
{
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);
    private readonly StringBuilder _out = new();

    public string Lang { get; } = lang;

    // Chinese text stays readable in the source; only what HTML needs is escaped.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    public static string E(string? text) => Encoder.Encode(text ?? "");

    public string T(string key) => Labels.Get(Lang, key);

    public Html Raw(string html) { _out.Append(html); return this; }
    public Html Text(string? text) { _out.Append(E(text)); return this; }
    public Html Tag(string tag, string? text, string? attributes = null) { _out.Append('<').Append(tag).Append(attributes is null ? "" : " " + attributes).Append('>').Append(E(text)).Append("</").Append(tag).Append('>'); return this; }
    public Html H1(string text) => Tag("h1", text);
    public Html H2(string text) => Tag("h2", text);
    public Html P(string text, string? attributes = null) => Tag("p", text, attributes);
    public Html Link(string href, string text, string? attributes = null) { _out.Append($"<a href=\"{E(href)}\"{(attributes is null ? "" : " " + attributes)}>{E(text)}</a>"); return this; }

    public static string Yuan(long fen) => "¥" + (fen / 100m).ToString("#,##0.00", CultureInfo.InvariantCulture);
    public static string ChinaTime(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToOffset(ChinaOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Key–value rows, with a caption, for facts about one object.</summary>
    public Html Facts(string caption, IEnumerable<(string Label, string Value)> rows, string? id = null)
    {
        _out.Append($"<table class=\"facts\"{(id is null ? "" : $" id=\"{E(id)}\"")}><caption>{E(caption)}</caption><tbody>");
        foreach (var (label, value) in rows) _out.Append($"<tr><th scope=\"row\">{E(label)}</th><td>{E(value)}</td></tr>");
        _out.Append("</tbody></table>");
        return this;
    }

    /// <summary>A table of rows; cells are already HTML (encode with <see cref="E"/>).</summary>
    public Html Table(string caption, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? id = null)
    {
        _out.Append($"<table{(id is null ? "" : $" id=\"{E(id)}\"")}><caption>{E(caption)}</caption><thead><tr>");
        foreach (var h in headers) _out.Append($"<th scope=\"col\">{E(h)}</th>");
        _out.Append("</tr></thead><tbody>");
        int count = 0;
        foreach (var row in rows)
        {
            count++;
            _out.Append("<tr>");
            foreach (var cell in row) _out.Append("<td>").Append(cell).Append("</td>");
            _out.Append("</tr>");
        }
        if (count == 0) _out.Append($"<tr><td colspan=\"{headers.Count}\">{E(T("none"))}</td></tr>");
        _out.Append("</tbody></table>");
        return this;
    }

    /// <summary>A contract's answer as nested tables: money in yuan, areas in m², times in China time.</summary>
    public Html Json(JsonElement value, FieldUnits units, string? caption = null)
    {
        _out.Append("<div class=\"json\">");
        if (caption is not null) _out.Append($"<h3>{E(caption)}</h3>");
        Render(value, units, null);
        _out.Append("</div>");
        return this;
    }

    private void Render(JsonElement value, FieldUnits units, string? field)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                _out.Append("<dl>");
                foreach (var p in value.EnumerateObject())
                {
                    _out.Append($"<dt>{E(p.Name)}</dt><dd>");
                    Render(p.Value, units, p.Name);
                    _out.Append("</dd>");
                }
                _out.Append("</dl>");
                break;
            case JsonValueKind.Array:
                var items = value.EnumerateArray().ToList();
                if (items.Count == 0) { _out.Append(E(T("none"))); break; }
                if (items.All(i => i.ValueKind == JsonValueKind.Object))
                {
                    var columns = items.SelectMany(i => i.EnumerateObject().Select(p => p.Name)).Distinct().ToList();
                    _out.Append("<table><thead><tr>");
                    foreach (var c in columns) _out.Append($"<th scope=\"col\">{E(c)}</th>");
                    _out.Append("</tr></thead><tbody>");
                    foreach (var item in items)
                    {
                        _out.Append("<tr>");
                        foreach (var c in columns)
                        {
                            _out.Append("<td>");
                            if (item.TryGetProperty(c, out var cell)) Render(cell, units, c);
                            _out.Append("</td>");
                        }
                        _out.Append("</tr>");
                    }
                    _out.Append("</tbody></table>");
                }
                else
                {
                    _out.Append("<ul>");
                    foreach (var item in items) { _out.Append("<li>"); Render(item, units, field); _out.Append("</li>"); }
                    _out.Append("</ul>");
                }
                break;
            case JsonValueKind.String when field is not null && RecordPages.TryGetValue(field, out var page):
                // A record another page shows: link to it, so an anomaly leads to what it is about.
                _out.Append($"<a href=\"{E(page + Uri.EscapeDataString(value.GetString()!))}\">{E(value.GetString())}</a>");
                break;
            default:
                _out.Append(E(Scalar(value, units, field)));
                break;
        }
    }

    private static readonly Dictionary<string, string> RecordPages = new(StringComparer.Ordinal)
    {
        ["donationId"] = "/donation/", ["campaignId"] = "/campaign/", ["projectId"] = "/project/", ["txId"] = "/explorer/tx/",
    };

    public static string Scalar(JsonElement value, FieldUnits units, string? field)
    {
        if (value.ValueKind == JsonValueKind.Number && field is not null && value.TryGetInt64(out var n))
        {
            if (units.Fen.Contains(field)) return Yuan(n);
            if (units.CentiSquareMetres.Contains(field)) return (n / 100m).ToString("#,##0.00", CultureInfo.InvariantCulture) + " m²";
            if (IsTime(field) && n > 0) return ChinaTime(n);
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Null => "—",
            _ => value.GetRawText(),
        };
    }

    private static bool IsTime(string field) =>
        field.EndsWith("At", StringComparison.Ordinal) || field.EndsWith("Date", StringComparison.Ordinal) || field is "at" or "asOf" || field.EndsWith("TimestampMs", StringComparison.OrdinalIgnoreCase);

    /// <summary>The whole page: the language switch, the search box and the body written so far.</summary>
    public string Page(string title, string path)
    {
        var other = Lang == "zh" ? "en" : "zh";
        var sep = path.Contains('?') ? '&' : '?';
        return $"""
            <!DOCTYPE html>
            <html lang="{(Lang == "zh" ? "zh-CN" : "en")}">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{E(title)} · {E(T("site"))}</title>
            <style>{Style}</style></head>
            <body>
            <a class="skip" href="#main">{E(T("skip"))}</a>
            <header><nav aria-label="{E(T("site"))}"><a href="/" class="brand">{E(T("site"))}</a>
            <form action="/search" method="get" role="search"><label for="q">{E(T("search"))}</label>
            <input id="q" name="q" placeholder="{E(T("searchHint"))}"><button type="submit">{E(T("go"))}</button></form>
            <a id="lang-switch" href="{E(path + sep + "lang=" + other)}" lang="{(other == "zh" ? "zh-CN" : "en")}">{(other == "zh" ? "中文" : "English")}</a></nav></header>
            <main id="main">{_out}</main>
            <footer><p>{E(T("footer"))}</p></footer>
            </body></html>
            """;
    }

    private const string Style = """
        body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
        header{background:#8b1a1a;color:#fff;padding:.5rem 1rem}header a{color:#fff}
        nav{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}.brand{font-weight:bold;text-decoration:none}
        form[role=search] label{position:absolute;left:-9999px}main{padding:1rem;max-width:72rem;margin:auto}
        table{border-collapse:collapse;margin:.5rem 0 1rem;background:#fff}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
        caption{text-align:left;font-weight:bold;padding:.25rem 0}.facts th{background:#f0f0f0}.ok{color:#176b2c;font-weight:bold}.bad{color:#a00;font-weight:bold}
        .skip{position:absolute;left:-9999px}.skip:focus{left:1rem}dl{margin:0}dt{font-weight:bold}dd{margin:0 0 .25rem 1rem}
        .qr svg{width:10rem;height:10rem}footer{color:#555;padding:1rem;text-align:center;font-size:.9rem}
        """;
}

/// <summary>The portal's labels in Chinese and English.</summary>
internal static class Labels
{
    private static readonly Dictionary<string, (string Zh, string En)> All = new(StringComparer.Ordinal)
    {
        ["site"] = ("公益与征收资金公开平台", "Charity and Compensation Funds Portal"),
        ["skip"] = ("跳到正文", "Skip to content"),
        ["search"] = ("搜索", "Search"),
        ["searchHint"] = ("捐赠编号、项目、交易号或区块号", "donation, campaign, project, tx id or block"),
        ["go"] = ("查询", "Go"),
        ["footer"] = ("数据直接读取自区块链节点；金额单位为人民币元，时间为北京时间。", "Read directly from a ledger node; amounts in yuan (CNY), times in China time (UTC+8)."),
        ["none"] = ("无", "none"),
        ["home"] = ("首页", "Home"),
        ["homeIntro"] = ("查看每一笔捐赠的去向、每个募捐项目的收支，以及征收补偿资金的拨付情况。", "Follow every donation to its final use, every campaign's income and spending, and how compensation funds are paid."),
        ["campaigns"] = ("募捐项目", "Campaigns"),
        ["donationTrace"] = ("捐赠去向", "Where the donation went"),
        ["donation"] = ("捐赠", "Donation"),
        ["donor"] = ("捐赠人", "Donor"),
        ["amount"] = ("金额", "Amount"),
        ["date"] = ("日期", "Date"),
        ["campaign"] = ("募捐项目", "Campaign"),
        ["charity"] = ("慈善组织", "Charity"),
        ["paid"] = ("已支付", "Paid out"),
        ["refunded"] = ("已退款", "Refunded"),
        ["unspent"] = ("未使用", "Unspent"),
        ["steps"] = ("资金流向", "Steps"),
        ["totals"] = ("合计", "Totals"),
        ["step"] = ("步骤", "Step"),
        ["id"] = ("编号", "Id"),
        ["category"] = ("类别", "Category"),
        ["status"] = ("状态", "Status"),
        ["evidence"] = ("凭证哈希", "Evidence hashes"),
        ["from"] = ("来源", "From"),
        ["receiptQr"] = ("捐赠回执二维码", "Receipt QR code"),
        ["receiptQrHint"] = ("扫码或点击打开本页", "Scan or follow to open this page"),
        ["step.lot"] = ("划拨", "Allocated"),
        ["step.disb"] = ("支付", "Paid"),
        ["step.refund"] = ("退款", "Refunded"),
        ["donorPage"] = ("捐赠人专页", "Donor's page"),
        ["donorRef"] = ("捐赠人编号", "Donor reference"),
        ["payeeRef"] = ("收款人编号", "Payee reference"),
        ["donorStatement"] = ("我的全部捐赠", "All my donations"),
        ["linkInvalid"] = ("链接无效或已过期，请向银行重新获取。", "The link is not valid or has expired; ask the bank for a new one."),
        ["target"] = ("目标", "Target"),
        ["raised"] = ("已募集", "Raised"),
        ["balance"] = ("余额", "Balance"),
        ["spentByCategory"] = ("按类别支出", "Spent by category"),
        ["charitable"] = ("慈善活动", "Charitable"),
        ["management"] = ("管理费用", "Management"),
        ["fundraising"] = ("募捐成本", "Fundraising"),
        ["other"] = ("其他", "Other"),
        ["disclosures"] = ("信息公开", "Disclosures"),
        ["period"] = ("期间", "Period"),
        ["by"] = ("发布机构", "Published by"),
        ["flows"] = ("收支明细", "Inflows and outflows"),
        ["chart"] = ("累计收入与支出", "Cumulative inflows and outflows"),
        ["inflow"] = ("收入", "In"),
        ["outflow"] = ("支出", "Out"),
        ["kind"] = ("类型", "Kind"),
        ["project"] = ("征收项目", "Compensation project"),
        ["budget"] = ("预算", "Budget"),
        ["deposited"] = ("已到账", "Deposited"),
        ["committed"] = ("已签约", "Committed"),
        ["publishedLists"] = ("公示名单", "Published household lists"),
        ["round"] = ("批次", "Round"),
        ["households"] = ("被征收户（已脱敏）", "Households (masked)"),
        ["household"] = ("被征收户", "Household"),
        ["householdPage"] = ("被征收户专页", "Household's page"),
        ["regulator"] = ("监管视图", "Regulator view"),
        ["anomalies"] = ("异常清单", "Anomalies"),
        ["invariants"] = ("资金守恒检查", "Invariant check"),
        ["holds"] = ("通过", "holds"),
        ["broken"] = ("不通过", "BROKEN"),
        ["explorer"] = ("区块浏览器", "Explorer"),
        ["channel"] = ("通道", "Channel"),
        ["height"] = ("高度", "Height"),
        ["block"] = ("区块", "Block"),
        ["blocks"] = ("最新区块", "Latest blocks"),
        ["transactions"] = ("交易", "Transactions"),
        ["transaction"] = ("交易", "Transaction"),
        ["txId"] = ("交易号", "Tx id"),
        ["code"] = ("验证结果", "Validation code"),
        ["function"] = ("函数", "Function"),
        ["signer"] = ("签名账户", "Signer"),
        ["args"] = ("参数", "Arguments"),
        ["events"] = ("事件", "Events"),
        ["hash"] = ("哈希", "Hash"),
        ["time"] = ("时间", "Time"),
        ["verify"] = ("验证", "Verify"),
        ["verified"] = ("已验证：该交易包含在共识节点签名的区块中，可追溯至创世区块。", "Verified: the transaction is in a block signed by the consenters, back to the genesis block."),
        ["notVerified"] = ("验证失败", "Verification failed"),
        ["noAnchor"] = ("门户未配置创世区块，无法验证。", "The portal has no genesis block to verify against."),
        ["previous"] = ("上一区块", "Previous block"),
        ["stateRoot"] = ("状态根", "State root"),
        ["proposer"] = ("出块节点", "Proposer"),
        ["value"] = ("值", "Value"),
        ["deleted"] = ("（已删除）", "(deleted)"),
        ["genesis"] = ("创世区块", "Genesis block"),
        ["contract"] = ("合约", "Contract"),
        ["key"] = ("键", "Key"),
        ["firstOnly"] = ("仅显示前 {0} 条。", "Showing the first {0} entries only."),
        ["keyHistory"] = ("键历史", "Key history"),
        ["notFound"] = ("未找到", "Not found"),
        ["notFoundHint"] = ("没有找到与此匹配的捐赠、项目、交易或区块。", "No donation, campaign, project, transaction or block matches."),
        ["staffOnly"] = ("此页面仅在机构内部门户提供。", "This page is served on an organisation's internal portal only."),
        ["error"] = ("出错了", "Something went wrong"),
    };

    public static string Get(string lang, string key) =>
        All.TryGetValue(key, out var label) ? lang == "zh" ? label.Zh : label.En : key;

    public static IEnumerable<string> Keys => All.Keys;
}
