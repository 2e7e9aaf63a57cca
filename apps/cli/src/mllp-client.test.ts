import { createServer, type Server, type Socket } from 'node:net';
import { frameMllp } from '@radflow/hl7';
import { afterEach, describe, expect, it } from 'vitest';
import { ackCode, MllpSendError, mllpRoundTrip } from './mllp-client.ts';

const ACK = 'MSH|^~\\&|RADFLOW|R|SYS|F|20240101||ACK^R01|1|P|2.5.1\rMSA|AE|MSG1|bad\rERR|||207|E';

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A loopback gateway that answers each connection with `answer` (or closes it without one). */
async function gateway(answer: ((socket: Socket) => void) | undefined): Promise<number> {
  server = createServer((socket) => socket.once('data', () => (answer ? answer(socket) : socket.end())));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('ackCode', () => {
  it('is MSA-1, or undefined when the answer has no MSA', () => {
    expect(ackCode(ACK)).toBe('AE');
    expect(ackCode('MSH|^~\\&|X')).toBeUndefined();
  });
});

describe('mllpRoundTrip', () => {
  it("resolves with the gateway's deframed ACK", async () => {
    const port = await gateway((socket) => socket.write(frameMllp(Buffer.from(ACK, 'latin1'))));
    await expect(mllpRoundTrip(port, Buffer.from('MSH|'), 5_000)).resolves.toBe(ACK);
  });

  it('rejects when the gateway closes the connection without an ACK', async () => {
    const port = await gateway(undefined);
    await expect(mllpRoundTrip(port, Buffer.from('MSH|'), 5_000)).rejects.toThrow(
      new MllpSendError('connection closed before an ACK'),
    );
  });

  it('rejects when no ACK comes in time', async () => {
    const port = await gateway(() => undefined);
    await expect(mllpRoundTrip(port, Buffer.from('MSH|'), 100)).rejects.toThrow('no ACK in time');
  });
});
