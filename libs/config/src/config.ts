import { existsSync } from 'node:fs';
import {
  readApiSettings,
  readMllpSecuritySettings,
  type ApiSettings,
  type MllpSecuritySettings,
} from './api-security.ts';
import { envReader, type Env } from './env-reader.ts';
import { readIdentifierSystemSettings, type IdentifierSystemSettings } from './fhir-identifiers.ts';
import { readFhirAuthSettings, type FhirAuthSettings } from './fhir-auth.ts';
import { readKafkaSecuritySettings, type KafkaSecuritySettings } from './kafka-security.ts';
import { readLogHashSettings, type LogHashSettings } from './log-hash-key.ts';
import { readOtelSettings, type OtelSettings } from './otel.ts';
import { readRuleSettings, type RuleSettings } from './report-rules.ts';
import { readRetrainerConfig, type RetrainerConfig } from './retrainer-config.ts';
import { repoRoot } from './repo-root.ts';

export { repoRoot };

/** Where the embedded default keeps its generated log hash key: beside the other local state, never committed. */
export const DEFAULT_LOG_HASH_KEY_FILE = `${repoRoot}.cache/log-hash-key`;
/** Where the embedded default keeps the API key it generates when api-key auth has no API_KEYS. */
export const DEFAULT_API_KEY_FILE = `${repoRoot}.cache/api-key`;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface RadflowConfig {
  logLevel: LogLevel;
  /** Key of the hashes that stand for identifiers in logs (logHash): LOG_HASH_KEY, or a generated key file. */
  logHash: LogHashSettings;
  /**
   * Where a host whose apps serve no HTTP (ingest, enricher or writeback alone) answers GET /metrics; hosts with an
   * HTTP listener serve /metrics there. 0: any free port.
   */
  metricsPort: number;
  kafka: {
    brokers: string[];
    clientId: string;
    /** TLS (KAFKA_SSL), its CA file (KAFKA_SSL_CA_FILE) and SASL (KAFKA_SASL_*): see kafka-security.ts. */
    ssl: KafkaSecuritySettings['ssl'];
    sslCaFile?: KafkaSecuritySettings['sslCaFile'];
    sasl?: KafkaSecuritySettings['sasl'];
    /** Consumer session timeout: must exceed the slowest handler step (model call + FHIR write). */
    sessionTimeoutMs: number;
    /** Prefix for consumer group ids, so several radflow installations can share one cluster. */
    groupPrefix: string;
    /**
     * Where a consumer group with no committed offset starts (first start of a stage, new prefix): `earliest`
     * (default: nothing already on the topic is skipped) or `latest` (only what arrives from now on).
     */
    startFrom: 'earliest' | 'latest';
    /** A stage's output and its consumed offset in one Kafka transaction (exactly once for read_committed readers). */
    transactions: boolean;
    /** The broker aborts a transaction its producer left open this long (a crash): read_committed readers wait at most this. */
    transactionTimeoutMs: number;
    /**
     * Stages with little work per record (ingest, triage, worklist-task) commit up to this many consecutive records
     * of a partition in one transaction (within 50 ms); 1 turns micro-batching off.
     */
    microBatchRecords: number;
    /** Partitions of the topics radflow creates (an instance per partition at most does a stage's work in parallel). */
    topicPartitions: number;
    /** Replicas of the topics radflow creates; -1: the broker's default.replication.factor. */
    replicationFactor: number;
  };
  database: { url: string };
  fhir: {
    /** The EHR's FHIR R4 base URL; the embedded default is the local server started by infra/. */
    baseUrl: string;
    /**
     * How FHIR calls authenticate (FHIR_AUTH: none, bearer, smart-backend); build the header source with
     * @radflow/fhir's fhirAuthFor.
     */
    auth: FhirAuthSettings;
    /** The static token when FHIR_AUTH=bearer (the same as auth.token). */
    bearerToken?: string;
    timeoutMs: number;
    /** Look up prior reports on the FHIR server as well as in the local store. */
    priorLookup: boolean;
    /** Patient identifier systems written to FHIR: HL7 assigning authority → URI (FHIR_IDENTIFIER_SYSTEMS, …_BASE). */
    identifierSystems: IdentifierSystemSettings;
    /**
     * Refer to the patient and the source report by id only after finding them on this server (one batch of
     * searches per writeback); otherwise, and when off, by identifier.
     */
    referenceLookup: boolean;
  };
  inference: {
    /** Base URL of the inference service; empty means call the model in-process. */
    url: string;
    deadlineMs: number;
    modelDir: string;
    maxBatch: number;
    queueLimit: number;
    threads: number;
    providers: string[];
    /** Serve the manifest's int8 ONNX file. */
    quantized: boolean;
    /**
     * Model sessions one inference instance holds at once (INFERENCE_MAX_LOADED_MODELS), the serving model's
     * included (it is never evicted): the others are canary and per-radiologist versions, kept in an LRU.
     */
    maxLoadedModels: number;
    /** How long the enricher reuses the registry's routing table (serving, canary, radiologist versions). */
    routingCacheMs: number;
    /**
     * Whose abnormality and device labels the enrichment emits (ENRICHMENT_LABELS): `rules` (the model's differing
     * calls are kept as disagreements for review) or `rules-then-model` (the model adds labels the report never
     * names in the rules' words). Chosen on the validation split: see libs/enrichment merge-labels.ts.
     */
    labelSource: 'rules' | 'rules-then-model';
    /**
     * Whether the rules check the model's draft impression against the findings (ENRICHMENT_DRAFT_CHECK): a stat
     * finding the draft left out is carried first, an abnormality the findings do not support is taken out, each
     * change recorded on the event. On by default: a draft that drops a malpositioned tube is worse than none.
     */
    checkDraftImpression: boolean;
  };
  ingest: {
    maxMessageBytes: number;
    /** Salt for the patient key hash: set a secret per installation so hashes cannot be linked across sites. */
    patientKeySalt: string;
  };
  gateway: { httpPort: number; mllpPort: number; host: string } & MllpSecuritySettings;
  /** Authentication of the HTTP APIs (gateway, inference, feedback) and their request body limit. */
  api: ApiSettings;
  inferencePort: number;
  /**
   * The address the standalone inference server (apps/inference/src/main.ts) binds; a host composing the inference
   * app binds GATEWAY_HOST instead.
   */
  inferenceHost: string;
  /** The retrainer: its HTTP port, retraining policy, trainer process, evaluation sets and gate (RETRAIN_*). */
  retrainer: RetrainerConfig;
  /** The worklist web page (apps/worklist): its own HTTP listener, sign-in and opaque report ids. */
  worklist: {
    host: string;
    port: number;
    /** JSON file of the users who may sign in (username, display name, scrypt password hash). */
    usersFile: string;
    /** HMAC key of the session cookies; unset means a random key per process (sessions end on restart). */
    sessionSecret?: string;
    sessionTtlMinutes: number;
    /** Mark the session cookie Secure (set when the page is served over HTTPS, e.g. behind a TLS proxy). */
    secureCookies: boolean;
    /** Key of the opaque report ids in the page's URLs (a keyed hash of the accession, never the accession). */
    idSecret: string;
    /**
     * Sign-in with an OpenID Connect provider (authorization code + PKCE), beside or instead of the users file
     * (WORKLIST_USERS_FILE=none). Set by WORKLIST_OIDC_ISSUER; absent otherwise.
     */
    oidc?: {
      issuer: string;
      clientId: string;
      clientSecret?: string;
      /** Where the provider sends the browser back: this page's /auth/oidc/callback as the browser reaches it. */
      redirectUrl: string;
      scope: string;
      /** The ID token claim that becomes the reviewer id (the feedback's reviewerId). */
      usernameClaim: string;
    };
  };
  /**
   * The site's finalized chest X-ray filter and worklist priority rules (RADFLOW_RULES_FILE); empty settings mean
   * the built-in rules. Built into policies by @radflow/reports (chestXrayPolicyFrom) and @radflow/labels
   * (priorityPolicyFrom).
   */
  rules: RuleSettings;
  /** OpenTelemetry traces from the standard OTEL_* variables: off (the API's no-op tracer) unless an exporter is set. */
  otel: OtelSettings;
}

/**
 * radflow-cxr (SmolLM2-135M-Instruct with its committed adapters) once `infra/run setup` has built it into the
 * cache; before that, the small model the repository holds whole, so a clone without the build still runs.
 */
export function defaultModelDir(): string {
  const built = `${repoRoot}.cache/models/radflow-cxr`;
  const small = `${repoRoot}models/radflow-cxr-small`;
  if (existsSync(`${built}/radflow-model.json`)) return built;
  return existsSync(`${small}/radflow-model.json`) ? small : `${repoRoot}models/tiny-random`;
}

/** Every setting radflow reads, with the embedded default (everything on 127.0.0.1) when unset. */
export function loadConfig(env: Env = process.env): RadflowConfig {
  const read = envReader(env);
  const fhirAuth = readFhirAuthSettings(env);
  const modelDir = read.string('MODEL_DIR', defaultModelDir());
  return {
    logLevel: read.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    logHash: readLogHashSettings(env, DEFAULT_LOG_HASH_KEY_FILE),
    // 9464: the port Prometheus exporters of OpenTelemetry use by default, so scrape configs need no surprise.
    metricsPort: read.int('METRICS_PORT', 9464, { min: 0, max: 65535 }),
    kafka: {
      brokers: read.list('KAFKA_BROKERS', ['127.0.0.1:9092']),
      clientId: read.string('KAFKA_CLIENT_ID', 'radflow'),
      ...readKafkaSecuritySettings(env),
      sessionTimeoutMs: read.int('KAFKA_SESSION_TIMEOUT_MS', 45_000, { min: 6_000 }),
      groupPrefix: read.string('KAFKA_GROUP_PREFIX', 'radflow'),
      startFrom: read.oneOf('KAFKA_START_FROM', ['earliest', 'latest'], 'earliest'),
      transactions: read.bool('KAFKA_TRANSACTIONS', true),
      transactionTimeoutMs: read.int('KAFKA_TRANSACTION_TIMEOUT_MS', 30_000, { min: 1_000, max: 900_000 }),
      microBatchRecords: read.int('KAFKA_MICRO_BATCH_RECORDS', 100, { min: 1, max: 10_000 }),
      topicPartitions: read.int('KAFKA_TOPIC_PARTITIONS', 3, { min: 1, max: 10_000 }),
      // -1 leaves it to the broker (1 on infra/kafka.sh's single broker, 3 on infra/kafka-cluster.sh's cluster).
      replicationFactor: Number(
        read.oneOf('KAFKA_REPLICATION_FACTOR', ['-1', '1', '2', '3', '4', '5', '6', '7'], '-1'),
      ),
    },
    database: { url: read.string('DATABASE_URL', 'postgres://radflow:radflow@127.0.0.1:5432/radflow') },
    fhir: {
      baseUrl: read.string('FHIR_BASE_URL', 'http://127.0.0.1:8103/fhir/R4'),
      auth: fhirAuth,
      ...(fhirAuth.kind === 'bearer' ? { bearerToken: fhirAuth.token } : {}),
      timeoutMs: read.int('FHIR_TIMEOUT_MS', 10_000, { min: 100 }),
      priorLookup: read.bool('FHIR_PRIOR_LOOKUP', true),
      identifierSystems: readIdentifierSystemSettings(env),
      referenceLookup: read.bool('FHIR_REFERENCE_LOOKUP', true),
    },
    inference: {
      url: read.string('INFERENCE_URL', ''),
      deadlineMs: read.int('INFERENCE_DEADLINE_MS', 15_000, { min: 10 }),
      modelDir,
      maxBatch: read.int('INFERENCE_MAX_BATCH', 8, { min: 1, max: 256 }),
      queueLimit: read.int('INFERENCE_QUEUE_LIMIT', 256, { min: 1 }),
      threads: read.int('INFERENCE_THREADS', 1, { min: 1, max: 64 }),
      providers: read.list('INFERENCE_PROVIDERS', ['cpu']),
      quantized: read.bool('INFERENCE_QUANTIZED', false),
      maxLoadedModels: read.int('INFERENCE_MAX_LOADED_MODELS', 3, { min: 2, max: 64 }),
      routingCacheMs: read.int('ENRICHMENT_ROUTING_CACHE_MS', 5_000, { min: 0, max: 600_000 }),
      labelSource: read.oneOf('ENRICHMENT_LABELS', ['rules', 'rules-then-model'] as const, 'rules'),
      checkDraftImpression: read.bool('ENRICHMENT_DRAFT_CHECK', true),
    },
    ingest: {
      maxMessageBytes: read.int('INGEST_MAX_MESSAGE_BYTES', 1_048_576, { min: 1024 }),
      patientKeySalt: read.string('PATIENT_KEY_SALT', 'radflow-embedded-default-salt'),
    },
    gateway: {
      host: read.string('GATEWAY_HOST', '127.0.0.1'),
      httpPort: read.int('GATEWAY_HTTP_PORT', 8080, { min: 0, max: 65535 }),
      mllpPort: read.int('GATEWAY_MLLP_PORT', 2575, { min: 0, max: 65535 }),
      ...readMllpSecuritySettings(env),
    },
    api: readApiSettings(env, DEFAULT_API_KEY_FILE),
    inferencePort: read.int('INFERENCE_PORT', 8090, { min: 0, max: 65535 }),
    inferenceHost: read.string('INFERENCE_HOST', '127.0.0.1'),
    retrainer: readRetrainerConfig(env, modelDir),
    worklist: {
      host: read.string('WORKLIST_HOST', '127.0.0.1'),
      port: read.int('WORKLIST_PORT', 8085, { min: 0, max: 65535 }),
      usersFile: read.string('WORKLIST_USERS_FILE', `${repoRoot}apps/worklist/users.embedded.json`),
      ...(read.optionalString('WORKLIST_SESSION_SECRET')
        ? { sessionSecret: read.string('WORKLIST_SESSION_SECRET', '') }
        : {}),
      sessionTtlMinutes: read.int('WORKLIST_SESSION_TTL_MINUTES', 480, { min: 1, max: 7 * 24 * 60 }),
      secureCookies: read.bool('WORKLIST_SECURE_COOKIES', false),
      idSecret: read.string(
        'WORKLIST_ID_SECRET',
        `worklist-ids:${read.string('PATIENT_KEY_SALT', 'radflow-embedded-default-salt')}`,
      ),
      ...(read.optionalString('WORKLIST_OIDC_ISSUER')
        ? {
            oidc: {
              issuer: read.string('WORKLIST_OIDC_ISSUER', ''),
              clientId: read.string('WORKLIST_OIDC_CLIENT_ID', 'radflow-worklist'),
              ...(read.optionalString('WORKLIST_OIDC_CLIENT_SECRET')
                ? { clientSecret: read.string('WORKLIST_OIDC_CLIENT_SECRET', '') }
                : {}),
              redirectUrl: read.string(
                'WORKLIST_OIDC_REDIRECT_URL',
                `http://${read.string('WORKLIST_HOST', '127.0.0.1')}:${read.string('WORKLIST_PORT', '8085')}/auth/oidc/callback`,
              ),
              scope: read.string('WORKLIST_OIDC_SCOPE', 'openid profile'),
              usernameClaim: read.string('WORKLIST_OIDC_USERNAME_CLAIM', 'preferred_username'),
            },
          }
        : {}),
    },
    rules: readRuleSettings(env),
    otel: readOtelSettings(env),
  };
}
