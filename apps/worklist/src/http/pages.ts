const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const head = (title: string) =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/app.css">
<link rel="icon" href="data:,">
</head>`;

/** The single-page shell: the bundle draws the list or the report view from the path. */
export function appShell(): string {
  return `${head('radflow worklist')}
<body>
<div id="app"><p class="loading">Loading the worklist…</p></div>
<noscript>The worklist needs JavaScript.</noscript>
<script type="module" src="/assets/app.js"></script>
</body>
</html>
`;
}

/** The sign-in form: works without JavaScript (a plain POST), errors announced to screen readers. */
export function signInPage(options: { error?: string; username?: string } = {}): string {
  return `${head('Sign in · radflow worklist')}
<body>
<main class="signin">
<h1>radflow worklist</h1>
<p>Sign in to review AI-generated report drafts.</p>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="/login">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(options.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}
