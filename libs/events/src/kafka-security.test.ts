import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkaClientSecurity } from './kafka-security.ts';

describe('kafkaClientSecurity', () => {
  it('is PLAINTEXT without authentication by default', () => {
    expect(kafkaClientSecurity({})).toEqual({ ssl: false });
    expect(kafkaClientSecurity({ ssl: false })).toEqual({ ssl: false });
  });

  it("verifies brokers against Node's CAs with plain TLS, and against the CA file when one is set", () => {
    expect(kafkaClientSecurity({ ssl: true })).toEqual({ ssl: true });
    const dir = mkdtempSync(join(tmpdir(), 'radflow-kafka-ca-'));
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    writeFileSync(join(dir, 'ca.pem'), pem);
    expect(kafkaClientSecurity({ ssl: true, sslCaFile: join(dir, 'ca.pem') })).toEqual({
      ssl: { ca: [pem], rejectUnauthorized: true },
    });
  });

  it('passes SASL credentials on in a fresh object of their own (kafkajs stores its authenticator on it)', () => {
    const sasl = { mechanism: 'scram-sha-512' as const, username: 'radflow', password: 'pw' };
    const security = kafkaClientSecurity({ ssl: true, sasl });
    expect(security).toEqual({ ssl: true, sasl });
    expect(security.sasl).not.toBe(sasl);
    // What kafkajs 2.2.4 leaves on a sasl object it has used: never carried into a new client's settings.
    const used = Object.assign({ ...sasl, password: 'other' }, { authenticationProvider: () => undefined });
    expect(kafkaClientSecurity({ ssl: true, sasl: used }).sasl).toEqual({ ...sasl, password: 'other' });
  });

  it('names an unreadable CA file by its variable and path', () => {
    expect(() => kafkaClientSecurity({ ssl: true, sslCaFile: '/nonexistent/radflow-ca.pem' })).toThrow(
      'KAFKA_SSL_CA_FILE /nonexistent/radflow-ca.pem cannot be read: ENOENT',
    );
  });
});
