import { ConfigError, envReader, type Env } from './env-reader.ts';

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** How radflow's Kafka clients reach a secured cluster; the embedded default is PLAINTEXT without authentication. */
export interface KafkaSecuritySettings {
  /** TLS to the brokers (KAFKA_SSL). */
  ssl: boolean;
  /**
   * PEM file of the CA(s) that signed the brokers' certificates (KAFKA_SSL_CA_FILE), for a cluster whose certificates
   * come from the hospital's own CA; unset: the CAs Node trusts. Certificates are always verified.
   */
  sslCaFile?: string;
  /** SASL authentication (KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD); the password is never logged. */
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
}

export function readKafkaSecuritySettings(env: Env): KafkaSecuritySettings {
  const read = envReader(env);
  const ssl = read.bool('KAFKA_SSL', false);
  const sslCaFile = read.optionalString('KAFKA_SSL_CA_FILE');
  // A CA file without TLS would silently connect in plain text: refuse it.
  if (sslCaFile !== undefined && !ssl)
    throw new ConfigError('KAFKA_SSL', 'true when KAFKA_SSL_CA_FILE is set');
  const mechanism = read.optionalString('KAFKA_SASL_MECHANISM');
  if (mechanism === undefined) return { ssl, ...(sslCaFile !== undefined ? { sslCaFile } : {}) };
  const sasl = {
    mechanism: read.oneOf('KAFKA_SASL_MECHANISM', KAFKA_SASL_MECHANISMS, 'scram-sha-512'),
    username: read.optionalString('KAFKA_SASL_USERNAME'),
    password: read.optionalString('KAFKA_SASL_PASSWORD'),
  };
  if (sasl.username === undefined)
    throw new ConfigError('KAFKA_SASL_USERNAME', 'set when KAFKA_SASL_MECHANISM is');
  if (sasl.password === undefined)
    throw new ConfigError('KAFKA_SASL_PASSWORD', 'set when KAFKA_SASL_MECHANISM is');
  return {
    ssl,
    ...(sslCaFile !== undefined ? { sslCaFile } : {}),
    sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password },
  };
}
