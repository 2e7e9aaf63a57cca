import { describe, expect, it } from 'vitest';
import { ConfigError, envReader, loadConfig } from './index.ts';

describe('loadConfig', () => {
  it('runs with no configuration at all on the embedded default', () => {
    const config = loadConfig({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.database.url).toMatch(/^postgres:\/\/radflow:radflow@127\.0\.0\.1:5432\/radflow$/);
    expect(config.fhir.baseUrl).toBe('http://127.0.0.1:8103/fhir/R4');
    expect(config.inference.url).toBe('');
    // The built radflow-cxr (infra/run setup), else the small model the repository holds.
    expect(config.inference.modelDir).toMatch(/(\.cache\/models\/radflow-cxr|models\/radflow-cxr-small)$/);
    // A new consumer group reads what is already on its topics, and stages commit their output transactionally.
    expect(config.kafka.startFrom).toBe('earliest');
    expect(config.kafka.transactions).toBe(true);
  });

  it('reads where new consumer groups start and whether stages use transactions', () => {
    const config = loadConfig({ KAFKA_START_FROM: 'latest', KAFKA_TRANSACTIONS: 'false' });
    expect(config.kafka.startFrom).toBe('latest');
    expect(config.kafka.transactions).toBe(false);
    expect(() => loadConfig({ KAFKA_START_FROM: 'beginning' })).toThrow(/KAFKA_START_FROM must be one of/);
  });

  it('reads the partitions and replication factor of the topics radflow creates', () => {
    // Unset: 3 partitions, the broker's default replication factor (1 on the single local broker).
    expect(loadConfig({}).kafka).toMatchObject({ topicPartitions: 3, replicationFactor: -1 });
    const cluster = loadConfig({ KAFKA_TOPIC_PARTITIONS: '6', KAFKA_REPLICATION_FACTOR: '3' });
    expect(cluster.kafka).toMatchObject({ topicPartitions: 6, replicationFactor: 3 });
    expect(() => loadConfig({ KAFKA_REPLICATION_FACTOR: '0' })).toThrow(
      /KAFKA_REPLICATION_FACTOR must be one of/,
    );
    expect(() => loadConfig({ KAFKA_TOPIC_PARTITIONS: '0' })).toThrow(/KAFKA_TOPIC_PARTITIONS must be/);
  });

  it('reads a hospital deployment from the environment', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'kafka-1:9093, kafka-2:9093',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'radflow',
      KAFKA_SASL_PASSWORD: 'secret',
      FHIR_BASE_URL: 'https://ehr.example.org/fhir/R4',
      INFERENCE_DEADLINE_MS: '2500',
    });
    expect(config.kafka.brokers).toEqual(['kafka-1:9093', 'kafka-2:9093']);
    expect(config.kafka.ssl).toBe(true);
    expect(config.kafka.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'radflow',
      password: 'secret',
    });
    expect(config.fhir.baseUrl).toBe('https://ehr.example.org/fhir/R4');
    expect(config.inference.deadlineMs).toBe(2500);
  });

  it('names the variable when a value is wrong, without echoing it', () => {
    expect(() => loadConfig({ INFERENCE_DEADLINE_MS: 'soon' })).toThrow(ConfigError);
    expect(() => loadConfig({ KAFKA_SSL: 'maybe' })).toThrow(/KAFKA_SSL must be true or false/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of/);
  });
});

describe('envReader.number', () => {
  it('reads decimals and exponents within bounds, and names the variable otherwise', () => {
    const read = envReader({ RATE: '5e-5', SHARE: '0.25', BAD: 'fast', NEG: '-1' });
    expect(read.number('RATE', 1)).toBe(5e-5);
    expect(read.number('SHARE', 1, { min: 0, max: 1 })).toBe(0.25);
    expect(read.number('UNSET', 2)).toBe(2);
    expect(() => read.number('BAD', 1)).toThrow(/BAD must be a number/);
    expect(() => read.number('NEG', 1, { min: 0 })).toThrow(ConfigError);
  });
});

describe('the standalone inference server and the retrainer', () => {
  it('bind and read their defaults, and name a wrong variable', () => {
    const config = loadConfig({});
    expect(config.inferenceHost).toBe('127.0.0.1');
    expect(loadConfig({ INFERENCE_HOST: '0.0.0.0' }).inferenceHost).toBe('0.0.0.0');
    expect(config.retrainer).toMatchObject({
      httpPort: 8095,
      minNewExamples: 50,
      modelName: undefined,
      baseModelDir: config.inference.modelDir,
      autoRetrain: true,
      minIntervalSeconds: 60,
      // The trainer picks the rate for the base it is given unless RETRAIN_LR says otherwise.
      trainer: { python: '/usr/bin/python3', steps: 40, learningRate: undefined, timeoutSeconds: 1800 },
    });
    expect(config.retrainer.registryDir).toBe(`${config.retrainer.workDir}/registry`);
    expect(config.retrainer.evaluation.openiDir).toMatch(/data\/openi$/);
    expect(loadConfig({ RETRAIN_AUTO: 'false' }).retrainer.autoRetrain).toBe(false);
    expect(() => loadConfig({ RETRAIN_STEPS: 'many' })).toThrow(/RETRAIN_STEPS must be/);
  });

  it('read the feedback a radiologist needs for a model of their own (0: off, never negative)', () => {
    expect(loadConfig({}).retrainer.radiologistMinFeedback).toBe(100);
    expect(loadConfig({ RETRAIN_RADIOLOGIST_MIN_FEEDBACK: '0' }).retrainer.radiologistMinFeedback).toBe(0);
    expect(() => loadConfig({ RETRAIN_RADIOLOGIST_MIN_FEEDBACK: '-1' })).toThrow(
      /RETRAIN_RADIOLOGIST_MIN_FEEDBACK/,
    );
  });
});
