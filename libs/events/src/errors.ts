/**
 * Two kinds of failure decide what happens to a message:
 * - transient (broker, database, FHIR 5xx, timeouts): retried with backoff, the offset is not committed;
 * - permanent (the message itself is bad): sent to the dead-letter topic with the reason, then committed.
 * Messages carry no PHI: codes and operator hints only.
 */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransientError';
  }
}

export class PermanentError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** An event that does not match its JSON Schema: the paths that failed, never the values. */
export class SchemaValidationError extends PermanentError {
  constructor(
    readonly schemaId: string,
    readonly problems: string[],
  ) {
    super(`event does not match ${schemaId}: ${problems.slice(0, 5).join('; ')}`, 'SCHEMA_VALIDATION');
    this.name = 'SchemaValidationError';
  }
}

export function isPermanent(error: unknown): error is PermanentError {
  return error instanceof PermanentError || (error as { permanent?: boolean } | null)?.permanent === true;
}

export function isTransient(error: unknown): boolean {
  return error instanceof TransientError || (error as { transient?: boolean } | null)?.transient === true;
}

/**
 * Broker answers that mean this consumer must rejoin its group (a rebalance is going on, or it was dropped) or find
 * its group's coordinator again (the broker that was it died: a cluster moves it), as kafkajs names them (error.js:
 * NOT_COORDINATOR_FOR_GROUP, not the Java client's NOT_COORDINATOR). Unrecognised, a heartbeat refused by a moved
 * coordinator dead-lettered the record it was handling after three attempts (found by the soak's broker kill).
 */
const GROUP_REJOIN_TYPES = new Set([
  'REBALANCE_IN_PROGRESS',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
  'FENCED_INSTANCE_ID',
]);

/**
 * A Kafka client error (thrown by a heartbeat inside a handler) saying the group is rebalancing: not a fault of the
 * record. The record must not be retried here nor dead-lettered: the consumer rejoins and the record, uncommitted,
 * is delivered again (to this consumer or the partition's next owner).
 */
export function needsGroupRejoin(error: unknown, depth = 0): boolean {
  const failure = error as { name?: unknown; type?: unknown; cause?: unknown } | null;
  if (!failure || depth > 4) return false;
  if (
    typeof failure.name === 'string' &&
    failure.name.startsWith('KafkaJS') &&
    GROUP_REJOIN_TYPES.has(String(failure.type))
  )
    return true;
  return needsGroupRejoin(failure.cause, depth + 1);
}

/**
 * A failure of the Kafka client itself (kafkajs names all its errors KafkaJS…), e.g. a heartbeat inside a handler
 * refused by a broker that just died: the broker's fault, never the record's, so the record is retried, not
 * dead-lettered (and not reported as a database failure, as ECONNREFUSED alone once was).
 */
export function isKafkaClientError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.startsWith('KafkaJS');
}

/** A code and reason an operator can act on, whatever was thrown. */
export function describeFailure(error: unknown): { code: string; reason: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : error.name, reason: error.message };
  }
  return { code: 'UNKNOWN', reason: String(error) };
}
