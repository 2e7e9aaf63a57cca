import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEnvelope, EventValidator, SchemaValidationError } from '@radflow/events';
import type { ModelEventPayload } from '@radflow/schemas';

const validator = new EventValidator();
const check = (payload: Partial<ModelEventPayload>) => () =>
  validator.assertValidEvent(
    createEnvelope(
      'rad.model.events',
      1,
      { name: 'm', version: '1', occurredAt: new Date().toISOString(), ...payload },
      { sourceMessageId: 's', producer: 'test' },
    ),
  );

describe('rad.model.events.v1 schema', () => {
  it('accepts the lifecycle events the retrainer publishes', () => {
    expect(
      check({ kind: 'model.promoted', modelDir: '/registry/m/1', action: 'rollback', previousVersion: '2' }),
    ).not.toThrow();
    expect(
      check({
        kind: 'training.progress',
        runId: randomUUID(),
        progress: { stage: 'training', fraction: 0.5, step: 5, totalSteps: 10, loss: 2.1 },
      }),
    ).not.toThrow();
    const interval = { estimate: 0.5, lower: 0.4, upper: 0.6 };
    const comparison = {
      evaluationSet: 'fixed',
      metric: 'rougeL',
      examples: 40,
      candidate: interval,
      current: interval,
      difference: interval,
      gated: true,
      worse: false,
    };
    expect(
      check({
        kind: 'model.rejected',
        decision: { outcome: 'reject', reasons: ['x'], comparisons: [comparison] },
      }),
    ).not.toThrow();
  });

  it.each([
    ['a promotion without its model directory', { kind: 'model.promoted', action: 'promotion' }],
    ['a progress event without progress', { kind: 'training.progress', runId: randomUUID() }],
    ['a training event without run id', { kind: 'training.started' }],
    ['a failure without the error', { kind: 'training.failed', runId: randomUUID() }],
    ['a decision without numbers', { kind: 'model.evaluated' }],
    ['an unknown kind', { kind: 'model.deleted' }],
  ] as const)('refuses %s', (_, payload) => {
    expect(check(payload as Partial<ModelEventPayload>)).toThrow(SchemaValidationError);
  });
});
