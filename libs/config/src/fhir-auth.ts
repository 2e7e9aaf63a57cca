import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, envReader, type Env } from './env-reader.ts';

/**
 * How radflow authenticates its calls to the EHR's FHIR server (FHIR_AUTH):
 * - `none` (the embedded default): no Authorization header;
 * - `bearer`: a static token (FHIR_BEARER_TOKEN), e.g. one an integration engine renews;
 * - `smart-backend`: SMART Backend Services (client credentials grant with a signed JWT client assertion), the
 *   access token cached and renewed before it expires. Built into one FhirAuth by @radflow/fhir (fhirAuthFor).
 */
export type FhirAuthSettings =
  { kind: 'none' } | { kind: 'bearer'; token: string } | ({ kind: 'smart-backend' } & SmartBackendSettings);

export type SmartSigningAlg = 'RS384' | 'ES384';

export interface SmartBackendSettings {
  /** FHIR_SMART_CLIENT_ID: the client id the EHR registered (iss and sub of the client assertion). */
  clientId: string;
  /**
   * FHIR_SMART_PRIVATE_KEY_FILE, read at start: a PEM private key (PKCS#8, PKCS#1 or SEC1) or a private JWK; held as
   * PKCS#8 PEM. Never logged.
   */
  privateKeyPem: string;
  /** FHIR_SMART_KEY_ID, else the JWK's `kid`; unset: @radflow/fhir uses the key's RFC 7638 thumbprint. */
  keyId?: string;
  /** FHIR_SMART_ALG: RS384 for RSA keys, ES384 for P-384 keys; by default the one the key's type allows. */
  alg: SmartSigningAlg;
  /** FHIR_SMART_TOKEN_URL; unset: discovered from `<FHIR_BASE_URL>/.well-known/smart-configuration`. */
  tokenUrl?: string;
  /** FHIR_SMART_SCOPE: the space-separated system scopes asked for. */
  scope: string;
  /** FHIR_SMART_REFRESH_MARGIN_SECONDS: a token is renewed this long before it expires (at most half its life). */
  refreshMarginSeconds: number;
}

export const FHIR_AUTH_VARIABLE = 'FHIR_AUTH';
export const FHIR_SMART_PRIVATE_KEY_FILE_VARIABLE = 'FHIR_SMART_PRIVATE_KEY_FILE';
/**
 * What the writeback and the readers need (SMART v2 scopes): read and search everything, create and update the
 * AI DiagnosticReport, its Observations and the worklist Task, create the Provenance.
 */
export const DEFAULT_SMART_SCOPE =
  'system/*.rs system/DiagnosticReport.cu system/Observation.cu system/Task.cu system/Provenance.c';

export function readFhirAuthSettings(env: Env): FhirAuthSettings {
  const read = envReader(env);
  const bearerToken = read.optionalString('FHIR_BEARER_TOKEN');
  const kind = read.oneOf(
    FHIR_AUTH_VARIABLE,
    ['none', 'bearer', 'smart-backend'],
    bearerToken ? 'bearer' : 'none',
  );
  if (kind === 'none') return { kind };
  if (kind === 'bearer') {
    if (!bearerToken) throw new ConfigError('FHIR_BEARER_TOKEN', 'set when FHIR_AUTH=bearer');
    return { kind, token: bearerToken };
  }
  const clientId = read.optionalString('FHIR_SMART_CLIENT_ID');
  if (!clientId) throw new ConfigError('FHIR_SMART_CLIENT_ID', 'set when FHIR_AUTH=smart-backend');
  const keyFile = read.optionalString(FHIR_SMART_PRIVATE_KEY_FILE_VARIABLE);
  if (!keyFile)
    throw new ConfigError(FHIR_SMART_PRIVATE_KEY_FILE_VARIABLE, 'set when FHIR_AUTH=smart-backend');
  const { key, kid } = readPrivateKey(keyFile);
  const keyAlg = algOf(key);
  const alg = read.oneOf('FHIR_SMART_ALG', ['RS384', 'ES384'], keyAlg ?? 'RS384');
  if (alg !== keyAlg)
    throw new ConfigError(
      FHIR_SMART_PRIVATE_KEY_FILE_VARIABLE,
      `an ${alg === 'RS384' ? 'RSA' : 'EC P-384'} private key for FHIR_SMART_ALG=${alg}`,
    );
  const keyId = read.optionalString('FHIR_SMART_KEY_ID') ?? kid;
  const tokenUrl = read.optionalString('FHIR_SMART_TOKEN_URL');
  if (tokenUrl !== undefined && !/^https?:\/\/\S+$/.test(tokenUrl))
    throw new ConfigError('FHIR_SMART_TOKEN_URL', 'an http(s) URL');
  return {
    kind,
    clientId,
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ...(keyId ? { keyId } : {}),
    alg,
    ...(tokenUrl ? { tokenUrl } : {}),
    scope: read.string('FHIR_SMART_SCOPE', DEFAULT_SMART_SCOPE),
    refreshMarginSeconds: read.int('FHIR_SMART_REFRESH_MARGIN_SECONDS', 60, { min: 0, max: 3600 }),
  };
}

/** The key file as a private KeyObject (PEM or JWK); a ConfigError names the variable, never the content. */
function readPrivateKey(file: string): { key: KeyObject; kid?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    throw new ConfigError(FHIR_SMART_PRIVATE_KEY_FILE_VARIABLE, 'a readable file');
  }
  try {
    if (text.startsWith('{')) {
      const jwk = JSON.parse(text) as { kid?: unknown; d?: unknown };
      if (typeof jwk.d !== 'string') throw new Error('not a private JWK');
      const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
      return { key, ...(typeof jwk.kid === 'string' && jwk.kid ? { kid: jwk.kid } : {}) };
    }
    return { key: createPrivateKey(text) };
  } catch {
    throw new ConfigError(
      FHIR_SMART_PRIVATE_KEY_FILE_VARIABLE,
      'an unencrypted PEM private key (PKCS#8, PKCS#1 or SEC1) or a private JWK',
    );
  }
}

function algOf(key: KeyObject): SmartSigningAlg | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS384';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1') return 'ES384';
  return undefined;
}
