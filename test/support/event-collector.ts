import { randomUUID } from 'node:crypto';
import { createLogger, loadConfig } from '@radflow/config';
import { KafkaBus, type ConsumedRecord } from '@radflow/events';

/** Reads topics from the real broker into memory so a test can wait for the records it caused. */
export class EventCollector {
  readonly records: ConsumedRecord[] = [];
  readonly bus = new KafkaBus(loadConfig().kafka, createLogger('e2e-collector', 'warn'));

  static async start(topics: string[]): Promise<EventCollector> {
    const collector = new EventCollector();
    await collector.bus.createTopics(topics);
    await collector.bus.subscribe({
      groupId: `e2e-collector-${randomUUID()}`,
      stage: 'e2e',
      topics,
      // At the topics' ends: subscribe() positions the fresh group there before it joins, so every record produced
      // after start() resolves is read, and none of the tens of thousands that earlier runs left on the long-lived
      // broker (reading those took seconds per file, and every waitFor scanned them all). Start the collector
      // before the test publishes or starts a host.
      startFrom: 'latest',
      handle: async (record) => void collector.records.push(record),
    });
    return collector;
  }

  async waitFor(
    predicate: (record: ConsumedRecord) => boolean,
    { count = 1, timeoutMs = 90_000 } = {},
  ): Promise<ConsumedRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.records.filter(predicate);
      if (matching.length >= count) return matching;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for ${count} record(s); saw ${matching.length}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async stop(): Promise<void> {
    await this.bus.disconnect();
  }
}
