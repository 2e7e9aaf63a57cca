import { describe, expect, it } from 'vitest';
import { estimatedSeconds, faultLabel, planFaults, SoakPlanError, sendRate } from './soak-plan.ts';
import { accessionIn, soakAccession, soakMessage } from './soak-samples.ts';

describe('planFaults', () => {
  it('orders kills of our own processes before the shared services', () => {
    const faults = planFaults(
      { kill: ['enricher', 'writeback'], postgres: true, fhirFreezeSeconds: 5, kafkaDownSeconds: 0 },
      ['gateway', 'enricher', 'writeback'],
    );
    expect(faults.map(faultLabel)).toEqual([
      'SIGKILL enricher',
      'SIGKILL writeback',
      'PostgreSQL restart',
      'FHIR SIGSTOP 5 s',
    ]);
  });

  it("puts the cluster's broker kill after the other faults, naming the node and its time down", () => {
    const faults = planFaults(
      {
        kill: ['enricher'],
        postgres: false,
        fhirFreezeSeconds: 5,
        kafkaDownSeconds: 0,
        brokerKillSeconds: 20,
        brokerNode: 2,
      },
      ['enricher'],
    );
    expect(faults.map(faultLabel)).toEqual([
      'SIGKILL enricher',
      'FHIR SIGSTOP 5 s',
      'SIGKILL Kafka broker 2 of 3, 20 s down',
    ]);
    expect(faults.at(-1)).toEqual({ kind: 'broker-kill', node: 2, downSeconds: 20 });
    const timing = { warmupSeconds: 0, gapSeconds: 0, restartDelaySeconds: 3, sessionTimeoutSeconds: 45 };
    expect(estimatedSeconds(faults.at(-1)!, timing)).toBe(40);
  });

  it('refuses to kill an app that is not run', () => {
    expect(() =>
      planFaults({ kill: ['retrainer'], postgres: false, fhirFreezeSeconds: 0, kafkaDownSeconds: 0 }, [
        'gateway',
      ]),
    ).toThrow(SoakPlanError);
  });
});

describe('sendRate', () => {
  it('spreads the reports over the warm-up and the faults, never under 1/s', () => {
    const faults = planFaults({ kill: [], postgres: false, fhirFreezeSeconds: 60, kafkaDownSeconds: 0 }, []);
    const timing = { warmupSeconds: 5, gapSeconds: 5, restartDelaySeconds: 3, sessionTimeoutSeconds: 45 };
    expect(sendRate(700, faults, timing)).toBe(10);
    expect(sendRate(1, faults, timing)).toBe(0.2);
    // A killed group member is back once the group dropped it: its session timeout counts.
    const kills = planFaults(
      { kill: ['gateway', 'enricher'], postgres: false, fhirFreezeSeconds: 0, kafkaDownSeconds: 0 },
      ['gateway', 'enricher'],
    );
    expect(sendRate(100, kills, timing)).toBe(100 / (5 + (3 + 10 + 5) + (3 + 10 + 45 + 5)));
  });
});

describe('soak samples', () => {
  const template = [
    'MSH|^~\\&|RIS|H|RADFLOW|H|20250110081500||ORU^R01|DEMO0001|P|2.5.1',
    'PID|1||MRN100001^^^GENHOSP^MR||DEMO^ALPHA',
    'OBR|1|PLC1001|ACC1001|71046^XR CHEST 2 VIEWS^CPT',
  ].join('\r');

  it('makes every id unique to the run and the report', () => {
    const text = soakMessage(template, 'AB12CD34', 7).bytes.toString('latin1');
    expect(text).toContain('|SCAB12CD34N7|');
    expect(text).toContain('|SPAB12CD34N7^');
    expect(text).toContain('|SOAB12CD34N7|SKAB12CD34N7|');
    expect(text).not.toMatch(/ACC1001|DEMO0001|MRN100001|PLC1001/);
  });

  it("finds the run's accession in any output, not a longer one nor another run's", () => {
    expect(accessionIn(`{"accession":"${soakAccession('AB12CD34', 1)}"}`, 'AB12CD34')).toBe('SKAB12CD34N1');
    expect(accessionIn('OBR|1|SOAB12CD34N12|SKAB12CD34N12|', 'AB12CD34')).toBe('SKAB12CD34N12');
    expect(accessionIn('SKFFFF0000N1', 'AB12CD34')).toBeUndefined();
  });
});
