/** Headers of a dead-letter record: enough for an operator to find, understand and replay the original. */
export const DeadLetterHeaders = {
  errorCode: 'radflow-error-code',
  errorReason: 'radflow-error-reason',
  sourceTopic: 'radflow-source-topic',
  sourcePartition: 'radflow-source-partition',
  sourceOffset: 'radflow-source-offset',
  stage: 'radflow-stage',
  failedAt: 'radflow-failed-at',
} as const;

export interface DeadLetterRecord {
  topic: string;
  key: Buffer | null;
  /** The original bytes, unchanged. */
  value: Buffer | null;
  headers: Record<string, string | Buffer>;
}

export function deadLetterRecord(
  original: {
    topic: string;
    partition: number;
    offset: string;
    key: Buffer | null;
    value: Buffer | null;
    headers?: Record<string, unknown>;
  },
  failure: { code: string; reason: string; stage: string },
  dlqTopic: string,
): DeadLetterRecord {
  const carried: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(original.headers ?? {})) {
    if (typeof value === 'string' || Buffer.isBuffer(value)) carried[name] = value;
  }
  return {
    topic: dlqTopic,
    key: original.key,
    value: original.value,
    headers: {
      ...carried,
      [DeadLetterHeaders.errorCode]: failure.code,
      // Reasons are operator text without PHI; cap their size so a header never dwarfs the message.
      [DeadLetterHeaders.errorReason]: failure.reason.slice(0, 1000),
      [DeadLetterHeaders.sourceTopic]: original.topic,
      [DeadLetterHeaders.sourcePartition]: String(original.partition),
      [DeadLetterHeaders.sourceOffset]: original.offset,
      [DeadLetterHeaders.stage]: failure.stage,
      [DeadLetterHeaders.failedAt]: new Date().toISOString(),
    },
  };
}
