import { ackCode, mllpRoundTrip } from '../mllp-client.ts';
import type { SampleMessage } from './sample-feed.ts';

/** Sends a sample through the gateway like a hospital system would, and says what the gateway answered. */
export async function sendThroughGateway(
  message: SampleMessage,
  endpoints: { mllpPort: number; httpPort: number; bearerToken?: string | undefined },
): Promise<string> {
  if (message.kind === 'hl7v2') {
    const ack = await mllpRoundTrip(endpoints.mllpPort, message.bytes, 30_000);
    const err = ack.split('\r').find((segment) => segment.startsWith('ERR|'));
    return `ACK ${ackCode(ack) ?? '?'}${err ? `  ${err.split('|').filter(Boolean).slice(-1)[0]}` : ''}`;
  }
  const response = await fetch(`http://127.0.0.1:${endpoints.httpPort}/fhir/notify`, {
    method: 'POST',
    headers: {
      'content-type': 'application/fhir+json',
      ...(endpoints.bearerToken ? { authorization: `Bearer ${endpoints.bearerToken}` } : {}),
    },
    body: message.bytes,
  });
  const body = (await response.json()) as { issue?: { details?: { text?: string } }[] };
  return `HTTP ${response.status}${body.issue ? `  ${body.issue[0]?.details?.text ?? ''}` : ''}`;
}
