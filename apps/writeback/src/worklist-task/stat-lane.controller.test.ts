import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@radflow/config';
import type { ConsumedRecord, Envelope } from '@radflow/events';
import type { ReportTriagedPayload } from '@radflow/schemas';
import { StatLaneReader } from './stat-lane-reader.ts';
import { WorklistTaskStatLaneController } from './stat-lane.controller.ts';
import type { WorklistTaskService } from './worklist-task.service.ts';

const triaged = (level: string) =>
  ({ payload: { triage: { priority: { level } } } }) as unknown as Envelope<ReportTriagedPayload>;
const demo = (file: string): ConsumedRecord => ({
  topic: 'rad.inbound.hl7v2.stat.v1',
  partition: 0,
  offset: '0',
  key: null,
  value: readFileSync(new URL(`../../../../test/fixtures/demo/${file}`, import.meta.url)),
  headers: { 'radflow-trace-id': 'trace-1' },
  timestamp: '0',
});

function lane() {
  const written: Envelope<ReportTriagedPayload>[] = [];
  const service = { write: async (event: Envelope<ReportTriagedPayload>) => void written.push(event) };
  const reader = new StatLaneReader(loadConfig({}), createLogger('stat-lane-test', 'silent'));
  return {
    written,
    controller: new WorklistTaskStatLaneController(service as unknown as WorklistTaskService, reader),
  };
}

describe('the STAT lane', () => {
  it('writes the Task of a STAT report and passes over every other priority', async () => {
    const { written, controller } = lane();
    for (const level of ['routine', 'urgent', 'stat', 'routine'])
      await controller.onReportTriaged(triaged(level), { output: {} });
    expect(written.map((e) => e.payload.triage.priority.level)).toEqual(['stat']);
  });

  it("reads the gateway's STAT lane copy into the same triage the triage stage gives, with the gateway's trace id", async () => {
    const { written, controller } = lane();
    await controller.onStatHl7v2(demo('02-pneumothorax-stat.hl7'), { output: {} });
    await controller.onStatHl7v2(demo('01-normal-pa-lateral.hl7'), { output: {} });
    expect(written).toHaveLength(1);
    expect(written[0]!.payload.triage.priority.level).toBe('stat');
    expect(written[0]!.traceId).toBe('trace-1');
    expect(written[0]!.type).toBe('rad.report.triaged');
  });
});
