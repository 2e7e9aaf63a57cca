import { describe, expect, it } from 'vitest';
import { splitHl7Batch } from './batch.ts';

const msg = (id: string): string =>
  `MSH|^~\\&|A|B|C|D|20240101||ORU^R01|${id}|P|2.4\rPID|||1\rOBR|1||A${id}\r`;

describe('splitHl7Batch', () => {
  it('splits an FHS/BHS batch and checks the trailer counts', () => {
    const batch = `FHS|^~\\&|A\rBHS|^~\\&|A\r${msg('1')}${msg('2')}BTS|2\rFTS|1\r`;
    const split = splitHl7Batch(batch);
    expect(split.messages).toEqual([msg('1'), msg('2')]);
    expect(split.batched).toBe(true);
    expect(split.issues).toEqual([]);
  });

  it('splits bytes without decoding them', () => {
    const bytes = new TextEncoder().encode(`${msg('1')}\n${msg('2')}`);
    const split = splitHl7Batch(bytes);
    expect(split.messages.map((m) => new TextDecoder().decode(m))).toEqual([`${msg('1')}\n`, msg('2')]);
    expect(split.batched).toBe(false);
  });

  it('flags a batch cut short and content before the first header', () => {
    const split = splitHl7Batch(`garbage\rBHS|^~\\&|A\r${msg('1')}BTS|3\r`);
    expect(split.issues.map((i) => i.error.code)).toEqual(['NOT_HL7', 'TRUNCATED']);
    const counts = splitHl7Batch(`FHS|^~\\&\rBHS|^~\\&\r${msg('1')}BTS|3\rFTS|2\r`);
    expect(counts.issues.map((i) => [i.error.code, i.error.reason, i.error.location])).toEqual([
      ['TRUNCATED', 'BTS-1 declares 3 messages, the batch holds 1', 'BTS-1'],
      ['TRUNCATED', 'FTS-1 declares 2 batches, the file holds 1', 'FTS-1'],
    ]);
    const noTrailer = splitHl7Batch(`FHS|^~\\&\rBHS|^~\\&\r${msg('1')}`);
    expect(noTrailer.issues.map((i) => i.error.reason)).toEqual([
      'batch has no BTS trailer: input ends inside the batch',
      'file has no FTS trailer: input ends inside the file',
    ]);
  });
});
