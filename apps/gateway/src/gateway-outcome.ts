/** How the gateway answered for one message (or one unreadable part of a body). */
export interface GatewayOutcome {
  /** Stored on the inbound topic; false when dead-lettered or not stored at all. */
  accepted: boolean;
  traceId: string;
  /** The HTTP status this message alone would get: 200 when accepted. */
  httpStatus: number;
  /** HL7 acknowledgment, for HL7 senders. */
  ack?: string;
  error?: { code: string; reason: string };
  /** For a 503: how long the FHIR server asked radflow to wait, when it said (the sender waits at least that). */
  retryAfterSeconds?: number;
}

/** What a posted HL7 body became: one outcome per message, plus batch-level problems (stray content, lost messages). */
export interface Hl7BodyOutcome {
  messages: GatewayOutcome[];
  issues: GatewayOutcome[];
}

/**
 * The status of a whole body: the worst of its parts, so a sender that only reads the status still learns that
 * something needs attention (503: resend later; 4xx: will never be accepted as sent). Statuses rank by number.
 */
export function worstStatus(outcomes: Array<Pick<GatewayOutcome, 'httpStatus'>>, ok = 200): number {
  return outcomes.reduce((worst, outcome) => Math.max(worst, outcome.httpStatus), ok);
}

/**
 * The HTTP answer to a posted HL7 body: the ACKs of its messages in order, joined back to back like the messages
 * were (each ACK ends in \r); with no message at all, the ACK of what was posted instead. Batch-level problems
 * have no message to acknowledge: they are named in a header and count in the status.
 */
export function hl7HttpAnswer(body: Hl7BodyOutcome): {
  status: number;
  ack: string;
  traceIds: string[];
  issues: string[];
} {
  const acknowledged = body.messages.length > 0 ? body.messages : body.issues;
  return {
    status: worstStatus([...body.messages, ...body.issues]),
    ack: acknowledged.map((outcome) => outcome.ack ?? '').join(''),
    traceIds: acknowledged.map((outcome) => outcome.traceId),
    issues:
      body.messages.length > 0
        ? body.issues.map((issue) => `${issue.error?.code}: ${issue.error?.reason}`)
        : [],
  };
}
