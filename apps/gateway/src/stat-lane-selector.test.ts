import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@radflow/config';
import { Topics } from '@radflow/events';
import { readInbound } from '@radflow/inbound';
import { StatLaneSelector } from './stat-lane-selector.ts';

const demo = (file: string) => readFileSync(new URL(`../../../test/fixtures/demo/${file}`, import.meta.url));
const config = loadConfig({});
const selector = new StatLaneSelector(config);
const read = (bytes: Buffer) => {
  const outcome = readInbound('hl7v2', bytes, {
    maxMessageBytes: config.ingest.maxMessageBytes,
    patientKeySalt: config.ingest.patientKeySalt,
  });
  if (!outcome.ok) throw new Error(outcome.error.reason);
  return outcome;
};

describe('which messages take the STAT lane', () => {
  it('the pneumothorax report does; a normal chest and a head CT do not', () => {
    expect(selector.laneOf('hl7v2', read(demo('02-pneumothorax-stat.hl7')))).toBe(Topics.statLaneHl7v2);
    expect(selector.laneOf('fhir', read(demo('02-pneumothorax-stat.hl7')))).toBe(Topics.statLaneFhir);
    for (const file of ['01-normal-pa-lateral.hl7', '05-ct-head-not-cxr.hl7'])
      expect(selector.laneOf('hl7v2', read(demo(file)))).toBeUndefined();
  });
});
