import { Body, Controller, Get, Inject, Optional, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { logHash, type Logger, type RadflowConfig } from '@radflow/config';
import { HttpProblem } from '@radflow/platform';
import { OIDC_FLOW_COOKIE, OidcSignIn, OidcSignInError } from '../auth/oidc.ts';
import { cookieValue, SESSION_COOKIE, SessionTokens, SignInThrottle } from '../auth/sessions.ts';
import { LocalUsers } from '../auth/users.ts';
import { signedInPage, signInPage, type SignInOptions } from './pages.ts';
import { WORKLIST_CONFIG, WORKLIST_LOGGER } from './tokens.ts';

function oidcNotConfigured(): HttpProblem {
  return new HttpProblem({ status: 404, code: 'NOT_FOUND', detail: 'OIDC sign-in is not configured' });
}

/**
 * Sign-in: a form POST checked against the local users file, or the OIDC provider's authorization code flow
 * (WORKLIST_OIDC_ISSUER). Either sets the session cookie (HttpOnly, SameSite=Strict).
 */
@Controller()
export class AuthController {
  private readonly throttle = new SignInThrottle();
  private readonly options: SignInOptions;

  constructor(
    @Inject(LocalUsers) private readonly users: LocalUsers,
    @Inject(SessionTokens) private readonly tokens: SessionTokens,
    @Inject(WORKLIST_CONFIG) private readonly config: RadflowConfig['worklist'],
    @Inject(WORKLIST_LOGGER) private readonly logger: Logger,
    @Optional() @Inject(OidcSignIn) private readonly oidc?: OidcSignIn,
  ) {
    this.options = { local: users.size > 0, ...(oidc ? { oidcHost: oidc.issuerHost } : {}) };
  }

  @Get('login')
  form(@Res() response: Response): void {
    response.type('html').send(signInPage(this.options));
  }

  @Post('login')
  async signIn(
    @Body() body: { username?: unknown; password?: unknown },
    @Res() response: Response,
  ): Promise<void> {
    const username = typeof body?.username === 'string' ? body.username.trim().slice(0, 200) : '';
    const password = typeof body?.password === 'string' ? body.password : '';
    if (this.throttle.blocked(username)) {
      this.logger.warn({ userHash: logHash(username) }, 'worklist sign-in throttled');
      response
        .status(429)
        .type('html')
        .send(signInPage(this.options, { error: 'Too many failed attempts: try again later.', username }));
      return;
    }
    const user = username && password ? await this.users.authenticate(username, password) : undefined;
    if (!user) {
      this.throttle.failed(username);
      this.logger.info({ userHash: logHash(username) }, 'worklist sign-in refused');
      response
        .status(401)
        .type('html')
        .send(signInPage(this.options, { error: 'Unknown username or wrong password.', username }));
      return;
    }
    this.throttle.succeeded(username);
    const { token } = this.tokens.issue(user, 'local');
    this.logger.info({ userHash: logHash(user.username) }, 'worklist sign-in');
    response.setHeader('set-cookie', this.tokens.cookie(token, this.config.secureCookies));
    response.redirect(303, '/');
  }

  /** To the OIDC provider, with state, nonce and PKCE verifier in a signed flow cookie. */
  @Get('auth/oidc')
  async oidcStart(@Res() response: Response): Promise<void> {
    if (!this.oidc) throw oidcNotConfigured();
    try {
      const { url, flow } = await this.oidc.start();
      response.setHeader('set-cookie', this.oidc.flowCookie(flow, this.config.secureCookies));
      response.redirect(303, url.href);
    } catch (error) {
      this.refuseOidc(response, error);
    }
  }

  /** Back from the provider: the code exchanged and the ID token checked, then a session as for a local user. */
  @Get('auth/oidc/callback')
  async oidcCallback(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (!this.oidc) throw oidcNotConfigured();
    try {
      // The URL the provider redirected to, as configured: query from this request.
      const callback = new URL(this.config.oidc!.redirectUrl);
      callback.search = new URL(request.originalUrl, 'http://worklist.invalid').search;
      const user = await this.oidc.finish(callback, cookieValue(request.headers.cookie, OIDC_FLOW_COOKIE));
      const { token } = this.tokens.issue(user, 'oidc');
      this.logger.info({ userHash: logHash(user.username), provider: 'oidc' }, 'worklist sign-in');
      response.setHeader('set-cookie', [
        this.tokens.cookie(token, this.config.secureCookies),
        OidcSignIn.clearedFlowCookie(this.config.secureCookies),
      ]);
      response.type('html').send(signedInPage());
    } catch (error) {
      this.refuseOidc(response, error);
    }
  }

  private refuseOidc(response: Response, error: unknown): void {
    if (!(error instanceof OidcSignInError)) throw error;
    this.logger.warn(
      { reason: error.message, cause: (error.cause as Error | undefined)?.name },
      'OIDC sign-in refused',
    );
    response
      .status(401)
      .type('html')
      .send(
        signInPage(this.options, {
          error: `Sign-in with ${this.oidc!.issuerHost} failed: ${error.message}.`,
        }),
      );
  }

  @Post('logout')
  signOut(@Req() request: Request, @Res() response: Response): void {
    const session = this.tokens.verify(cookieValue(request.headers.cookie, SESSION_COOKIE));
    if (session) this.tokens.revoke(session);
    response.setHeader('set-cookie', SessionTokens.clearedCookie(this.config.secureCookies));
    response.redirect(303, '/login');
  }
}
