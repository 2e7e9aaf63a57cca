import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig, repoRoot, type RadflowConfig } from '@radflow/config';
import { enricherApp } from '@radflow/enricher';
import { Topics } from '@radflow/events';
import { gatewayApp, MllpListener } from '@radflow/gateway';
import { ingestApp } from '@radflow/ingest';
import { startHost, type RadflowApp, type RunningHost } from '@radflow/platform';
import { retrainerApp } from '@radflow/retrainer';
import type { FeedbackPayload } from '@radflow/schemas';
import { openDatabase, type Database } from '@radflow/store';
import { worklistApp, WorklistServer } from '@radflow/worklist';
import { writebackApp } from '@radflow/writeback';
import { EventCollector } from '../support/event-collector.ts';
import { uniqueHl7Sample } from '../support/hl7-samples.ts';
import { sendOverMllp } from '../support/mllp-client.ts';

/**
 * The worklist page end to end in Debian's Chromium (playwright-core): HL7 over MLLP → gateway → ingest →
 * enricher → rad.report.enriched.v1 → the open page (server-sent events) → a review → rad.feedback.v1 → the
 * retrainer's feedback store in PostgreSQL, and back to every open page. axe-core checks both views.
 */
const CHROMIUM = '/usr/bin/chromium';
const USER = { username: 'radiologist', password: 'radflow-demo-reader' };
const screenshotDir = process.env.WORKLIST_SCREENSHOT_DIR ?? `${repoRoot}.cache/worklist-e2e`;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const config: RadflowConfig = loadConfig({
  ...process.env,
  KAFKA_GROUP_PREFIX: `e2e-worklist-${randomUUID()}`,
  GATEWAY_HTTP_PORT: '0',
  GATEWAY_MLLP_PORT: '0',
  WORKLIST_PORT: '0',
  WORKLIST_SESSION_SECRET: randomUUID(),
  LOG_LEVEL: 'warn',
});
const apps: RadflowApp[] = [gatewayApp, ingestApp, enricherApp, writebackApp, retrainerApp, worklistApp];

let host: RunningHost;
let collector: EventCollector;
let database: Database;
let context: BrowserContext;
let userDataDir: string;
let base: string;
const timings: Record<string, number> = {};

/** Fresh groups start at the end of their topics: what other runs left on the long-lived broker is not ours. */
async function startGroupsAtTheEnd(): Promise<void> {
  const kafka = new Kafka({
    clientId: 'e2e-worklist-admin',
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const app of apps) {
      for (const topic of app.consumes?.topics ?? []) {
        const ends = await admin.fetchTopicOffsets(topic);
        await admin.setOffsets({
          groupId: `${config.kafka.groupPrefix}-${app.consumes!.stage}`,
          topic,
          partitions: ends.map((end) => ({ partition: end.partition, offset: end.high })),
        });
      }
    }
  } finally {
    await admin.disconnect();
  }
}

async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: number }[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('axe-core did not finish within 90 s')), 90_000);
  });
  try {
    return await Promise.race([runAxe(page), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runAxe(page: Page): Promise<{ id: string; impact: string; nodes: number }[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run: (
            ctx: unknown,
            opts: unknown,
          ) => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }>;
        };
      }
    ).axe;
    const r = await axe.run((globalThis as unknown as { document: unknown }).document, {
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  return result;
}

const seriousOrWorse = (violations: { impact: string }[]) =>
  violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

function rowOf(page: Page, accession: string) {
  return page.locator('table.worklist tbody tr', { hasText: accession });
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${base}/`);
  await page.waitForURL(`${base}/login`);
  await page.getByLabel('Username').fill(USER.username);
  await page.getByLabel('Password').fill(USER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
  await page.locator('table.worklist').waitFor();
  await page.locator('.live.on').waitFor();
}

async function feedbackRows(feedbackId: string) {
  const result = await database.query<{
    output: string;
    verdict: string;
    reviewer_id: string;
    corrected_text: string | null;
    source: string;
  }>(
    'SELECT output, verdict, reviewer_id, corrected_text, source FROM feedback WHERE feedback_id = $1 ORDER BY output',
    [feedbackId],
  );
  return result.rows;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  collector = await EventCollector.start([Topics.feedback, Topics.reportEnriched]);
  database = openDatabase(config.database.url);
  await startGroupsAtTheEnd();
  host = await startHost(apps, config, { processName: 'e2e-worklist' });
  base = `http://127.0.0.1:${host.app.get(WorklistServer).port}`;
  userDataDir = mkdtempSync(`${tmpdir()}/radflow-chromium-`);
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
  });
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await host?.close();
  await collector?.stop();
  await database?.end();
  console.log(`worklist e2e timings (ms): ${JSON.stringify(timings)}`);
});

describe('worklist page in Chromium on the real broker, database and FHIR server', () => {
  const runTag = randomUUID().slice(0, 8);
  const pneumothorax = uniqueHl7Sample('02-pneumothorax-stat.hl7', runTag);
  const normal = uniqueHl7Sample('01-normal-pa-lateral.hl7', runTag);
  let page: Page;
  let watcher: Page;
  let pneumothoraxId: string;

  it('refuses a signed-out request to the page and to its API', async () => {
    const pageAnswer = await fetch(`${base}/`, { redirect: 'manual' });
    expect(pageAnswer.status).toBe(303);
    expect(pageAnswer.headers.get('location')).toBe('/login');
    const reportPage = await fetch(`${base}/reports/${'0'.repeat(32)}`, { redirect: 'manual' });
    expect(reportPage.status).toBe(303);
    for (const path of ['/api/worklist', '/api/me', '/api/events', `/api/reports/${'0'.repeat(32)}`])
      expect((await fetch(`${base}${path}`)).status, path).toBe(401);
    const post = await fetch(`${base}/api/reports/${'0'.repeat(32)}/review`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ action: 'accept' }),
    });
    expect(post.status).toBe(401);
    const forged = await fetch(`${base}/api/worklist`, {
      headers: { cookie: 'radflow_worklist=eyJ1c2VybmFtZSI6InJhZGlvbG9naXN0In0.forged' },
    });
    expect(forged.status).toBe(401);
    const wrong = await fetch(`${base}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: USER.username, password: 'wrong password' }),
      redirect: 'manual',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('signs in; the list has no serious or critical accessibility violations', async () => {
    page = await context.newPage();
    await signIn(page);
    const cookie = (await context.cookies()).find((c) => c.name === 'radflow_worklist')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    watcher = await context.newPage();
    await watcher.goto(`${base}/`);
    await watcher.locator('.live.on').waitFor();
    const violations = await axeViolations(page);
    expect(seriousOrWorse(violations), JSON.stringify(violations)).toEqual([]);
  });

  it('shows a tension pneumothorax sent over MLLP at the top as STAT with its reason, live', async () => {
    const sentAt = Date.now();
    const ack = await sendOverMllp(host.app.get(MllpListener).port, pneumothorax.bytes);
    expect(ack).toContain('MSA|AA');
    const row = rowOf(page, pneumothorax.accession);
    await row.waitFor({ timeout: 60_000 });
    const shownAt = Date.now();
    const [enriched] = await collector.waitFor(
      (r) =>
        r.topic === Topics.reportEnriched &&
        r.value!.toString().includes(`"accession":"${pneumothorax.accession}"`),
    );
    timings.mllpToRow = shownAt - sentAt;
    timings.enrichedEventToRow = shownAt - Number(enriched!.timestamp);
    const first = page.locator('table.worklist tbody tr').first();
    await expect.poll(() => first.textContent()).toContain(pneumothorax.accession);
    expect(await first.locator('.priority').textContent()).toBe('STAT');
    expect(await first.locator('.reasons').textContent()).toMatch(/tension pneumothorax/i);
    expect(await first.textContent()).toMatch(/radflow|rules/);
    pneumothoraxId = (await first.getAttribute('data-id'))!;
    expect(pneumothoraxId).toMatch(/^[a-f0-9]{32}$/);
    // The worklist's own part is bounded: the enriched event shown live within 5 s. MLLP-to-row also holds the
    // model's drafting on 2 cores (radflow-cxr once built, 5.3-5.6 s on 2026-12-07): printed, benched elsewhere.
    expect(timings.enrichedEventToRow).toBeLessThan(5_000);
    // The other open page has it too.
    await rowOf(watcher, pneumothorax.accession).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: `${screenshotDir}/worklist-list.png` });
  });

  it('opens it with the keyboard; the report view marks every AI output and passes axe', async () => {
    await page.locator('h1').click();
    await page.keyboard.press('j');
    await expect
      .poll(() =>
        page.evaluate(() =>
          (
            globalThis as unknown as {
              document: {
                activeElement: {
                  closest(s: string): { getAttribute(n: string): string | null } | null;
                } | null;
              };
            }
          ).document.activeElement
            ?.closest('tr')
            ?.getAttribute('data-id'),
        ),
      )
      .toBe(pneumothoraxId);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/reports/${pneumothoraxId}`);
    expect(page.url()).not.toContain(pneumothorax.accession);
    await page.locator('#report-title').waitFor();
    expect(await page.locator('#report-title').textContent()).toContain(pneumothorax.accession);
    const text = (await page.locator('article.report').textContent())!;
    expect(text).toContain('preliminary, AI-generated draft');
    expect(await page.locator('.badge.ai').count()).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/Large right pneumothorax with leftward mediastinal shift/);
    expect(await page.locator('table.labels').first().textContent()).toMatch(/pneumothorax/);
    await expect
      .poll(() => page.locator('ul.fhir, section[aria-labelledby="fhir-title"] p').first().textContent(), {
        timeout: 30_000,
      })
      .toBeTruthy();
    const violations = await axeViolations(page);
    expect(seriousOrWorse(violations), JSON.stringify(violations)).toEqual([]);
    await expect.poll(() => page.locator('ul.fhir li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.locator('ul.fhir').textContent()).toMatch(/DiagnosticReport\/\S+/);
    await page.screenshot({ path: `${screenshotDir}/worklist-report.png`, fullPage: true });
  });

  it('edits the draft impression inline and saves it once, as feedback in PostgreSQL and on rad.feedback.v1', async () => {
    await page.getByRole('button', { name: 'Edit draft' }).click();
    const corrected = `Large right tension pneumothorax ${runTag}. Findings called to the ordering physician.`;
    await page.getByLabel(/Your impression/).fill(corrected);
    await page.getByRole('button', { name: 'Save edit' }).dblclick();
    const message = page.locator('.message');
    await expect.poll(() => message.textContent()).toMatch(/Saved as feedback [0-9a-f-]{36}/);
    const feedbackId = /([0-9a-f-]{36})/.exec((await message.textContent())!)![1]!;
    const stored = await waitFor('the edit in PostgreSQL', async () => {
      const rows = await feedbackRows(feedbackId);
      return rows.length > 0 ? rows : undefined;
    });
    expect(stored).toEqual([
      {
        output: 'impression',
        verdict: 'edit',
        reviewer_id: USER.username,
        corrected_text: corrected,
        source: 'explicit',
      },
    ]);
    const events = await collector.waitFor(
      (r) => r.topic === Topics.feedback && r.value!.toString().includes(feedbackId),
    );
    const payload = collector.bus.decodeEvent<FeedbackPayload>(events[0]!).payload;
    expect(payload).toMatchObject({
      accession: pneumothorax.accession,
      reviewerId: USER.username,
      source: 'explicit',
    });
    // The same idempotency key again (a retry, a double click that got through): same answer, nothing new.
    const replay = await page.evaluate(
      async ({ id, key, text }) => {
        const r = await fetch(`/api/reports/${id}/review`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ action: 'edit', impression: text }),
        });
        return { status: r.status, body: await r.json() };
      },
      { id: pneumothoraxId, key: feedbackId, text: corrected },
    );
    expect(replay).toEqual({ status: 202, body: { feedbackId, state: 'edited' } });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(
      collector.records.filter(
        (r) => r.topic === Topics.feedback && r.value!.toString().includes(feedbackId),
      ),
    ).toHaveLength(1);
    expect(await feedbackRows(feedbackId)).toHaveLength(1);
    // Every open page shows the new state.
    await expect
      .poll(() => rowOf(watcher, pneumothorax.accession).locator('.state').textContent())
      .toBe('edited');
  });

  it('rejects another report with a reason; the list updates on every open page', async () => {
    await page.goto(`${base}/`);
    await page.locator('.live.on').waitFor();
    // A normal report is ROUTINE: below every STAT and URGENT row, so both pages filter on ROUTINE.
    for (const p of [page, watcher]) await p.getByRole('checkbox', { name: 'ROUTINE' }).check();
    const ack = await sendOverMllp(host.app.get(MllpListener).port, normal.bytes);
    expect(ack).toContain('MSA|AA');
    const row = rowOf(page, normal.accession);
    await row.waitFor({ timeout: 60_000 });
    await row.locator('a').click();
    await page.locator('#report-title').waitFor();
    await page.getByRole('button', { name: 'Reject draft' }).click();
    await page.getByLabel('Reason (optional)').fill('draft does not follow the findings');
    await page.getByRole('button', { name: 'Confirm reject' }).click();
    await expect.poll(() => page.locator('.message').textContent()).toMatch(/Rejected\. Saved as feedback/);
    const feedbackId = /([0-9a-f-]{36})/.exec((await page.locator('.message').textContent())!)![1]!;
    const stored = await waitFor('the rejection in PostgreSQL', async () => {
      const rows = await feedbackRows(feedbackId);
      return rows.length > 0 ? rows : undefined;
    });
    expect(stored.map((r) => [r.output, r.verdict, r.reviewer_id])).toEqual([
      ['impression', 'reject', USER.username],
    ]);
    await expect
      .poll(() => rowOf(watcher, normal.accession).locator('.state').textContent())
      .toBe('rejected');
    expect(await watcher.locator('table.worklist tbody tr .priority').allTextContents()).not.toContain(
      'STAT',
    );
    // The filters: rejected and edited, any priority.
    await watcher.getByRole('checkbox', { name: 'ROUTINE' }).uncheck();
    await watcher.getByRole('checkbox', { name: 'rejected' }).check();
    await watcher.getByRole('checkbox', { name: 'edited' }).check();
    await expect
      .poll(() => watcher.locator('table.worklist tbody tr .state').allTextContents())
      .not.toContain('new');
    expect(await rowOf(watcher, normal.accession).count()).toBe(1);
    expect(await rowOf(watcher, pneumothorax.accession).count()).toBe(1);
    await watcher.getByRole('checkbox', { name: 'edited' }).uncheck();
    await expect.poll(() => rowOf(watcher, pneumothorax.accession).count()).toBe(0);
  });

  it('signs out: the API refuses the old session', async () => {
    const cookie = (await context.cookies()).find((c) => c.name === 'radflow_worklist')!;
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/login`);
    const after = await fetch(`${base}/api/worklist`, {
      headers: { cookie: `radflow_worklist=${cookie.value}` },
    });
    expect(after.status).toBe(401);
  });
});
