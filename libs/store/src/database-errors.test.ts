import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from './database.ts';

describe('isTransientDatabaseError', () => {
  it('knows PostgreSQL connection codes and dropped connections', () => {
    expect(isTransientDatabaseError(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('x'), { code: '23505' }))).toBe(false);
  });

  it('answers false, without throwing, for errors whose code is not a string (a Kafka heartbeat refused)', () => {
    const kafka = Object.assign(new Error('The group is rebalancing'), {
      name: 'KafkaJSProtocolError',
      code: 27,
    });
    expect(() => isTransientDatabaseError(kafka)).not.toThrow();
    expect(isTransientDatabaseError(kafka)).toBe(false);
    expect(isTransientDatabaseError(null)).toBe(false);
  });
});
