import type { DecoderRunner, LastLogits } from './decoder-runner.ts';
import { concatBatches, range, selectRows, type KvBatch } from './kv-batch.ts';
import type { TokenConstraint } from './label-constraint.ts';
import { MAX_REFUSALS_PER_STEP, type RepetitionGuard } from './repetition-guard.ts';

export type StopReason = 'end_of_text' | 'max_new_tokens';

/** One prompt being answered: its tokens so far and why it stopped. */
export class Sequence {
  readonly tokens: number[] = [];
  stopReason: StopReason | undefined;
  /** Set when its deadline passed or its caller left: the row is dropped before the next model run. */
  cancelled = false;
  admittedAt = 0;
  firstTokenAt = 0;

  constructor(
    readonly promptIds: readonly number[],
    readonly maxNewTokens: number,
    readonly constraint?: TokenConstraint,
    /** End-of-text is not chosen before this many tokens (Hugging Face's min_new_tokens). */
    readonly minNewTokens = 0,
    /** The adapter this prompt is answered with, in a model whose adapters are routed per row (0 otherwise). */
    readonly adapter = 0,
    /** Free-text answers only: refuses tokens that would repeat a phrase. */
    readonly repetition?: RepetitionGuard,
  ) {}

  get live(): boolean {
    return this.stopReason === undefined && !this.cancelled;
  }
}

/**
 * The sequences currently decoding together and their shared KV cache. New sequences can join between steps
 * (continuous batching: prefilled, then stacked with more left padding); finished or cancelled ones leave before the
 * next step, so no compute is spent on them.
 */
export class ActiveBatch {
  private sequences: Sequence[] = [];
  private kv: KvBatch | null = null;

  constructor(
    private readonly runner: DecoderRunner,
    private readonly stopIds: ReadonlySet<number>,
  ) {}

  get size(): number {
    return this.sequences.length;
  }

  /**
   * Prefills `joining` and adds them to the batch; each gets its first token. Prompts are prefilled in groups of
   * similar length: one padded prefill of a short and a long prompt would spend the long one's compute on padding.
   */
  async admit(joining: Sequence[]): Promise<void> {
    this.prune();
    if (joining.length === 0) return;
    const now = performance.now();
    for (const sequence of joining) sequence.admittedAt = now;
    for (const group of lengthGroups(joining)) {
      const prefilled = await this.runner.prefill(
        group.map((s) => [...s.promptIds]),
        group.map((s) => s.adapter),
      );
      this.choose(group, prefilled.logits);
      const liveRows = range(group.length).filter((row) => group[row]?.live);
      const fresh = selectRows(prefilled.batch, liveRows);
      // Rows already in the batch may have been cancelled while the prefill ran.
      this.prune();
      this.kv = concatBatches(this.kv ?? emptyBatch(), fresh);
      this.sequences = [...this.sequences, ...liveRows.map((row) => group[row] as Sequence)];
    }
  }

  /** One decoding step for every live sequence. */
  async step(): Promise<void> {
    this.prune();
    if (!this.kv || this.sequences.length === 0) return;
    const last = this.sequences.map((s) => s.tokens[s.tokens.length - 1] as number);
    const result = await this.runner.step(this.kv, last);
    this.kv = result.batch;
    this.choose(this.sequences, result.logits);
    this.prune();
  }

  /** Drops every sequence (after a failed run the cache cannot be trusted). */
  clear(): Sequence[] {
    const dropped = this.sequences;
    this.sequences = [];
    this.kv = null;
    return dropped;
  }

  private choose(sequences: Sequence[], logits: LastLogits): void {
    const now = performance.now();
    sequences.forEach((sequence, row) => {
      if (!sequence.live) return;
      const early = sequence.tokens.length < sequence.minNewTokens;
      const allowed = sequence.constraint?.allowed();
      const banned = early ? this.stopIds : undefined;
      let token = greedy(logits, row, allowed, banned);
      if (sequence.repetition)
        token = this.unrepeated(sequence, sequence.repetition, logits, row, token, banned);
      if (sequence.firstTokenAt === 0) sequence.firstTokenAt = now;
      if (this.stopIds.has(token)) {
        sequence.stopReason = 'end_of_text';
        return;
      }
      sequence.tokens.push(token);
      sequence.constraint?.advance(token);
      if (sequence.tokens.length >= sequence.maxNewTokens) sequence.stopReason = 'max_new_tokens';
    });
  }

  /** The best token the guard allows, trying at most MAX_REFUSALS_PER_STEP next-best ones before giving way. */
  private unrepeated(
    sequence: Sequence,
    guard: RepetitionGuard,
    logits: LastLogits,
    row: number,
    token: number,
    banned: ReadonlySet<number> | undefined,
  ): number {
    let refused: Set<number> | undefined;
    for (let i = 0; i < MAX_REFUSALS_PER_STEP; i += 1) {
      if (this.stopIds.has(token) || guard.allows(sequence.tokens, token)) return token;
      refused ??= new Set(banned);
      refused.add(token);
      token = greedy(logits, row, sequence.constraint?.allowed(), refused);
    }
    return token;
  }

  private prune(): void {
    const keep = range(this.sequences.length).filter((row) => this.sequences[row]?.live);
    if (keep.length === this.sequences.length) return;
    this.sequences = keep.map((row) => this.sequences[row] as Sequence);
    this.kv = this.kv && keep.length > 0 ? selectRows(this.kv, keep) : null;
  }
}

/** Most padding a prefill group may carry, as a share of its real tokens. */
const MAX_PADDING_SHARE = 0.25;

/** Splits prompts into groups (longest first) whose padded prefill wastes at most MAX_PADDING_SHARE. */
export function lengthGroups<T extends { promptIds: readonly unknown[] }>(items: readonly T[]): T[][] {
  const sorted = [...items].sort((a, b) => b.promptIds.length - a.promptIds.length);
  const groups: T[][] = [];
  let group: T[] = [];
  let real = 0;
  for (const item of sorted) {
    const longest = group[0]?.promptIds.length ?? item.promptIds.length;
    const padded = longest * (group.length + 1);
    if (group.length > 0 && padded > (1 + MAX_PADDING_SHARE) * (real + item.promptIds.length)) {
      groups.push(group);
      group = [];
      real = 0;
    }
    group.push(item);
    real += item.promptIds.length;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

function emptyBatch(): KvBatch {
  return { rows: 0, pastLength: 0, pads: [], adapters: [], keys: [], values: [] };
}

/**
 * Argmax of a row's logits, over `allowed` ids only when given (ties go to the lower id, like torch.argmax). `banned`
 * ids are never chosen while anything else is left (min_new_tokens masking end-of-text to minus infinity); the set is
 * consulted only when a score would win, so the common scan stays a plain loop.
 */
export function greedy(
  logits: LastLogits,
  row: number,
  allowed?: readonly number[],
  banned?: ReadonlySet<number>,
): number {
  const { vocab, data } = logits;
  const base = row * vocab;
  const excluded = (id: number) => banned !== undefined && banned.has(id);
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  if (allowed) {
    for (const id of allowed) {
      const score = data[base + id] as number;
      const wins = best < 0 || score > bestScore || (score === bestScore && id < best);
      if (wins && !excluded(id)) {
        best = id;
        bestScore = score;
      }
    }
    // Everything allowed was banned: the grammar leaves no other choice, so the ban gives way.
    return best < 0 && banned ? greedy(logits, row, allowed) : best;
  }
  for (let id = 0; id < vocab; id += 1) {
    const score = data[base + id] as number;
    if (score > bestScore && !excluded(id)) {
      best = id;
      bestScore = score;
    }
  }
  return best < 0 ? 0 : best;
}
