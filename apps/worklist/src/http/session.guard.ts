import {
  Catch,
  Inject,
  Injectable,
  UnauthorizedException,
  type ArgumentsHost,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { cookieValue, SESSION_COOKIE, SessionTokens, type Session } from '../auth/sessions.ts';
import { LocalUsers } from '../auth/users.ts';

export type SignedInRequest = Request & { session?: Session };

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
      throw new UnauthorizedException();
    request.session = session;
    return true;
  }
}

/** Signed out: the API answers 401, a page redirects to the sign-in form. */
@Catch(UnauthorizedException)
export class SignInRequiredFilter implements ExceptionFilter {
  catch(_exception: UnauthorizedException, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    if (request.path.startsWith('/api/')) {
      response.status(401).json({ code: 'SIGN_IN_REQUIRED', message: 'sign in to use the worklist' });
    } else {
      response.redirect(303, '/login');
    }
  }
}
