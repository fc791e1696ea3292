/**
 * Body of the 401 page shown when the console is opened without its token (or a wrong one). Static text only:
 * nothing from the request is echoed, so it needs no escaping and no script.
 */
export function unauthorizedPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ic-audit: token required</title>
</head>
<body>
<h1>ic-audit console: token required</h1>
<p>This console shows the audit trail of your trading bots, so it only opens with its console token.</p>
<ul>
<li>Open the exact URL the collector printed when it started:
<code>console http://127.0.0.1:9324/?token=&lt;token&gt;</code> (run <code>npm run serve</code> or
<code>ic-audit serve</code> to see it again).</li>
<li>Or read the token from <code>&lt;data dir&gt;/console.token</code> (default <code>~/.ic-audit/</code>,
file mode 0600) and open <code>http://HOST:PORT/?token=&lt;token&gt;</code>.</li>
<li>The desktop app (<code>npm start</code>) passes the token to its window for you.</li>
</ul>
<p>A wrong or old token (the token is per data directory) gives this page too.</p>
</body>
</html>
`;
}
