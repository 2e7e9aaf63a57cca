import { ActiveBatch, Sequence, type StopReason } from './active-batch.ts';
import { admissionOrder, type RequestPriority } from './admission-order.ts';
import type { DecoderRunner } from './decoder-runner.ts';
import {
  DeadlineExceededError,
  GenerationFailedError,
  ModelUnavailableError,
  OverloadedError,
  RequestCancelledError,
} from './errors.ts';
import type { TokenConstraint } from './label-constraint.ts';
import type { RuntimeLogger } from './logger.ts';
import type { RepetitionGuard } from './repetition-guard.ts';

export interface SchedulerOptions {
  /** Most sequences decoded together. */
  maxBatch: number;
  /** How long the first request of an idle scheduler waits for others to batch with. */
  maxWaitMs: number;
  /** Most requests waiting for a batch slot; past it, submit fails with OverloadedError. */
  queueLimit: number;
  /** Admit waiting requests into a running batch between steps (true), or only when the batch is empty. */
  continuous: boolean;
  /**
   * Waiting this long raises a request one priority level (default DEFAULT_PRIORITY_AGING_MS): STAT goes first,
   * and a routine request waits at most about two agings behind any stream of STAT work.
   */
  priorityAgingMs?: number;
}

export interface SubmitRequest {
  promptIds: readonly number[];
  maxNewTokens: number;
  /** End-of-text is not chosen before this many tokens (0: the model may stop at once). */
  minNewTokens?: number;
  constraint?: TokenConstraint;
  /** Absolute deadline (Date.now() clock) and the budget it came from, for the error message. */
  deadlineAt: number;
  deadlineMs: number;
  /** Aborting it drops the request (queued or mid-generation) with RequestCancelledError. */
  signal?: AbortSignal;
  /** Admission order: higher priority first, then arrival (see priorityAgingMs). */
  priority?: RequestPriority;
  /** The adapter to answer with, in a model whose adapters are routed per row (ModelManifest.adapters). */
  adapter?: number;
  /** Refuses tokens that would repeat a phrase (free-text answers). */
  repetition?: RepetitionGuard;
}

export interface SequenceResult {
  tokenIds: number[];
  stopReason: StopReason;
  promptTokens: number;
  queuedMs: number;
  firstTokenMs: number;
  totalMs: number;
}

/** How requests ended, since the scheduler started: for /ready and metrics. */
export interface SchedulerCounts {
  completed: number;
  overloaded: number;
  deadlineExceeded: number;
  cancelled: number;
  failed: number;
}

interface Pending {
  sequence: Sequence;
  request: SubmitRequest;
  enqueuedAt: number;
  resolve: (result: SequenceResult) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  onAbort: (() => void) | undefined;
  settled: boolean;
  admitted: boolean;
}

/**
 * Batches concurrent requests onto one decoder: a bounded queue feeds an ActiveBatch, admitting by worklist priority
 * (STAT before urgent before routine, aged so routine work is never starved) and then by arrival; the loop admits
 * waiting requests between decoding steps and settles each request as soon as its own sequence stops.
 */
export class BatchScheduler {
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Set<Pending>();
  private readonly batch: ActiveBatch;
  private running = false;
  private closing = false;
  private wakeWaiter: (() => void) | undefined;
  private drained: Promise<void> | undefined;
  private resolveDrained: (() => void) | undefined;
  private averageRequestMs = 1000;
  private readonly tally: SchedulerCounts = {
    completed: 0,
    overloaded: 0,
    deadlineExceeded: 0,
    cancelled: 0,
    failed: 0,
  };

  constructor(
    runner: DecoderRunner,
    stopIds: ReadonlySet<number>,
    private readonly options: SchedulerOptions,
    private readonly logger: RuntimeLogger,
  ) {
    this.batch = new ActiveBatch(runner, stopIds);
  }

  get queued(): number {
    return this.queue.length;
  }

  get active(): number {
    return this.inFlight.size - this.queue.length;
  }

  get counts(): SchedulerCounts {
    return { ...this.tally };
  }

  submit(request: SubmitRequest): Promise<SequenceResult> {
    if (this.closing)
      return Promise.reject(new ModelUnavailableError('model is draining after a reload; retry'));
    if (this.queue.length >= this.options.queueLimit) {
      const retryAfterMs = Math.ceil(
        this.averageRequestMs * Math.max(1, this.queue.length / this.options.maxBatch),
      );
      this.tally.overloaded += 1;
      return Promise.reject(new OverloadedError(this.options.queueLimit, retryAfterMs));
    }
    if (request.signal?.aborted) {
      this.tally.cancelled += 1;
      return Promise.reject(new RequestCancelledError('queued'));
    }
    const remaining = request.deadlineAt - Date.now();
    if (remaining <= 0) {
      this.tally.deadlineExceeded += 1;
      return Promise.reject(new DeadlineExceededError('queued', request.deadlineMs));
    }
    return new Promise<SequenceResult>((resolve, reject) => {
      const pending: Pending = {
        sequence: new Sequence(
          request.promptIds,
          request.maxNewTokens,
          request.constraint,
          request.minNewTokens,
          request.adapter,
          request.repetition,
        ),
        request,
        enqueuedAt: performance.now(),
        resolve,
        reject,
        timer: undefined,
        onAbort: undefined,
        settled: false,
        admitted: false,
      };
      pending.timer = setTimeout(
        () =>
          this.drop(
            pending,
            new DeadlineExceededError(pending.admitted ? 'generating' : 'queued', request.deadlineMs),
          ),
        remaining,
      );
      if (request.signal) {
        pending.onAbort = () =>
          this.drop(pending, new RequestCancelledError(pending.admitted ? 'generating' : 'queued'));
        request.signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.inFlight.add(pending);
      if (this.queue.length >= this.options.maxBatch) this.wakeWaiter?.();
      void this.loop();
    });
  }

  /** Stops taking requests; resolves once everything already accepted has been answered. */
  drain(): Promise<void> {
    this.closing = true;
    this.wakeWaiter?.();
    if (!this.running && this.inFlight.size === 0) return Promise.resolve();
    this.drained ??= new Promise<void>((resolve) => (this.resolveDrained = resolve));
    return this.drained;
  }

  /** Fails a request early; its sequence is marked so the batch drops the row before the next model run. */
  private drop(pending: Pending, error: Error): void {
    if (pending.settled) return;
    pending.sequence.cancelled = true;
    const index = this.queue.indexOf(pending);
    if (index >= 0) this.queue.splice(index, 1);
    this.settle(pending, error);
  }

  private settle(pending: Pending, outcome: SequenceResult | Error): void {
    if (pending.settled) return;
    pending.settled = true;
    clearTimeout(pending.timer);
    if (pending.onAbort) pending.request.signal?.removeEventListener('abort', pending.onAbort);
    this.inFlight.delete(pending);
    if (outcome instanceof DeadlineExceededError) this.tally.deadlineExceeded += 1;
    else if (outcome instanceof RequestCancelledError) this.tally.cancelled += 1;
    else if (outcome instanceof Error) this.tally.failed += 1;
    else this.tally.completed += 1;
    if (outcome instanceof Error) pending.reject(outcome);
    else {
      this.averageRequestMs = 0.9 * this.averageRequestMs + 0.1 * outcome.totalMs;
      pending.resolve(outcome);
    }
  }

  private async loop(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0 || this.batch.size > 0) {
        if (
          this.queue.length > 0 &&
          this.batch.size < this.options.maxBatch &&
          (this.options.continuous || this.batch.size === 0)
        ) {
          if (this.batch.size === 0) await this.waitForCompanions();
          const joining = this.takeNext(this.options.maxBatch - this.batch.size);
          await this.run(joining, () => this.batch.admit(joining.map((p) => p.sequence)), true);
        }
        if (this.batch.size > 0)
          await this.run(
            [...this.inFlight].filter((p) => p.admitted),
            () => this.batch.step(),
            false,
          );
      }
    } finally {
      this.running = false;
      if (this.closing && this.inFlight.size === 0) this.resolveDrained?.();
    }
  }

  private async run(involved: Pending[], work: () => Promise<void>, admitting: boolean): Promise<void> {
    if (admitting) for (const pending of involved) pending.admitted = true;
    try {
      await work();
    } catch (error) {
      const failure = new GenerationFailedError(error);
      this.logger.error({ code: failure.code, rows: involved.length }, 'model run failed; failing its batch');
      this.batch.clear();
      for (const pending of this.inFlight) if (pending.admitted) this.settle(pending, failure);
      return;
    }
    for (const pending of [...this.inFlight]) {
      const { sequence } = pending;
      if (!pending.admitted || sequence.stopReason === undefined) continue;
      const now = performance.now();
      this.settle(pending, {
        tokenIds: [...sequence.tokens],
        stopReason: sequence.stopReason,
        promptTokens: sequence.promptIds.length,
        queuedMs: sequence.admittedAt - pending.enqueuedAt,
        firstTokenMs: sequence.firstTokenAt - pending.enqueuedAt,
        totalMs: now - pending.enqueuedAt,
      });
    }
  }

  /** The `count` waiting requests to admit next, by priority (see admissionOrder). */
  private takeNext(count: number): Pending[] {
    const waiting = this.queue.map((pending) => ({
      pending,
      priority: pending.request.priority,
      enqueuedAt: pending.enqueuedAt,
    }));
    const chosen = admissionOrder(waiting, count, performance.now(), this.options.priorityAgingMs).map(
      (entry) => entry.pending,
    );
    for (const pending of chosen) this.queue.splice(this.queue.indexOf(pending), 1);
    return chosen;
  }

  /** An idle scheduler gives the first request up to maxWaitMs to be joined by others (dynamic batching). */
  private async waitForCompanions(): Promise<void> {
    const oldest = this.queue[0];
    if (!oldest || this.closing || this.queue.length >= this.options.maxBatch) return;
    const wait = this.options.maxWaitMs - (performance.now() - oldest.enqueuedAt);
    if (wait <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      this.wakeWaiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeWaiter = undefined;
  }
}
