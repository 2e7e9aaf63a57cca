import { Partitioners, type PartitionMetadata } from 'kafkajs';

/** A record as the bus sends it (the shape of OutgoingRecord, kept here so this module stands alone). */
interface SplitRecord {
  key: string | Buffer | null;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export interface PartitionSend<R extends SplitRecord> {
  partition: number;
  /** In the order they were given: one partition's records keep their order. */
  records: Array<R & { partition: number }>;
}

/**
 * Splits one send into one send per partition, each record's partition chosen by kafkajs' own default partitioner
 * (the Java client's murmur2), so a key lands where it always has and its records stay in order.
 *
 * Why: kafkajs 2.2.4, its last release, can acknowledge a send without having written all of it. A send() to
 * partitions led by several brokers keeps the answers of the brokers that answered; when a failed broker's partitions
 * move to one of them, the retry passes over that broker and its new partitions are never written
 * (tulios/kafkajs#1303, open; the fix, #1798, is not released). radflow's cluster soak lost a report acknowledged AA
 * that way when a broker was killed. A send that touches one partition has one leader at a time, so its retry always
 * goes to the partition's current leader.
 */
export class PartitionSplitter {
  private readonly choose = Partitioners.DefaultPartitioner();

  split<R extends SplitRecord>(
    topic: string,
    records: R[],
    partitionMetadata: PartitionMetadata[],
  ): Array<PartitionSend<R>> {
    const sends = new Map<number, PartitionSend<R>>();
    for (const record of records) {
      const partition = this.choose({ topic, partitionMetadata, message: record });
      let send = sends.get(partition);
      if (!send) {
        send = { partition, records: [] };
        sends.set(partition, send);
      }
      send.records.push({ ...record, partition });
    }
    return [...sends.values()];
  }
}
