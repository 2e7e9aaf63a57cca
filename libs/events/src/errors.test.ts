import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isKafkaClientError, needsGroupRejoin } from './errors.ts';

// kafkajs' protocol error table (CommonJS, no type declarations): how a heartbeat's failure is built from the
// broker's error code.
const kafkaErrors = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
  createErrorFromCode(code: number): Error & { type: string };
};

// What kafkajs throws from heartbeat() during a rebalance: a KafkaJSProtocolError with the broker's error type.
const kafkaError = (type: string) =>
  Object.assign(new Error('The group is rebalancing'), { name: 'KafkaJSProtocolError', type, code: 27 });

describe('needsGroupRejoin', () => {
  it('recognises a heartbeat refused during a rebalance, also when wrapped', () => {
    expect(needsGroupRejoin(kafkaError('REBALANCE_IN_PROGRESS'))).toBe(true);
    expect(needsGroupRejoin(kafkaError('UNKNOWN_MEMBER_ID'))).toBe(true);
    expect(needsGroupRejoin(new Error('handler failed', { cause: kafkaError('ILLEGAL_GENERATION') }))).toBe(
      true,
    );
  });

  it("recognises kafkajs' own errors for a coordinator that moved (a broker of the cluster died)", () => {
    // kafkajs' error table by broker error code, so the names are the client's, not the Java client's.
    const fromCode = (code: number) => kafkaErrors.createErrorFromCode(code);
    expect(fromCode(16).type).toBe('NOT_COORDINATOR_FOR_GROUP');
    for (const code of [14, 15, 16, 22, 25, 27])
      expect(needsGroupRejoin(fromCode(code)), `code ${code}`).toBe(true);
    expect(needsGroupRejoin(fromCode(10))).toBe(false); // MESSAGE_TOO_LARGE
  });

  it('leaves every other failure to the retry policy', () => {
    expect(needsGroupRejoin(kafkaError('MESSAGE_TOO_LARGE'))).toBe(false);
    expect(needsGroupRejoin(Object.assign(new Error('x'), { type: 'REBALANCE_IN_PROGRESS' }))).toBe(false);
    expect(needsGroupRejoin(new Error('database down'))).toBe(false);
    expect(needsGroupRejoin(undefined)).toBe(false);
  });
});

describe('isKafkaClientError', () => {
  it("recognises kafkajs' connection error for a dead broker, which carries ECONNREFUSED like a dead database", () => {
    const { KafkaJSConnectionError } = createRequire(import.meta.url)('kafkajs/src/errors.js') as {
      KafkaJSConnectionError: new (message: string, details: { code: string }) => Error & { code: string };
    };
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9293', {
      code: 'ECONNREFUSED',
    });
    expect(refused.code).toBe('ECONNREFUSED');
    expect(isKafkaClientError(refused)).toBe(true);
    expect(
      isKafkaClientError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBe(false);
    expect(isKafkaClientError(undefined)).toBe(false);
  });
});
