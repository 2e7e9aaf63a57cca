import { describe, expect, it } from 'vitest';
import type { Envelope } from '@radflow/events';
import type { ReportTriagedPayload } from '@radflow/schemas';
import { WorklistTaskStatLaneController } from './stat-lane.controller.ts';
import type { WorklistTaskService } from './worklist-task.service.ts';

const triaged = (level: string) =>
  ({ payload: { triage: { priority: { level } } } }) as unknown as Envelope<ReportTriagedPayload>;

describe('the STAT lane', () => {
  it('writes the Task of a STAT report and passes over every other priority', async () => {
    const written: string[] = [];
    const service = {
      write: async (event: Envelope<ReportTriagedPayload>) =>
        void written.push(event.payload.triage.priority.level),
    } as unknown as WorklistTaskService;
    const lane = new WorklistTaskStatLaneController(service);
    for (const level of ['routine', 'urgent', 'stat', 'routine'])
      await lane.onReportTriaged(triaged(level), { output: {} });
    expect(written).toEqual(['stat']);
  });
});
