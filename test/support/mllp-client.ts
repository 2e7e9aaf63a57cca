import { connect } from 'node:net';
import { frameMllp, MllpDeframer } from '@radflow/hl7';

/** Sends one HL7 message over MLLP like an interface engine would, and returns the ACK it gets back. */
export function sendOverMllp(port: number, message: Buffer, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const deframer = new MllpDeframer({ maxMessageBytes: 1_000_000 });
    const timer = setTimeout(
      () => (socket.destroy(), reject(new Error('no ACK within the timeout'))),
      timeoutMs,
    );
    socket.on('connect', () => socket.write(frameMllp(message)));
    socket.on('data', (chunk) => {
      for (const event of deframer.push(chunk)) {
        clearTimeout(timer);
        socket.end();
        if (event.kind === 'message') resolve(Buffer.from(event.payload).toString('latin1'));
        else reject(event.error);
      }
    });
    socket.on('error', (error) => (clearTimeout(timer), reject(error)));
  });
}
