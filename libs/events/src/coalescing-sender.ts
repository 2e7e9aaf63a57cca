import type { OutgoingRecord } from './kafka-bus.ts';

type Send = (topic: string, records: OutgoingRecord[]) => Promise<void>;

interface Waiting {
  records: OutgoingRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Direct publishes (the gateway's, one per inbound message) coalesced per topic: while one send is in flight, the
 * records that arrive queue up and the next send carries all of them, in arrival order. Each caller resolves when
 * the send holding its records has been acknowledged (acks=all), or fails with it. Throughput then grows with the
 * number of concurrent senders instead of being one broker round trip per message, and nothing is acknowledged
 * before it is durable.
 */
export class CoalescingSender {
  private readonly queues = new Map<string, Waiting[]>();
  private readonly sending = new Set<string>();

  constructor(
    private readonly send: Send,
    /** Most records in one send, so one request stays well under the broker's size limit. */
    private readonly maxRecords = 500,
  ) {}

  publish(topic: string, records: OutgoingRecord[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(topic) ?? [];
      this.queues.set(topic, queue);
      queue.push({ records, resolve, reject });
      if (!this.sending.has(topic)) void this.drain(topic);
    });
  }

  private async drain(topic: string): Promise<void> {
    this.sending.add(topic);
    try {
      const queue = this.queues.get(topic)!;
      while (queue.length > 0) {
        const batch: Waiting[] = [];
        let count = 0;
        // Whole callers only: a caller's records go in one send, so they succeed or fail together.
        while (
          queue.length > 0 &&
          (batch.length === 0 || count + queue[0]!.records.length <= this.maxRecords)
        ) {
          const next = queue.shift()!;
          batch.push(next);
          count += next.records.length;
        }
        try {
          await this.send(
            topic,
            batch.flatMap((waiting) => waiting.records),
          );
          for (const waiting of batch) waiting.resolve();
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
        }
      }
    } finally {
      this.sending.delete(topic);
    }
  }
}
