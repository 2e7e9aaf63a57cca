import { connect } from 'node:net';
import { frameMllp, MllpDeframer } from '@radflow/hl7';

/** An MLLP exchange with a gateway that ended without an ACK, or a message the gateway never accepted. */
export class MllpSendError extends Error {
  override readonly name = 'MllpSendError';
}

/** Sends one framed message to the gateway on loopback and resolves with its ACK (latin1), as a hospital system would. */
export function mllpRoundTrip(port: number, bytes: Buffer, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const deframer = new MllpDeframer({ maxMessageBytes: 1_000_000 });
    socket.setTimeout(timeoutMs, () => (socket.destroy(), reject(new MllpSendError('no ACK in time'))));
    socket.on('connect', () => socket.write(frameMllp(bytes)));
    socket.on('data', (chunk) => {
      for (const event of deframer.push(chunk)) {
        socket.end();
        if (event.kind === 'message') resolve(Buffer.from(event.payload).toString('latin1'));
        else reject(event.error);
      }
    });
    socket.on('error', reject);
    // A gateway killed after reading the message closes the connection without an error (FIN, not RST): without
    // this the promise would never settle. After an ACK it is a no-op.
    socket.on('close', () => reject(new MllpSendError('connection closed before an ACK')));
  });
}

/** The ACK's code (MSA-1: AA, AE, AR), or undefined when the answer has no MSA segment. */
export function ackCode(ack: string): string | undefined {
  return ack
    .split('\r')
    .find((segment) => segment.startsWith('MSA|'))
    ?.split('|')[1];
}
