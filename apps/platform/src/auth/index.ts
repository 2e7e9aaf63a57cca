export { API_AUTH, createApiAuth, type ApiAuth } from './api-auth.ts';
export {
  AllowAnonymous,
  ApiAuthenticated,
  ApiAuthGuard,
  type ApiAuthOptions,
  type AuthenticatedRequest,
} from './api-auth.guard.ts';
export { bodyLimitMiddleware } from './body-limit.ts';
