import { Body, Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { logHash, type Logger, type RadflowConfig } from '@radflow/config';
import { cookieValue, SESSION_COOKIE, SessionTokens, SignInThrottle } from '../auth/sessions.ts';
import { LocalUsers } from '../auth/users.ts';
import { signInPage } from './pages.ts';
import { WORKLIST_CONFIG, WORKLIST_LOGGER } from './tokens.ts';

/** Sign-in with the local users file: a form POST sets the session cookie (HttpOnly, SameSite=Strict). */
@Controller()
export class AuthController {
  private readonly throttle = new SignInThrottle();

  constructor(
    @Inject(LocalUsers) private readonly users: LocalUsers,
    @Inject(SessionTokens) private readonly tokens: SessionTokens,
    @Inject(WORKLIST_CONFIG) private readonly config: RadflowConfig['worklist'],
    @Inject(WORKLIST_LOGGER) private readonly logger: Logger,
  ) {}

  @Get('login')
  form(@Res() response: Response): void {
    response.type('html').send(signInPage());
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
        .send(signInPage({ error: 'Too many failed attempts: try again later.', username }));
      return;
    }
    const user = username && password ? await this.users.authenticate(username, password) : undefined;
    if (!user) {
      this.throttle.failed(username);
      this.logger.info({ userHash: logHash(username) }, 'worklist sign-in refused');
      response
        .status(401)
        .type('html')
        .send(signInPage({ error: 'Unknown username or wrong password.', username }));
      return;
    }
    this.throttle.succeeded(username);
    const { token } = this.tokens.issue(user);
    this.logger.info({ userHash: logHash(user.username) }, 'worklist sign-in');
    response.setHeader('set-cookie', this.tokens.cookie(token, this.config.secureCookies));
    response.redirect(303, '/');
  }

  @Post('logout')
  signOut(@Req() request: Request, @Res() response: Response): void {
    const session = this.tokens.verify(cookieValue(request.headers.cookie, SESSION_COOKIE));
    if (session) this.tokens.revoke(session);
    response.setHeader('set-cookie', SessionTokens.clearedCookie(this.config.secureCookies));
    response.redirect(303, '/login');
  }
}
