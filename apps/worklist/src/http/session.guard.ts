import {
  Catch,
  Inject,
  Injectable,
  type ArgumentsHost,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { HttpProblem } from '@radflow/platform';
import { cookieValue, SESSION_COOKIE, SessionTokens, type Session } from '../auth/sessions.ts';
import { LocalUsers } from '../auth/users.ts';

export type SignedInRequest = Request & { session?: Session };

/** No valid session: the API answers 401 SIGN_IN_REQUIRED, a page sends the browser to the sign-in form. */
export class SignInRequired extends HttpProblem {
  constructor() {
    super({ status: 401, code: 'SIGN_IN_REQUIRED', detail: 'sign in to use the worklist' });
    this.name = 'SignInRequired';
  }
}

/** Every page and API route but sign-in and the static assets: a valid session of a user still in the users file. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    @Inject(SessionTokens) private readonly tokens: SessionTokens,
    @Inject(LocalUsers) private readonly users: LocalUsers,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SignedInRequest>();
    const session = this.tokens.verify(cookieValue(request.headers.cookie, SESSION_COOKIE));
    // A users-file session ends when the user leaves the file; an OIDC session when it expires.
    if (!session || (session.provider !== 'oidc' && !this.users.find(session.username)))
      throw new SignInRequired();
    request.session = session;
    return true;
  }
}

/** Signed out on a page: to the sign-in form (the API's 401 is the platform's problem answer). */
@Catch(SignInRequired)
export class RedirectToSignIn implements ExceptionFilter {
  catch(_exception: SignInRequired, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().redirect(303, '/login');
  }
}
