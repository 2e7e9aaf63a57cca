import { ackCode, MllpSendError, mllpRoundTrip } from '../mllp-client.ts';

// Sends like an interface engine: the same bytes again until the gateway answers AA (a killed gateway, a broker it
// cannot reach). Resending is safe by contract: ingest takes the same bytes once.

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
      const ack = await mllpRoundTrip(ports[(first + attempt - 1) % ports.length]!, bytes, 15_000);
      answer = ackCode(ack) ?? '?';
      if (answer === 'AA') return attempt;
    } catch (error) {
      answer = (error as Error).message;
    }
    if (Date.now() > deadline) throw new MllpSendError(`not accepted after ${attempt} attempts: ${answer}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
