import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.ts';

describe('Kafka TLS and SASL settings', () => {
  it('are off by default: PLAINTEXT, no authentication', () => {
    const { kafka } = loadConfig({});
    expect(kafka.ssl).toBe(false);
    expect(kafka.sslCaFile).toBeUndefined();
    expect(kafka.sasl).toBeUndefined();
  });

  it('read TLS with a private CA and SCRAM credentials', () => {
    const { kafka } = loadConfig({
      KAFKA_BROKERS: 'kafka-1:9093',
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/etc/radflow/kafka-ca.pem',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'radflow',
      KAFKA_SASL_PASSWORD: 'pw-1',
    });
    expect(kafka.ssl).toBe(true);
    expect(kafka.sslCaFile).toBe('/etc/radflow/kafka-ca.pem');
    expect(kafka.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'radflow', password: 'pw-1' });
  });

  it('refuse a CA file without TLS, which would connect in plain text', () => {
    expect(() => loadConfig({ KAFKA_SSL_CA_FILE: '/etc/radflow/kafka-ca.pem' })).toThrow(
      /KAFKA_SSL must be true when KAFKA_SSL_CA_FILE is set/,
    );
  });

  it('refuse a SASL mechanism without a username or password, and an unknown mechanism, never echoing the password', () => {
    expect(() =>
      loadConfig({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'hunter2-secret' }),
    ).toThrow(/KAFKA_SASL_USERNAME must be set when KAFKA_SASL_MECHANISM is/);
    expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'radflow' })).toThrow(
      /KAFKA_SASL_PASSWORD must be set/,
    );
    let error: unknown;
    try {
      loadConfig({
        KAFKA_SASL_MECHANISM: 'gssapi',
        KAFKA_SASL_USERNAME: 'radflow',
        KAFKA_SASL_PASSWORD: 'hunter2-secret',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512/,
    );
    expect((error as Error).message).not.toContain('hunter2');
  });
});
