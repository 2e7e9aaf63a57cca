import type { KafkaMessage } from 'kafkajs';

/** One consumed record as the handlers see it: bytes untouched, headers as strings. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

/** A kafkajs message as a ConsumedRecord: the one conversion for the bus and for operators' topic reads. */
export function consumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: Object.fromEntries(
      Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString() ?? '']),
    ),
    timestamp: message.timestamp,
  };
}
