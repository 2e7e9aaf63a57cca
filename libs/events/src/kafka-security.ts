import { readFileSync } from 'node:fs';
import type { KafkaConfig } from 'kafkajs';

/** The security part of radflow's Kafka settings (RadflowConfig['kafka']: KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_*). */
export interface KafkaSecurityOptions {
  ssl?: boolean;
  /** PEM file of the CA(s) that signed the brokers' certificates; unset: the CAs Node trusts. */
  sslCaFile?: string;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

/**
 * kafkajs's `ssl` and `sasl` for radflow's settings: every kafkajs client radflow makes (KafkaBus, the CLI's topic
 * reader) takes them from here. Broker certificates are always verified (against sslCaFile when set).
 */
export function kafkaClientSecurity(options: KafkaSecurityOptions): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  let ssl: KafkaConfig['ssl'] = options.ssl ?? false;
  if (ssl && options.sslCaFile) {
    let ca: string;
    try {
      ca = readFileSync(options.sslCaFile, 'utf8');
    } catch (error) {
      throw new Error(
        `KAFKA_SSL_CA_FILE ${options.sslCaFile} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        { cause: error },
      );
    }
    ssl = { ca: [ca], rejectUnauthorized: true };
  }
  if (!options.sasl) return { ssl };
  // A fresh object of the three settings only: kafkajs 2.2.4 stores its authenticator ON the sasl object it is given,
  // bound to that object's credentials, so a settings object shared with (or spread from) one a client has used
  // would authenticate with the old credentials whatever its password says.
  const { mechanism, username, password } = options.sasl;
  return { ssl, sasl: { mechanism, username, password } as KafkaConfig['sasl'] };
}
