import { connect } from 'node:net';
import { frameMllp, MllpDeframer } from '@radflow/hl7';

/**
 * Sends like an interface engine: the same bytes again until the gateway answers AA (a killed gateway, a broker it
 * cannot reach). Resending is safe by contract: ingest takes the same bytes once.
 */
export class MllpSendError extends Error {
  override readonly name = 'MllpSendError';
}

function roundTrip(port: number, bytes: Buffer, timeoutMs: number): Promise<string> {
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
    // this the promise would never settle and the sending would stop for good. After an ACK it is a no-op.
    socket.on('close', () => reject(new MllpSendError('connection closed before an ACK')));
  });
}

/**
 * Resolves with the number of attempts once acknowledged with AA; throws past the deadline. With several gateways
 * (`ports`), each attempt goes to the next one, as an interface engine fails over between a site's endpoints.
 */
export async function sendUntilAccepted(
  ports: number[],
  bytes: Buffer,
  deadline: number,
  first = 0,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    let answer: string;
    try {
      const ack = await roundTrip(ports[(first + attempt - 1) % ports.length]!, bytes, 15_000);
      answer =
        ack
          .split('\r')
          .find((segment) => segment.startsWith('MSA|'))
          ?.split('|')[1] ?? '?';
      if (answer === 'AA') return attempt;
    } catch (error) {
      answer = (error as Error).message;
    }
    if (Date.now() > deadline) throw new MllpSendError(`not accepted after ${attempt} attempts: ${answer}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
