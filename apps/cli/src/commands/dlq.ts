import { hostname } from 'node:os';
import { createLogger, loadConfig, type RadflowConfig } from '@radflow/config';
import { KafkaBus } from '@radflow/events';
import { ClaimHeldError, IdempotencyLedger, openDatabase } from '@radflow/store';
import {
  deadLetterFrom,
  dlqTopicOf,
  findDeadLetter,
  groupDeadLetters,
  parseOffsetRef,
  replayKey,
  replayRecord,
  REPLAY_CONSUMER,
  selectForReplay,
  viewDeadLetter,
  type DeadLetter,
} from '../operations/dead-letters.ts';
import { replayedKeys } from '../operations/ledger-lookup.ts';
import { OperationsError } from '../operations/operations-error.ts';
import { sinceMs } from '../operations/time-window.ts';
import { TopicReader } from '../operations/topic-reader.ts';

/** Where a command's lines go (stdout by default; the tests collect them). */
export interface OperationsIo {
  config?: RadflowConfig;
  print?: (line: string) => void;
  printError?: (line: string) => void;
  now?: () => Date;
}

export async function runOperation(io: OperationsIo, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    const printError = io.printError ?? ((line: string) => console.error(line));
    if (error instanceof OperationsError) {
      printError(`error ${error.code}: ${error.message}`);
      printError(`  ${error.hint}`);
      return 2;
    }
    throw error;
  }
}

async function readDeadLetters(
  reader: TopicReader,
  topic: string,
  since: number | undefined,
): Promise<DeadLetter[]> {
  if (!(await reader.exists(topic))) {
    throw new OperationsError(
      `no topic ${topic} on the broker`,
      'NO_SUCH_TOPIC',
      'name a radflow topic (e.g. rad.inbound.hl7v2.v1) or its .dlq; `radflow dlq list` without a topic lists every .dlq',
    );
  }
  return (await reader.read([topic], since !== undefined ? { sinceMs: since } : {})).map(deadLetterFrom);
}

export async function runDlqList(
  topic: string | undefined,
  options: { since?: string },
  io: OperationsIo = {},
): Promise<number> {
  return runOperation(io, async () => {
    const config = io.config ?? loadConfig();
    const print = io.print ?? console.log;
    const since = sinceMs(options.since, io.now?.() ?? new Date());
    const reader = new TopicReader(config.kafka);
    try {
      const topics = topic ? [dlqTopicOf(topic)] : (await reader.topics()).filter((t) => t.endsWith('.dlq'));
      let total = 0;
      for (const dlq of topics) {
        const groups = groupDeadLetters(await readDeadLetters(reader, dlq, since));
        const count = groups.reduce((sum, group) => sum + group.count, 0);
        total += count;
        if (count === 0 && !topic) continue;
        print(`${dlq}: ${count} dead letter${count === 1 ? '' : 's'}`);
        for (const g of groups) {
          print(
            `  ${String(g.count).padStart(5)}  ${g.stage.padEnd(13)} ${g.code.padEnd(24)} ${g.first}  ${g.last}${
              g.replays > 0 ? `  (${g.replays} failed again after a replay)` : ''
            }`,
          );
          print(`         ${g.reason}`);
        }
      }
      if (total === 0 && !topic) print('no dead letters');
      return 0;
    } finally {
      await reader.close();
    }
  });
}

export async function runDlqShow(
  topic: string,
  offsetText: string,
  options: { bytes?: boolean },
  io: OperationsIo = {},
): Promise<number> {
  return runOperation(io, async () => {
    const config = io.config ?? loadConfig();
    const print = io.print ?? console.log;
    const dlq = dlqTopicOf(topic);
    const ref = parseOffsetRef(offsetText);
    const reader = new TopicReader(config.kafka);
    let deadLetter: DeadLetter;
    try {
      if (!(await reader.exists(dlq)))
        throw new OperationsError(`no topic ${dlq}`, 'NO_SUCH_TOPIC', 'see `radflow dlq list`');
      // A bare offset: any partition may hold it; each is read from there and findDeadLetter keeps the exact match.
      const partitions = ref.partition !== undefined ? [ref.partition] : await reader.partitions(dlq);
      const records = await reader.read([dlq], {
        only: partitions.map((partition) => ({ partition, from: ref.offset })),
        firstOnly: true,
      });
      deadLetter = findDeadLetter(records.map(deadLetterFrom), ref, dlq);
    } finally {
      await reader.close();
    }
    const database = openDatabase(config.database.url, 1);
    const replayed = await replayedKeys(database, [replayKey(deadLetter)]).finally(() => database.end());
    const view = viewDeadLetter(deadLetter);
    print(`dead letter ${view.address}`);
    print(`  failed at   ${view.failedAt} in ${view.stage}`);
    print(`  code        ${view.code}`);
    print(`  reason      ${view.reason}`);
    print(`  from        ${view.source}`);
    if (view.replayedFrom) print(`  a replay of ${view.replayedFrom}`);
    print(`  replayed    ${replayed.size > 0 ? 'yes' : 'no'}`);
    print(`  key         ${view.key}`);
    print(
      `  payload     ${view.payload.size} bytes, sha256 ${view.payload.sha256}, ${view.payload.kind}${view.payload.type ? ` ${view.payload.type}` : ''}`,
    );
    print('  headers');
    for (const [name, value] of Object.entries(view.headers)) print(`    ${name}: ${value}`);
    if (options.bytes) {
      // Asked for explicitly: the message as it arrived, which may hold PHI. Segment breaks shown as new lines.
      print('  bytes (may contain PHI)');
      print((deadLetter.record.value ?? Buffer.alloc(0)).toString('latin1').replace(/\r/g, '\n'));
    }
    return 0;
  });
}

export interface ReplayOptions {
  reason?: string[];
  offset?: string[];
  all?: boolean;
  since?: string;
  dryRun?: boolean;
}

export async function runDlqReplay(
  topic: string,
  options: ReplayOptions,
  io: OperationsIo = {},
): Promise<number> {
  return runOperation(io, async () => {
    const config = io.config ?? loadConfig();
    const print = io.print ?? console.log;
    const now = io.now ?? (() => new Date());
    const dlq = dlqTopicOf(topic);
    const reader = new TopicReader(config.kafka);
    let chosen: DeadLetter[];
    try {
      chosen = selectForReplay(
        await readDeadLetters(reader, dlq, sinceMs(options.since, now())),
        {
          codes: options.reason ?? [],
          offsets: (options.offset ?? []).map(parseOffsetRef),
          all: options.all ?? false,
        },
        dlq,
      );
    } finally {
      await reader.close();
    }
    const database = openDatabase(config.database.url, 2);
    const ledger = new IdempotencyLedger(database, {
      owner: `radflow-dlq-replay-${hostname()}-${process.pid}`,
    });
    const bus = new KafkaBus(config.kafka, createLogger('dlq-replay', 'warn'));
    const counts = { replayed: 0, already: 0, held: 0 };
    try {
      for (const deadLetter of chosen) {
        const key = replayKey(deadLetter);
        const { topic: target, record } = replayRecord(deadLetter, now());
        if (options.dryRun) {
          const done = (await replayedKeys(database, [key])).size > 0;
          print(`${done ? 'already replayed' : 'would replay'} ${key} (${deadLetter.code}) → ${target}`);
          counts[done ? 'already' : 'replayed'] += 1;
          continue;
        }
        try {
          // The claim, the publish (acks=all) and the done mark: a dead letter is replayed once, whoever runs it.
          const replayed = await ledger.runOnce(REPLAY_CONSUMER, key, async () => {
            await bus.publish(target, [record]);
            return { topic: target, code: deadLetter.code, stage: deadLetter.stage };
          });
          counts[replayed ? 'replayed' : 'already'] += 1;
          print(`${replayed ? 'replayed' : 'already replayed'} ${key} (${deadLetter.code}) → ${target}`);
        } catch (error) {
          if (!(error instanceof ClaimHeldError)) throw error;
          counts.held += 1;
          print(`being replayed elsewhere ${key}: left alone`);
        }
      }
    } finally {
      await bus.disconnect().catch(() => undefined);
      await database.end();
    }
    print(
      `${chosen.length} chosen, ${counts.replayed} ${options.dryRun ? 'would be replayed' : 'replayed'}, ${
        counts.already
      } already replayed before${counts.held > 0 ? `, ${counts.held} being replayed elsewhere` : ''}`,
    );
    return 0;
  });
}
