import { describe, expect, it } from 'vitest';
import { hl7HttpAnswer, worstStatus, type GatewayOutcome } from './gateway-outcome.ts';

const ok = (traceId: string): GatewayOutcome => ({
  accepted: true,
  traceId,
  httpStatus: 200,
  ack: `MSH|ack-${traceId}\rMSA|AA|${traceId}\r`,
});
const bad = (traceId: string, httpStatus: number, code = 'NOT_HL7'): GatewayOutcome => ({
  accepted: false,
  traceId,
  httpStatus,
  ack: `MSH|ack-${traceId}\rMSA|AR|${traceId}\r`,
  error: { code, reason: 'why' },
});

describe('worstStatus', () => {
  it('is the highest status: resend-later beats never-acceptable beats accepted', () => {
    expect(worstStatus([])).toBe(200);
    expect(worstStatus([ok('a'), ok('b')])).toBe(200);
    expect(worstStatus([ok('a'), bad('b', 422), bad('c', 400)])).toBe(422);
    expect(worstStatus([bad('a', 413), bad('b', 503), ok('c')])).toBe(503);
    expect(worstStatus([], 202)).toBe(202);
  });
});

describe('hl7HttpAnswer', () => {
  it('joins the ACKs of every message in order, with their trace ids, and takes the worst status', () => {
    const answer = hl7HttpAnswer({ messages: [ok('t:1'), bad('t:2', 422), ok('t:3')], issues: [] });
    expect(answer.ack).toBe('MSH|ack-t:1\rMSA|AA|t:1\rMSH|ack-t:2\rMSA|AR|t:2\rMSH|ack-t:3\rMSA|AA|t:3\r');
    expect(answer.traceIds).toEqual(['t:1', 't:2', 't:3']);
    expect(answer.status).toBe(422);
    expect(answer.issues).toEqual([]);
  });

  it('names batch-level issues beside the messages and counts them in the status', () => {
    const answer = hl7HttpAnswer({ messages: [ok('t:1')], issues: [bad('t:batch1', 400, 'TRUNCATED')] });
    expect(answer.ack).toBe('MSH|ack-t:1\rMSA|AA|t:1\r');
    expect(answer.issues).toEqual(['TRUNCATED: why']);
    expect(answer.status).toBe(400);
  });

  it('acknowledges what was posted when it held no message at all', () => {
    const answer = hl7HttpAnswer({ messages: [], issues: [bad('t', 400)] });
    expect(answer.ack).toContain('MSA|AR|t');
    expect(answer.traceIds).toEqual(['t']);
    expect(answer.status).toBe(400);
  });
});
