"""The dashboard at ``GET /_fakeroute/``: one self-contained HTML page showing a World.

Server-rendered, no assets: inline CSS and a few lines of inline JS (Reset, auto-refresh, remembering
which sections are folded). Each provider's state is rendered generically from its scenario dump
(``dump_state``): scalars as a key/value list, lists of records as tables, so a provider that changes
shape, or a new provider, shows up without touching this module. Everything is escaped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any
from urllib.parse import urlencode

JOURNAL_LIMIT = 200  # newest requests shown
OUTBOX_LIMIT = 200  # newest webhooks shown
INLINE_LIST = 4  # longer lists of plain values fold into a <details>
BODY_PREVIEW = 4000  # characters of a request/response/payload shown

RESET_PATH = "/_fakeroute/reset"

OK_WORDS = {"active", "delivered", "verified", "vetted_verified", "ok", "success", "sent", "in-use", "approved",
            "inbound", "outbound"}
WARN_WORDS = {"pending", "scheduled", "recorded", "queued", "buffered", "unverified", "message buffered",
              "smsc submit", "accepted", "sending", "submitted", "in_progress"}
BAD_WORDS = {"failed", "rejected", "blocked", "error", "undelivered", "expired", "suspended", "deleted",
             "released", "cancelled", "canceled"}
BADGE_KEYS = {"status", "state", "identity_status", "direction"}


def render(world: Any, *, provider: str | None = None, account: str | None = None) -> str:
    """The dashboard page of ``world``; ``provider``/``account`` filter the journal."""
    provider = provider or None
    account = account or None
    with world.lock.reading():  # only reads: the World's version stays
        snap = _snapshot(world, provider, account)
    return _page(snap, provider, account)


# -- reading the World (under its lock) ---------------------------------------------------------------


def _snapshot(world: Any, provider: str | None, account: str | None) -> dict[str, Any]:
    providers = list(world.providers)
    accounts = []
    for acct in world:
        sections = []
        for prov in providers:
            state = acct.state(prov.name)
            sections.append({
                "name": prov.name,
                "credentials": prov.public_credentials(state) or {},
                "state": prov.dump_state(state),
            })
        accounts.append({"id": acct.id, "name": acct.name, "providers": sections})
    entries = world.journal.all()
    matching = [e for e in entries
                if (provider is None or e.provider == provider) and (account is None or e.account == account)]
    journal = [e.to_dict() for e in reversed(matching[-JOURNAL_LIMIT:])]
    webhooks = world.outbox.to_list(scheduled=True)
    return {
        "scenario": world.scenario_name,
        "seed": world.seed,
        "now": world.clock.peek().isoformat(),
        "providers": [p.name for p in providers],
        "accounts": accounts,
        "journal": journal,
        "journal_matching": len(matching),
        "journal_total": len(entries),
        "journal_accounts": sorted({e.account for e in entries if e.account}),
        "outbox": list(reversed(webhooks[-OUTBOX_LIMIT:])),
        "outbox_total": len(webhooks),
        "faults": [f.to_dict() for f in world.faults.all()],
    }


# -- small HTML helpers -------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _title(key: str) -> str:
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]


def _badge(value: Any, kind: str | None = None) -> str:
    if kind is None:
        word = str(value).lower()
        kind = "ok" if word in OK_WORDS else "warn" if word in WARN_WORDS else "bad" if word in BAD_WORDS else "info"
    return f'<span class="badge {kind}">{_e(value)}</span>'


def _status_badge(status: Any) -> str:
    if not isinstance(status, int):
        return _badge(status if status is not None else "—", "info")
    kind = "ok" if status < 300 else "info" if status < 400 else "warn" if status < 500 else "bad"
    return _badge(status, kind)


def _query(**params: str | None) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v})


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _columns(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every key, in order of appearance, but right after the first (the id, usually) the status-like ones and
    those holding records (a message's receipts), which would otherwise hide at the far right of a wide table."""
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    keys = list(columns)
    nested = {k for record in records for k, v in record.items() if _is_records(v)}
    first = [k for k in keys[1:] if k in BADGE_KEYS] + [k for k in keys[1:] if k in nested and k not in BADGE_KEYS]
    return keys[:1] + first + [k for k in keys[1:] if k not in first]


def _counted(n: int, key: str) -> str:
    """``3 phone numbers``, ``1 phone number``."""
    noun = _title(key).lower()
    if n == 1 and noun.endswith("s") and not noun.endswith("ss"):
        noun = noun[:-1]
    return f"{n} {_e(noun)}"


def _value(value: Any, key: str | None = None, *, unfold: bool = False) -> str:
    """Any JSON value as HTML: scalars inline, lists as chips or a folded table (``unfold``: a table),
    objects as key/value."""
    if value is None or value == "" or value == []:
        return '<span class="dim">—</span>'
    if isinstance(value, bool):
        return f'<span class="bool">{"yes" if value else "no"}</span>'
    if isinstance(value, int | float):
        return f'<span class="num">{_e(value)}</span>'
    if isinstance(value, str):
        if key in BADGE_KEYS:
            return _badge(value)
        return _e(value)
    if _is_records(value):
        if unfold:
            return _table(value, compact=True)
        label = _counted(len(value), key or "items")
        return f"<details><summary>{label}</summary>{_table(value, compact=True)}</details>"
    if isinstance(value, list):
        chips = "".join(f'<span class="chip">{_value(v)}</span>' for v in value)
        if len(value) <= INLINE_LIST:
            return f'<span class="chips">{chips}</span>'
        return f'<details><summary>{len(value)} values</summary><span class="chips">{chips}</span></details>'
    if isinstance(value, Mapping):
        return _kv(value, compact=True)
    return _e(value)


def _kv(mapping: Mapping[str, Any], *, compact: bool = False, unfold: bool = False) -> str:
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_value(v, k, unfold=unfold)}</dd>" for k, v in mapping.items())
    return f'<dl class="kv{" compact" if compact else ""}">{rows}</dl>'


def _cell_class(value: Any) -> str:
    """Prose wraps in a cell; identifiers, numbers and times keep to one line (the table scrolls instead)."""
    if isinstance(value, str) and " " in value.strip() and len(value) > 24:
        return ' class="text"'
    return ""


def _table(records: list[Mapping[str, Any]], *, compact: bool = False) -> str:
    columns = _columns(records)
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td{_cell_class(r.get(c))}>{_value(r.get(c), c)}</td>" for c in columns) + "</tr>"
        for r in records
    )
    return (f'<div class="scroll"><table class="{"sub" if compact else "data"}">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def _json_block(label: str, value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    if len(text) > BODY_PREVIEW:
        text = text[:BODY_PREVIEW] + f"\n… ({len(text) - BODY_PREVIEW} more characters)"
    return f'<div class="json"><h5>{_e(label)}</h5><pre>{_e(text)}</pre></div>'


# -- sections -----------------------------------------------------------------------------------------


def _provider_section(account_id: str, section: Mapping[str, Any]) -> str:
    name = section["name"]
    credentials = section["credentials"]
    state = section["state"]
    if state is None:
        return ""
    scalars = {k: v for k, v in state.items()
               if k not in credentials and not isinstance(v, list | Mapping)}
    others = {k: v for k, v in state.items() if k not in credentials and k not in scalars}
    counts = " · ".join(_counted(len(v), k) for k, v in others.items() if isinstance(v, list))
    parts = [_kv(scalars)] if scalars else []
    empty = []
    for key, value in others.items():
        if isinstance(value, list) and not value:
            empty.append(key)
        elif _is_records(value):
            parts.append(f'<h4>{_e(_title(key))} <span class="count">{len(value)}</span></h4>{_table(value)}')
        else:
            parts.append(f"<h4>{_e(_title(key))}</h4>{_value(value, key)}")
    if empty:
        parts.append('<p class="dim small">No ' + ", no ".join(_e(_title(k).lower()) for k in empty) + ".</p>")
    section_id = f"state-{account_id}-{name}"
    return (f'<details class="provider" id="{_e(section_id)}" open><summary><span class="pname">{_e(name)}</span>'
            f' <span class="dim small">{counts}</span></summary><div class="pbody">{"".join(parts)}</div></details>')


def _accounts_section(snap: Mapping[str, Any]) -> str:
    cards = []
    for acct in snap["accounts"]:
        creds = "".join(
            f'<div class="cred"><h4>{_e(p["name"])}</h4>'
            f'<div>{_kv(p["credentials"], compact=True, unfold=True)}</div></div>'
            for p in acct["providers"] if p["credentials"]
        )
        states = "".join(_provider_section(acct["id"], p) for p in acct["providers"])
        journal_link = _e(_query(account=acct["id"])) + "#journal"
        cards.append(
            f'<article class="card account" id="account-{_e(acct["id"])}">'
            f'<header><h2>{_e(acct["name"])}</h2><code class="chip">{_e(acct["id"])}</code>'
            f'<a class="small" href="{journal_link}">requests of this account</a></header>'
            f'<h3>Credentials</h3><div class="creds">{creds}</div>'
            f"<h3>State</h3>{states}</article>"
        )
    return f'<section id="accounts"><h1>Accounts <span class="count">{len(cards)}</span></h1>{"".join(cards)}</section>'


def _journal_section(snap: Mapping[str, Any], provider: str | None, account: str | None) -> str:
    def options(values: Iterable[str], selected: str | None, everything: str) -> str:
        out = [f'<option value="">{_e(everything)}</option>']
        for v in values:
            out.append(f'<option value="{_e(v)}"{" selected" if v == selected else ""}>{_e(v)}</option>')
        return "".join(out)

    account_ids = list(dict.fromkeys([a["id"] for a in snap["accounts"]] + snap["journal_accounts"]
                                     + ([account] if account else [])))
    provider_names = list(dict.fromkeys(snap["providers"] + ([provider] if provider else [])))
    form = (
        '<form class="filters" method="get" action="#journal">'
        f'<label>Provider <select name="provider">{options(provider_names, provider, "all providers")}</select></label>'
        f'<label>Account <select name="account">{options(account_ids, account, "all accounts")}</select></label>'
        '<button type="submit">Filter</button>'
        + (' <a href="?#journal">clear filter</a>' if provider or account else "")
        + "</form>"
    )
    quick = " ".join(
        f'<a class="chip{" on" if name == provider else ""}" '
        f'href="{_e(_query(provider=name, account=account))}#journal">{_e(name)}</a>'
        for name in snap["providers"]
    )
    rows = []
    for entry in snap["journal"]:
        query = "&".join(f"{k}={v}" for k, values in (entry.get("query") or {}).items() for v in values)
        path = entry.get("path", "") + (f"?{query}" if query else "")
        prov, acct = entry.get("provider"), entry.get("account")
        prov_cell = (f'<a href="{_e(_query(provider=prov, account=account))}#journal">{_e(prov)}</a>'
                     if prov else '<span class="dim">—</span>')
        acct_cell = (f'<a href="{_e(_query(provider=provider, account=acct))}#journal">{_e(acct)}</a>'
                     if acct else '<span class="dim">—</span>')
        detail = _json_block("request body", entry.get("body")) + _json_block("response", entry.get("response"))
        path_cell = (f"<details><summary><code>{_e(path)}</code></summary>{detail}</details>"
                     if detail else f"<code>{_e(path)}</code>")
        rows.append(
            f'<tr><td class="nowrap small">{_e(entry.get("time", ""))}</td>'
            f'<td><span class="method">{_e(entry.get("method", ""))}</span></td><td class="path">{path_cell}</td>'
            f"<td>{prov_cell}</td><td>{acct_cell}</td><td>{_status_badge(entry.get('status'))}</td></tr>"
        )
    shown = len(snap["journal"])
    if snap["journal_matching"] != snap["journal_total"]:
        note = f'{snap["journal_matching"]} of {snap["journal_total"]} requests match'
    else:
        note = f'{snap["journal_total"]} requests'
    if shown < snap["journal_matching"]:
        note += f", newest {shown} shown"
    table = (
        '<div class="scroll"><table class="data journal"><thead><tr><th>time</th><th>method</th><th>path</th>'
        f'<th>provider</th><th>account</th><th>status</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        if rows else '<p class="dim">No requests yet.</p>'
    )
    return (f'<section id="journal" class="card"><h1>Requests <span class="count">{snap["journal_total"]}</span></h1>'
            f'<div class="toolbar">{form}<div class="quick">{quick}</div></div>'
            f'<p class="dim small">{_e(note)}, newest first.</p>{table}</section>')


def _outbox_section(snap: Mapping[str, Any]) -> str:
    rows = []
    for hook in snap["outbox"]:
        attempts = hook.get("attempts") or []
        last = attempts[-1] if attempts else None
        tried = f"{len(attempts)}"
        if last:
            tried += f' · last {_status_badge(last.get("status"))}'
            if last.get("error") and last.get("status") is None:
                tried += f' <span class="small dim">{_e(last["error"])}</span>'
        error = f'<div class="small bad-text">{_e(hook["error"])}</div>' if hook.get("error") else ""
        rows.append(
            f'<tr><td class="nowrap small">{_e(hook.get("at", ""))}</td><td><code>{_e(hook.get("id", ""))}</code></td>'
            f'<td>{_e(hook.get("provider", ""))}</td><td>{_e(hook.get("account", ""))}</td>'
            f'<td>{_e(hook.get("kind", ""))}</td>'
            f'<td class="path"><details><summary><code>{_e(hook.get("url", ""))}</code></summary>'
            f'{_json_block("payload", hook.get("payload"))}</details></td>'
            f'<td>{_badge(hook.get("state", ""))}{error}</td><td class="nowrap">{tried}</td></tr>'
        )
    total = snap["outbox_total"]
    table = (
        '<div class="scroll"><table class="data"><thead><tr><th>at</th><th>id</th><th>provider</th><th>account</th>'
        '<th>kind</th><th>url</th><th>state</th><th>attempts</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div>'
        if rows else '<p class="dim">No webhooks yet.</p>'
    )
    note = f'<p class="dim small">Newest {len(rows)} of {total} shown.</p>' if len(rows) < total else ""
    return (f'<section id="outbox" class="card"><h1>Webhooks <span class="count">{total}</span></h1>'
            f"{note}{table}</section>")


def _faults_section(snap: Mapping[str, Any]) -> str:
    faults = snap["faults"]
    body = _table(faults) if faults else '<p class="dim">No faults injected.</p>'
    return f'<section id="faults" class="card"><h1>Faults <span class="count">{len(faults)}</span></h1>{body}</section>'


# -- the page -----------------------------------------------------------------------------------------


CSS = """
:root{--bg:#f3f4f7;--card:#fff;--ink:#1c2430;--dim:#6b7483;--line:#e3e6eb;--head:#17202e;--accent:#2f6fde;
--ok:#127a3e;--okbg:#e3f5ea;--warn:#8a5a00;--warnbg:#fff3d6;--bad:#b42318;--badbg:#fde8e6;--info:#3b4a63;
--infobg:#eaeef5}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
code,pre,.mono,td{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
code,pre,td{font-size:12.5px}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.top{background:var(--head);color:#fff;position:sticky;top:0;z-index:5;box-shadow:0 1px 4px rgba(0,0,0,.25)}
.top .bar{display:flex;align-items:center;gap:24px;padding:10px 24px;flex-wrap:wrap}
.brand{font-weight:700;font-size:18px;letter-spacing:.2px}.brand span{color:#8fb3ff;font-weight:500}
.meta{display:flex;gap:18px;flex-wrap:wrap;color:#c9d2e0}.meta b{color:#fff;font-weight:600}
.actions{margin-left:auto;display:flex;align-items:center;gap:14px}
.actions label{color:#c9d2e0;cursor:pointer;user-select:none}
button{font:inherit;border:1px solid #c8ced8;background:#fff;border-radius:6px;padding:4px 12px;cursor:pointer}
button.danger{background:#d9342b;border-color:#d9342b;color:#fff;font-weight:600}
button.danger:hover{background:#b9261e}
nav{display:flex;gap:4px;padding:0 20px;background:#212c3d;flex-wrap:wrap}
nav a{color:#c9d2e0;padding:7px 10px;display:inline-block}nav a:hover{color:#fff;text-decoration:none}
section,article{scroll-margin-top:96px}
main{padding:18px 24px 40px;max-width:1500px;margin:0 auto}
h1{font-size:18px;margin:8px 0 12px}h2{font-size:16px;margin:0}h3{font-size:12px;text-transform:uppercase;
letter-spacing:.6px;color:var(--dim);margin:16px 0 8px}h4{font-size:13px;margin:14px 0 6px}
h5{font-size:11px;margin:6px 0 2px;color:var(--dim);text-transform:uppercase}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 18px;margin:0 0 18px;
box-shadow:0 1px 2px rgba(16,24,40,.05)}
.account>header{display:flex;align-items:center;gap:12px;flex-wrap:wrap}
.account>header a{margin-left:auto}
.count{display:inline-block;min-width:22px;padding:0 7px;border-radius:10px;background:var(--infobg);
color:var(--info);font-size:12px;font-weight:600;text-align:center;vertical-align:2px}
.creds{border:1px solid var(--line);border-radius:8px;background:#fafbfc}
.cred{display:grid;grid-template-columns:130px 1fr;gap:12px;padding:8px 12px;min-width:0}
.cred+.cred{border-top:1px solid var(--line)}.cred>*{min-width:0}
.cred h4{margin:0;color:var(--accent)}
dl.kv{display:grid;grid-template-columns:minmax(90px,max-content) 1fr;gap:3px 14px;margin:0}
dl.kv dt{color:var(--dim)}dl.kv dd{margin:0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,
"DejaVu Sans Mono",monospace;font-size:12.5px;overflow-wrap:anywhere;min-width:0}
details.provider{border:1px solid var(--line);border-radius:8px;margin:8px 0;background:#fff}
details.provider>summary{padding:8px 12px;cursor:pointer;background:#f7f8fa;border-radius:8px}
details.provider[open]>summary{border-bottom:1px solid var(--line);border-radius:8px 8px 0 0}
.pname{font-weight:700;color:var(--accent)}.pbody{padding:4px 12px 12px}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%}
table.data th{text-align:left;font:600 11.5px system-ui,sans-serif;color:var(--dim);text-transform:none;
padding:6px 8px;border-bottom:2px solid var(--line);white-space:nowrap;background:#fbfbfc}
table.data td{padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top;white-space:nowrap}
td.text{white-space:normal;min-width:16em;max-width:30em}
table.data tbody tr:nth-child(even){background:#fafbfc}table.data tbody tr:hover{background:#f0f5ff}
table.sub{margin:4px 0;width:auto}table.sub th{font:600 11px system-ui,sans-serif;color:var(--dim);text-align:left;
padding:2px 6px;border-bottom:1px solid var(--line)}table.sub td{padding:2px 6px;font-size:12px;
border-bottom:1px dashed var(--line);vertical-align:top;white-space:nowrap}
table.sub td.text{white-space:normal;min-width:14em}
summary{cursor:pointer}
.chip{display:inline-block;padding:0 6px;margin:1px 3px 1px 0;border-radius:5px;background:var(--infobg);
color:var(--info);font-size:12px}a.chip.on{background:var(--accent);color:#fff}
.badge{display:inline-block;padding:0 7px;border-radius:9px;font:600 11.5px system-ui,sans-serif;white-space:nowrap}
.badge.ok{background:var(--okbg);color:var(--ok)}.badge.warn{background:var(--warnbg);color:var(--warn)}
.badge.bad{background:var(--badbg);color:var(--bad)}.badge.info{background:var(--infobg);color:var(--info)}
.bad-text{color:var(--bad)}
.method{font-weight:700;font-size:12px}.nowrap{white-space:nowrap}td.path{white-space:normal;overflow-wrap:anywhere;min-width:24em}
.dim{color:var(--dim)}.small{font-size:12px}.num{color:#7a3ea6}.bool{color:#0b6e79}
pre{background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:6px 8px;margin:2px 0 6px;
max-height:22em;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere}
.toolbar{display:flex;gap:16px;align-items:center;flex-wrap:wrap;margin-bottom:4px}
.filters{display:flex;gap:10px;align-items:center;flex-wrap:wrap}
select{font:inherit;padding:3px 6px;border:1px solid #c8ced8;border-radius:6px;background:#fff}
.quick .chip{font-size:12.5px;padding:2px 8px}
"""

JS = """
const auto = document.getElementById('auto');
auto.checked = localStorage.getItem('fakeroute.paused') !== '1';
auto.onchange = () => localStorage.setItem('fakeroute.paused', auto.checked ? '0' : '1');
document.querySelectorAll('details[id]').forEach(d => {
  const saved = localStorage.getItem('fakeroute.fold.' + d.id);
  if (saved !== null) d.open = saved === '1';
  d.ontoggle = () => localStorage.setItem('fakeroute.fold.' + d.id, d.open ? '1' : '0');
});
// Reload every 5 s unless paused or while a request/webhook body is open for reading.
setInterval(() => { if (auto.checked && !document.querySelector('td details[open]')) location.reload(); }, 5000);
document.getElementById('reset').onclick = async () => {
  await fetch('__RESET__', {method: 'POST'});
  location.reload();
};
"""


def _page(snap: Mapping[str, Any], provider: str | None, account: str | None) -> str:
    header = (
        '<header class="top"><div class="bar"><div class="brand">fakeroute <span>dashboard</span></div>'
        f'<div class="meta"><span>scenario <b>{_e(snap["scenario"])}</b></span>'
        f'<span>seed <b>{_e(snap["seed"])}</b></span>'
        f'<span>clock <b id="clock">{_e(snap["now"])}</b></span></div>'
        '<div class="actions"><label><input type="checkbox" id="auto" checked> auto-refresh (5 s)</label>'
        '<button type="button" id="reset" class="danger" title="POST /_fakeroute/reset: back to the seeded scenario">'
        "Reset</button></div></div>"
        '<nav><a href="#accounts">Accounts</a>'
        + "".join(f'<a href="#account-{_e(a["id"])}">· {_e(a["name"])}</a>' for a in snap["accounts"])
        + f'<a href="#journal">Requests ({snap["journal_total"]})</a>'
        f'<a href="#outbox">Webhooks ({snap["outbox_total"]})</a>'
        f'<a href="#faults">Faults ({len(snap["faults"])})</a></nav></header>'
    )
    body = (
        _accounts_section(snap)
        + _journal_section(snap, provider, account)
        + _outbox_section(snap)
        + _faults_section(snap)
    )
    script = JS.replace("__RESET__", RESET_PATH)
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # An empty icon: else the browser asks for /favicon.ico, and the journal records that 404.
        '<link rel="icon" href="data:,">'
        f"<title>fakeroute · {_e(snap['scenario'])}</title><style>{CSS}</style></head>"
        f"<body>{header}<main>{body}</main><script>{script}</script></body></html>\n"
    )
