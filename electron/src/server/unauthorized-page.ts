import { createHash } from 'node:crypto';

/** The page's only style, inline and allowed by its hash (the page loads nothing else, runs nothing). */
const STYLE = `
:root { --bg: #0e1116; --panel: #151a21; --panel-2: #1b212a; --line: #262e39; --text: #c9d1d9; --muted: #7d8590;
  --accent: #4f8cc9; --warn: #d29922; --mono: ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', Menlo, Consolas, monospace;
  color-scheme: dark; }
@media (prefers-color-scheme: light) {
  :root { --bg: #f6f8fa; --panel: #ffffff; --panel-2: #eef1f4; --line: #d0d7de; --text: #1f2328; --muted: #59636e;
    --accent: #0969da; --warn: #9a6700; color-scheme: light; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 13px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; }
.topbar { display: flex; align-items: center; gap: 8px; padding: 6px 12px; background: var(--panel); border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; letter-spacing: 0.04em; }
.pill { font-size: 11px; padding: 1px 6px; border-radius: 8px; background: var(--panel-2); color: var(--warn); }
main { max-width: 760px; margin: 32px auto; padding: 16px 20px; background: var(--panel); border: 1px solid var(--line); border-radius: 4px; }
h1 { font-size: 16px; margin: 0 0 8px; }
li { margin: 6px 0; }
code { font-family: var(--mono); font-size: 12px; background: var(--panel-2); padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
.url { display: block; padding: 8px 10px; margin: 6px 0; border-left: 3px solid var(--accent); }
.muted { color: var(--muted); }
`;

/** Content-Security-Policy of the 401 page: nothing but its own inline style. */
export const UNAUTHORIZED_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Body of the 401 page shown when the console is opened without its token (or a wrong one), styled like the
 * console. `origin` is the address the page is served on (`http://HOST:PORT`, the Host header the server already
 * checked against its own names), so the page names the real port; it is escaped all the same.
 */
export function unauthorizedPage(origin: string): string {
  const at = escapeHtml(origin);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ic-audit: token required</title>
<style>${STYLE}</style>
</head>
<body>
<header class="topbar"><span class="brand">ic-audit</span><span class="pill">token required</span></header>
<main>
<h1>This console needs its token</h1>
<p>This console shows the audit trail of your trading bots, so it only opens with its console token.</p>
<ul>
<li>Open the exact URL the collector printed when it started:
<code class="url" data-testid="console-url">${at}/?token=&lt;token&gt;</code>
(run <code>ic-audit serve</code> or <code>npm run serve</code> again to see it).</li>
<li>Or read the token from <code>&lt;data dir&gt;/console.token</code> (default <code>~/.ic-audit/</code>,
file mode 0600) and open <code>${at}/?token=&lt;token&gt;</code>.</li>
<li>The desktop app (<code>npm start</code>) passes the token to its window for you.</li>
</ul>
<p class="muted">A wrong or old token (the token is per data directory) gives this page too.</p>
</main>
</body>
</html>
`;
}
