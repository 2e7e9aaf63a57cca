import * as client from 'openid-client';
import type { RadflowConfig } from '@radflow/config';
import type { SessionTokens } from './sessions.ts';
import type { WorklistUser } from './users.ts';

export type OidcSettings = NonNullable<RadflowConfig['worklist']['oidc']>;

/** The short-lived cookie that carries one sign-in's checks from the redirect to the callback. */
export const OIDC_FLOW_COOKIE = 'radflow_worklist_oidc';
const FLOW_TTL_MS = 10 * 60_000;

interface Flow {
  kind: 'oidc-flow';
  exp: number;
  state: string;
  nonce: string;
  verifier: string;
}

export class OidcSignInError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OidcSignInError';
  }
}

const loopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/**
 * Sign-in with an OpenID Connect provider (WORKLIST_OIDC_ISSUER): authorization code flow with PKCE, state and
 * nonce, the ID token checked by openid-client against the issuer's discovery document and keys. The reviewer id is
 * the configured claim (preferred_username by default, else sub). Plain http is accepted for a loopback issuer only
 * (tests, a local provider).
 */
export class OidcSignIn {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(
    private readonly settings: OidcSettings,
    private readonly tokens: SessionTokens,
  ) {}

  get issuerHost(): string {
    return new URL(this.settings.issuer).host;
  }

  private discovered(): Promise<client.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.settings.issuer);
      const insecure = issuer.protocol === 'http:' && loopback(issuer);
      this.configuration = client
        .discovery(
          issuer,
          this.settings.clientId,
          this.settings.clientSecret,
          undefined,
          insecure ? { execute: [client.allowInsecureRequests] } : undefined,
        )
        .catch((error: unknown) => {
          // The provider may be down now and up later: discover again on the next sign-in.
          this.configuration = undefined;
          throw new OidcSignInError('the identity provider cannot be reached', { cause: error });
        });
    }
    return this.configuration;
  }

  /** Where to send the browser, and the flow cookie's value to set beside it. */
  async start(): Promise<{ url: URL; flow: string }> {
    const configuration = await this.discovered();
    const verifier = client.randomPKCECodeVerifier();
    const flow: Flow = {
      kind: 'oidc-flow',
      exp: this.tokens.nowMs + FLOW_TTL_MS,
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier,
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.settings.redirectUrl,
      scope: this.settings.scope,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    return { url, flow: this.tokens.seal({ ...flow }) };
  }

  /** The user the provider vouches for, from the callback URL and the flow cookie; OidcSignInError otherwise. */
  async finish(callbackUrl: URL, flowCookie: string | undefined): Promise<WorklistUser> {
    const flow = this.tokens.open<Flow>(flowCookie);
    if (!flow || flow.kind !== 'oidc-flow')
      throw new OidcSignInError('the sign-in took too long or was not started here');
    const configuration = await this.discovered();
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      throw new OidcSignInError('the identity provider did not confirm the sign-in', { cause: error });
    }
    if (!claims) throw new OidcSignInError('the identity provider sent no ID token');
    const claimed = claims[this.settings.usernameClaim];
    const username = typeof claimed === 'string' && claimed ? claimed : claims.sub;
    const name = typeof claims.name === 'string' && claims.name ? claims.name : username;
    return { username: username.slice(0, 200), name };
  }

  flowCookie(value: string, secure: boolean): string {
    // Lax, not Strict: the provider's redirect back is a cross-site navigation, which must carry it.
    return `${OIDC_FLOW_COOKIE}=${value}; Path=/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=${FLOW_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
  }

  static clearedFlowCookie(secure: boolean): string {
    return `${OIDC_FLOW_COOKIE}=; Path=/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
  }
}
