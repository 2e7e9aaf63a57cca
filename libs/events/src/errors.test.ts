import { describe, expect, it } from 'vitest';
import { needsGroupRejoin } from './errors.ts';

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

  it('leaves every other failure to the retry policy', () => {
    expect(needsGroupRejoin(kafkaError('MESSAGE_TOO_LARGE'))).toBe(false);
    expect(needsGroupRejoin(Object.assign(new Error('x'), { type: 'REBALANCE_IN_PROGRESS' }))).toBe(false);
    expect(needsGroupRejoin(new Error('database down'))).toBe(false);
    expect(needsGroupRejoin(undefined)).toBe(false);
  });
});
