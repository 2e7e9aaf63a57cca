import { describe, expect, it } from 'vitest';
import { failureOfAnswer, failureOfNoAnswer, retryAfterSeconds, unexpectedAnswer } from './classify.ts';
import { FhirError } from './fhir-error.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const rejected = (text: string) => ({
  resourceType: 'OperationOutcome',
  issue: [
    { severity: 'error', code: 'invariant', details: { text }, expression: ['Observation.valueQuantity'] },
  ],
});
const answer = (status: number, body: unknown = undefined, retryAfter?: string) =>
  failureOfAnswer({
    interaction: 'transaction',
    status,
    body,
    now: NOW,
    ...(retryAfter ? { retryAfter } : {}),
  });

describe('failureOfAnswer', () => {
  it.each([500, 502, 503, 504, 408, 409, 412, 425, 401, 403])('calls HTTP %i transient', (status) => {
    const failure = answer(status);
    expect(failure).toBeInstanceOf(FhirError);
    expect(failure).toMatchObject({ transient: true, permanent: false, status, code: `FHIR_HTTP_${status}` });
  });

  it('calls 429 throttling, transient, and keeps the Retry-After it was given', () => {
    expect(answer(429, undefined, '7')).toMatchObject({
      code: 'FHIR_THROTTLED',
      transient: true,
      retryAfterSeconds: 7,
    });
    expect(answer(503, undefined, 'Thu, 01 Jan 2026 00:01:00 GMT').retryAfterSeconds).toBe(60);
    expect(answer(503).retryAfterSeconds).toBeUndefined();
  });

  it.each([404, 410])('calls HTTP %i not found, permanent', (status) => {
    expect(
      answer(status, { resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] }),
    ).toMatchObject({
      code: 'FHIR_NOT_FOUND',
      transient: false,
      permanent: true,
      status,
      issues: [{ severity: 'error', code: 'not-found' }],
    });
  });

  it('calls any other 4xx rejected, permanent, with the outcome in the reason but not the echoed value', () => {
    const failure = answer(400, rejected('Invalid additional property "valueFoo" value "Jane Doe"'), '5');
    expect(failure).toMatchObject({ code: 'FHIR_REJECTED', transient: false, status: 400 });
    expect(failure.retryAfterSeconds).toBeUndefined(); // a permanent refusal has no "later"
    expect(failure.message).toBe(
      'FHIR transaction failed with HTTP 400: error invariant: Invalid additional property "valueFoo" value "…" at Observation.valueQuantity',
    );
    expect(failure.issues.map((issue) => issue.code)).toEqual(['invariant']);
    expect(answer(422, '<html>no</html>')).toMatchObject({
      code: 'FHIR_REJECTED',
      message: 'FHIR transaction failed with HTTP 422',
      issues: [],
    });
  });
});

describe('failureOfNoAnswer', () => {
  it('calls a passed deadline a timeout, transient', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(failureOfNoAnswer(timeout, 'read', 200)).toMatchObject({
      code: 'FHIR_TIMEOUT',
      transient: true,
      message: 'FHIR read timed out after 200 ms',
      status: undefined,
    });
  });

  it('calls a failed connection unreachable, transient', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(failureOfNoAnswer(refused, 'search', 200)).toMatchObject({
      code: 'FHIR_UNREACHABLE',
      transient: true,
      message: 'FHIR server unreachable',
    });
  });
});

describe('unexpectedAnswer', () => {
  it('calls a 2xx that is not what was asked for transient', () => {
    expect(unexpectedAnswer('batch', 'without a matching batch-response')).toMatchObject({
      code: 'FHIR_BAD_RESPONSE',
      transient: true,
      message: 'FHIR batch answered without a matching batch-response',
    });
  });
});

describe('retryAfterSeconds', () => {
  it.each([
    ['120', 120],
    [' 0 ', 0],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('%j → %j', (header, seconds) => expect(retryAfterSeconds(header, NOW)).toBe(seconds));
});
