import type { BusObserver } from '@radflow/events';
import { observeFhirCalls } from './fhir-call-metrics.ts';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

/** Seconds, from a fast rule-only step to a slow model call plus FHIR write (the deadline is 15 s by default). */
export const STAGE_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40];

/**
 * The Prometheus series of one radflow host (one process): its own registry, so several hosts in one process (the
 * tests) never mix figures. Every radflow series carries an `app` label: in one-process mode all apps share one
 * /metrics, and the label tells them apart. Apps add their own series through counter/gauge/histogram, which return
 * the existing metric when an app asks twice (a module created again, two services of one app).
 */
export class PlatformMetrics {
  readonly registry = new Registry();
  private readonly consumed: Counter<'app' | 'topic'>;
  private readonly produced: Counter<'app' | 'topic'>;
  private readonly attempts: Histogram<'app' | 'topic' | 'outcome'>;
  private readonly retries: Counter<'app' | 'topic' | 'code'>;
  private readonly deadLetters: Counter<'app' | 'topic' | 'reason'>;
  private readonly lag: Gauge<'app' | 'topic' | 'partition'>;
  readonly httpDuration: Histogram<'app' | 'method' | 'route' | 'status'>;
  /** Stops feeding this registry's FHIR histogram (the host closed). */
  readonly stopObservingFhirCalls: () => void;

  constructor(apps: readonly string[]) {
    collectDefaultMetrics({ register: this.registry });
    this.gauge({ name: 'radflow_app_info', help: 'Apps this process hosts (1 each)', labelNames: ['app'] });
    const info = this.registry.getSingleMetric('radflow_app_info') as Gauge<'app'>;
    for (const app of apps) info.set({ app }, 1);
    this.consumed = this.counter({
      name: 'radflow_kafka_messages_consumed_total',
      help: 'Records read from Kafka by a consuming app',
      labelNames: ['app', 'topic'],
    });
    this.produced = this.counter({
      name: 'radflow_kafka_messages_produced_total',
      help: 'Records written to Kafka (committed with a consumed record, or published directly by an intake)',
      labelNames: ['app', 'topic'],
    });
    this.attempts = this.histogram({
      name: 'radflow_stage_processing_seconds',
      help: 'Time of one handler attempt on one record, by outcome (ok, retry, dead_letter)',
      labelNames: ['app', 'topic', 'outcome'],
      buckets: STAGE_SECONDS_BUCKETS,
    });
    this.retries = this.counter({
      name: 'radflow_kafka_retries_total',
      help: 'Handler attempts that failed transiently and were tried again, by error code',
      labelNames: ['app', 'topic', 'code'],
    });
    this.deadLetters = this.counter({
      name: 'radflow_kafka_dead_letters_total',
      help: "Records given up and written to the topic's .dlq, by reason (error code)",
      labelNames: ['app', 'topic', 'reason'],
    });
    this.lag = this.gauge({
      name: 'radflow_kafka_consumer_lag',
      help: 'Records on a partition still to read by the app after its last fetched batch',
      labelNames: ['app', 'topic', 'partition'],
    });
    this.httpDuration = this.histogram({
      name: 'radflow_http_request_duration_seconds',
      help: 'HTTP requests by app, method, route pattern and status',
      labelNames: ['app', 'method', 'route', 'status'],
      buckets: STAGE_SECONDS_BUCKETS,
    });
    this.stopObservingFhirCalls = observeFhirCalls(
      this.histogram({
        name: 'radflow_fhir_request_duration_seconds',
        help: "Requests to the FHIR server by method, resource type and outcome (ok, the refusal's HTTP status, error)",
        labelNames: ['method', 'resource_type', 'outcome'],
        buckets: STAGE_SECONDS_BUCKETS,
      }),
    );
  }

  counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
    return (
      (this.registry.getSingleMetric(config.name) as Counter<L> | undefined) ??
      new Counter({ ...config, registers: [this.registry] })
    );
  }

  gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
    return (
      (this.registry.getSingleMetric(config.name) as Gauge<L> | undefined) ??
      new Gauge({ ...config, registers: [this.registry] })
    );
  }

  histogram<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
    return (
      (this.registry.getSingleMetric(config.name) as Histogram<L> | undefined) ??
      new Histogram({ ...config, registers: [this.registry] })
    );
  }

  /** A record dead-lettered outside a consumer (the gateway's unreadable inbound messages), by reason. */
  deadLettered(app: string, topic: string, reason: string): void {
    this.deadLetters.inc({ app, topic, reason });
  }

  /** The text Prometheus scrapes, and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /**
   * The bus's reports as series. `appOfStage` names the app of a consumer group's stage; `appOfTopic` the app that
   * publishes a topic directly (the gateway's inbound topics, the feedback APIs), since a direct publish has no stage.
   */
  busObserver(appOfStage: (stage: string) => string, appOfTopic: (topic: string) => string): BusObserver {
    return {
      consumed: (stage, topic) => this.consumed.inc({ app: appOfStage(stage), topic }),
      attempted: (stage, topic, outcome, seconds, code) => {
        const app = appOfStage(stage);
        this.attempts.observe({ app, topic, outcome }, seconds);
        if (outcome === 'retry') this.retries.inc({ app, topic, code: code ?? 'UNKNOWN' });
        if (outcome === 'dead_letter') this.deadLetters.inc({ app, topic, reason: code ?? 'UNKNOWN' });
      },
      produced: (stage, topic, count) =>
        this.produced.inc({ app: stage === undefined ? appOfTopic(topic) : appOfStage(stage), topic }, count),
      lag: (stage, topic, partition, lag) =>
        this.lag.set({ app: appOfStage(stage), topic, partition: String(partition) }, Math.max(0, lag)),
    };
  }
}
