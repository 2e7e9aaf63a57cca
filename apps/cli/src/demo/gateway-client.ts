import { connect } from 'node:net';
import { frameMllp, MllpDeframer } from '@radflow/hl7';
import type { SampleMessage } from './sample-feed.ts';

/** Sends a sample through the gateway like a hospital system would, and says what the gateway answered. */
export async function sendThroughGateway(
  message: SampleMessage,
  endpoints: { mllpPort: number; httpPort: number; bearerToken?: string | undefined },
): Promise<string> {
  if (message.kind === 'hl7v2') {
    const ack = await mllpRoundTrip(endpoints.mllpPort, message.bytes);
    const msa =
      ack
        .split('\r')
        .find((segment) => segment.startsWith('MSA|'))
        ?.split('|') ?? [];
    const err = ack.split('\r').find((segment) => segment.startsWith('ERR|'));
    return `ACK ${msa[1] ?? '?'}${err ? `  ${err.split('|').filter(Boolean).slice(-1)[0]}` : ''}`;
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

function mllpRoundTrip(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const deframer = new MllpDeframer({ maxMessageBytes: 1_000_000 });
    socket.on('connect', () => socket.write(frameMllp(bytes)));
    socket.on('data', (chunk) => {
      for (const event of deframer.push(chunk)) {
        socket.end();
        if (event.kind === 'message') resolve(Buffer.from(event.payload).toString('latin1'));
        else reject(event.error);
      }
    });
    socket.on('error', reject);
    socket.setTimeout(30_000, () => (socket.destroy(), reject(new Error('no ACK from the gateway'))));
  });
}
