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

/** How users can sign in here: the users file, an OIDC provider, or both. */
export interface SignInOptions {
  local: boolean;
  /** The OIDC provider's host, when WORKLIST_OIDC_ISSUER is set. */
  oidcHost?: string;
}

/** The sign-in form: works without JavaScript (a plain POST), errors announced to screen readers. */
export function signInPage(
  options: SignInOptions,
  state: { error?: string; username?: string } = {},
): string {
  const oidc = options.oidcHost
    ? `<p><a class="button" href="/auth/oidc">Sign in with ${escapeHtml(options.oidcHost)}</a></p>`
    : '';
  const local = options.local
    ? `<form method="post" action="/login">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(state.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`
    : '';
  return `${head('Sign in · radflow worklist')}
<body>
<main class="signin">
<h1>radflow worklist</h1>
<p>Sign in to review AI-generated report drafts.</p>
${state.error ? `<p class="error" role="alert">${escapeHtml(state.error)}</p>` : ''}
${oidc}
${local}
</main>
</body>
</html>
`;
}

/** After the OIDC callback: a same-site step to the list, so the browser sends the new SameSite=Strict cookie. */
export function signedInPage(): string {
  return `${head('Signed in · radflow worklist').replace(
    '<link rel="icon" href="data:,">',
    '<link rel="icon" href="data:,">\n<meta http-equiv="refresh" content="0; url=/">',
  )}
<body>
<main class="signin">
<h1>radflow worklist</h1>
<p>Signed in. <a href="/">Open the worklist</a>.</p>
</main>
</body>
</html>
`;
}
