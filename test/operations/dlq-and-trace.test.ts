import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@radflow/config';
import { enricherApp, triageApp } from '@radflow/enricher';
import { DeadLetterHeaders, Topics, deadLetterTopic, type ConsumedRecord } from '@radflow/events';
import { ingestApp } from '@radflow/ingest';
import { startHost, type RunningHost } from '@radflow/platform';
import { worklistTaskApp, writebackApp } from '@radflow/writeback';
import { runDlqList, runDlqReplay, runDlqShow } from '../../apps/cli/src/commands/dlq.ts';
import { runTrace } from '../../apps/cli/src/commands/trace.ts';
import { REPLAYED_FROM_HEADER } from '../../apps/cli/src/operations/dead-letters.ts';
import { sha256Hex } from '../../apps/cli/src/operations/payload-peek.ts';
import { TopicReader } from '../../apps/cli/src/operations/topic-reader.ts';
import { EventCollector } from '../support/event-collector.ts';
import { waitForFhir } from '../support/fhir-search.ts';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';

// Own consumer groups starting at the topics' ends: this run's stages see only what it sends.
const config = loadConfig({
  ...process.env,
  KAFKA_GROUP_PREFIX: `e2e-ops-${randomUUID()}`,
  KAFKA_START_FROM: 'latest',
  LOG_LEVEL: 'warn',
});
const dlq = deadLetterTopic(Topics.inboundHl7v2);
const runTag = randomUUID().slice(0, 8);
const good = uniqueHl7Sample('01-normal-pa-lateral.hl7', runTag);
const badSample = uniqueHl7Sample('02-pneumothorax-stat.hl7', runTag);
// An ORU^R01 without its PID: readable enough to name its type and accession, unusable by ingest.
const bad = Buffer.from(
  badSample.bytes
    .toString('latin1')
    .split('\r')
    .filter((segment) => !segment.startsWith('PID|'))
    .join('\r'),
  'latin1',
);
// What must never be printed: the patients' names and MRNs, report text.
const phi = [
  /DEMO\^(ALPHA|BRAVO)/,
  /ALPHA|BRAVO/,
  new RegExp(`MRN\\d+${runTag}`),
  /cardiac silhouette|pneumothorax/i,
];
const startedAt = Date.now();

let host: RunningHost;
let collector: EventCollector;

async function run(
  command: (io: {
    config: typeof config;
    print: (l: string) => void;
    printError: (l: string) => void;
  }) => Promise<number>,
) {
  const lines: string[] = [];
  const started = Date.now();
  const code = await command({
    config,
    print: (line) => lines.push(line),
    printError: (line) => lines.push(line),
  });
  const text = lines.join('\n');
  for (const pattern of phi) expect(text).not.toMatch(pattern);
  return { code, text, ms: Date.now() - started };
}

beforeAll(async () => {
  collector = await EventCollector.start([Topics.outboundHl7v2, dlq]);
  host = await startHost([ingestApp, triageApp, worklistTaskApp, enricherApp, writebackApp], config);
  await collector.bus.publish(Topics.inboundHl7v2, [
    { key: `ops-${runTag}`, value: good.bytes, headers: { 'radflow-trace-id': `${runTag}-good` } },
    { key: `ops-${runTag}`, value: bad, headers: { 'radflow-trace-id': `${runTag}-bad` } },
  ]);
});

afterAll(async () => {
  await host?.close();
  await collector?.stop();
});

describe('radflow trace and dlq on the real broker, database and FHIR server', () => {
  let deadLetter: ConsumedRecord | undefined;

  it('traces a good report through every stage to its FHIR resources and outbound ORU', async () => {
    // Generous: the FHIR server and the model are shared with other runs on this machine.
    await waitForFhir(
      `DiagnosticReport?identifier=${encodeURIComponent(`urn:radflow:accession|${good.accession}`)}`,
      1,
      200_000,
    );
    await collector.waitFor(
      (r) => r.topic === Topics.outboundHl7v2 && r.value!.toString('latin1').includes(good.accession),
      { timeoutMs: 60_000 },
    );
    // The ledger's done marks follow the Kafka commits, and the worklist Task may come after the draft (FHIR retries):
    // poll until every stage is done.
    const stages = ['ingest', 'triage', 'worklist-task', 'enricher', 'writeback'];
    const complete = (text: string) =>
      text.includes('now: written back') &&
      stages.every((stage) => new RegExp(` {2}${stage} +done`).test(text));
    let trace = await run((io) => runTrace(good.accession, { since: '1h' }, io));
    for (let tries = 0; !complete(trace.text) && tries < 60; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      trace = await run((io) => runTrace(good.accession, { since: '1h' }, io));
    }
    console.log(`trace (${trace.ms} ms):\n${trace.text}`);
    expect(trace.code).toBe(0);
    for (const stage of stages) {
      expect(trace.text).toMatch(new RegExp(` {2}${stage} +done`));
    }
    expect(trace.text).toMatch(/inbound +received +rad\.inbound\.hl7v2\.v1\/\d+\/\d+ ORU\^R01/);
    expect(trace.text).toMatch(/fhir +written +DiagnosticReport\/\S+ preliminary/);
    expect(trace.text).toMatch(/fhir +written +Task\/\S+/);
    expect(trace.text).toMatch(/outbound +sent +rad\.outbound\.hl7v2\.v1\/\d+\/\d+ ORU\^R01/);
    expect(trace.text).toContain(
      'now: written back: AI results on the FHIR server and the outbound ORU sent',
    );

    // By message id (MSH-10) too: the same stages, under the accession it stands for.
    const byMessageId = await run((io) => runTrace(good.controlId, { since: '1h', fhir: false }, io));
    expect(byMessageId.text).toContain(`(accession ${good.accession})`);
    expect(byMessageId.text).toMatch(/ {2}writeback +done/);
  }, 330_000);

  it('lists the malformed message among the dead letters by its reason, and shows it without its bytes', async () => {
    [deadLetter] = await collector.waitFor(
      (r) => r.topic === dlq && r.headers['radflow-trace-id'] === `${runTag}-bad`,
    );
    const code = deadLetter!.headers[DeadLetterHeaders.errorCode]!;
    const reason = deadLetter!.headers[DeadLetterHeaders.errorReason]!;
    expect(deadLetter!.headers[DeadLetterHeaders.stage]).toBe('ingest');

    const list = await run((io) => runDlqList(Topics.inboundHl7v2, { since: '1h' }, io));
    console.log(`dlq list (${list.ms} ms):\n${list.text}`);
    expect(list.code).toBe(0);
    expect(list.text).toMatch(new RegExp(`^${dlq.replaceAll('.', '\\.')}: \\d+ dead letters?`, 'm'));
    expect(list.text).toMatch(new RegExp(`\\d+  ingest +${code} `));
    expect(list.text).toContain(reason);

    const address = `${deadLetter!.partition}:${deadLetter!.offset}`;
    const show = await run((io) => runDlqShow(dlq, address, {}, io));
    console.log(`dlq show (${show.ms} ms):\n${show.text}`);
    expect(show.code).toBe(0);
    expect(show.text).toContain(`dead letter ${dlq}/${deadLetter!.partition}/${deadLetter!.offset}`);
    expect(show.text).toContain(`payload     ${bad.length} bytes, sha256 ${sha256Hex(bad)}, hl7v2 ORU^R01`);
    expect(show.text).toContain(`radflow-error-code: ${code}`);
    expect(show.text).toContain('replayed    no');
    expect(show.text).not.toContain('OBX|');

    // The trace of the bad one's accession names its dead letter and how to replay it.
    const trace = await run((io) => runTrace(badSample.accession, { since: '1h', fhir: false }, io));
    console.log(`trace of the malformed one:\n${trace.text}`);
    expect(trace.text).toContain(`now: dead-lettered at ingest (${code}) on ${dlq}`);
    // Every radflow consuming the shared inbound topic (another run's ingest group) dead-letters it too: any of them.
    const ours = collector.records.filter(
      (r) => r.topic === dlq && r.headers['radflow-trace-id'] === `${runTag}-bad`,
    );
    expect(ours.some((r) => trace.text.includes(`--offset ${r.partition}:${r.offset}`))).toBe(true);
  });

  it('replays the dead letter exactly once: a second replay does nothing', async () => {
    if (!deadLetter) throw new Error('the dead letter of the test before is needed');
    const address = `${deadLetter.partition}:${deadLetter.offset}`;
    const key = `${dlq}/${deadLetter.partition}/${deadLetter.offset}`;
    const first = await run((io) => runDlqReplay(dlq, { offset: [address], since: '1h' }, io));
    console.log(`dlq replay (${first.ms} ms):\n${first.text}`);
    expect(first.code).toBe(0);
    expect(first.text).toContain(`replayed ${key}`);
    expect(first.text).toContain('1 chosen, 1 replayed, 0 already replayed before');

    // Twice more, at once: the ledger's claim lets neither send again.
    const [second, third] = await Promise.all([
      run((io) => runDlqReplay(dlq, { offset: [address], since: '1h' }, io)),
      run((io) => runDlqReplay(Topics.inboundHl7v2, { offset: [address], since: '1h' }, io)),
    ]);
    console.log(`dlq replay again:\n${second.text}`);
    for (const again of [second, third]) {
      expect(again.text).toMatch(/1 chosen, 0 replayed, 1 already replayed before|being replayed elsewhere/);
    }

    // Still malformed, so ingest dead-letters the replay again, marked as such.
    const [again] = await collector.waitFor(
      (r) => r.topic === dlq && r.headers[REPLAYED_FROM_HEADER] === key,
    );
    expect(again!.value!.equals(bad)).toBe(true);
    const reader = new TopicReader(config.kafka);
    try {
      const replayed = (await reader.read([Topics.inboundHl7v2], { sinceMs: startedAt - 60_000 })).filter(
        (r) => r.headers[REPLAYED_FROM_HEADER] === key,
      );
      expect(replayed).toHaveLength(1);
      expect(replayed[0]!.value!.equals(bad)).toBe(true);
      expect(replayed[0]!.key?.toString()).toBe(`ops-${runTag}`);
      expect(replayed[0]!.headers['radflow-trace-id']).toBe(`${runTag}-bad`);
    } finally {
      await reader.close();
    }
    const show = await run((io) => runDlqShow(dlq, `${address}`, {}, io));
    expect(show.text).toContain('replayed    yes');
    const list = await run((io) => runDlqList(dlq, { since: '1h' }, io));
    expect(list.text).toMatch(/failed again after a replay/);
  });
});
