/**
 * What the Kafka bus reports about its work, for metrics: the bus knows nothing of Prometheus, the host
 * (apps/platform) turns these calls into series. Calls are synchronous and must not throw; `stage` is the consuming
 * stage's name (Subscription.stage), absent for records published outside any consumed record (an HTTP or MLLP
 * intake publishing directly).
 */
export interface BusObserver {
  /** A record was read by a stage's consumer. */
  consumed(stage: string, topic: string): void;
  /**
   * One handler attempt ended: `ok`, `retry` (a transient failure, tried again) or `dead_letter` (given up, the record
   * goes to its .dlq), with the failure's code when it failed.
   */
  attempted(
    stage: string,
    topic: string,
    outcome: 'ok' | 'retry' | 'dead_letter',
    seconds: number,
    code?: string,
  ): void;
  /** Records reached the broker (a committed transaction, or a direct publish). */
  produced(stage: string | undefined, topic: string, count: number): void;
  /** The consumer's lag on one partition after a fetched batch: the high watermark minus the next offset to read. */
  lag(stage: string, topic: string, partition: number, lag: number): void;
}

export const silentBusObserver: BusObserver = {
  consumed() {},
  attempted() {},
  produced() {},
  lag() {},
};
