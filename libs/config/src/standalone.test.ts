import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dataDir, dataPath, repoRoot } from './index.ts';

// The repository must stand alone: a user's clone has no sibling folder of shared data beside it (dev machines
// once did). The paths are assembled so that this file never spells them out itself; it is excluded all the same.
const FORBIDDEN = [
  ['..', 'shared'].join('/'),
  ['shared', 'data'].join('/'),
  ['..', '..', 'shared'].join('/'),
];
const PYTHON_SIBLING = new RegExp(String.raw`parent\s*/\s*["']` + 'shared' + `["']`);
const self = relative(repoRoot, fileURLToPath(import.meta.url));

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, maxBuffer: 64 << 20 })
    .toString('utf8')
    .split('\0')
    .filter(Boolean);
}

describe('the repository stands alone', () => {
  it('no tracked file refers to a sibling folder outside the repository', () => {
    const files = trackedFiles();
    expect(files.length).toBeGreaterThan(100);
    const offenders: string[] = [];
    for (const file of files) {
      if (file === self) continue;
      const path = join(repoRoot, file);
      if (!existsSync(path) || !statSync(path).isFile() || statSync(path).size > 4 << 20) continue;
      const bytes = readFileSync(path);
      if (bytes.subarray(0, 8192).includes(0)) continue; // binary (ONNX, images)
      const lines = bytes.toString('utf8').split('\n');
      lines.forEach((line, index) => {
        if (FORBIDDEN.some((needle) => line.includes(needle)) || PYTHON_SIBLING.test(line))
          offenders.push(`${file}:${index + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(offenders, 'read data/ through dataPath() (libs/config) instead').toEqual([]);
  });

  it('finds the committed data under data/ at the repository root', () => {
    expect(dataDir({})).toBe(join(repoRoot, 'data'));
    for (const file of [
      'openi/reports.csv',
      'openi/labels-negbio14.csv',
      'interop/fhir/uscore_DiagnosticReport-chest-xray-report.json',
      'interop/hl7v2/dcm4che_ORU_R01-SR_v251.hl7',
    ])
      expect(existsSync(dataPath(file, {})), file).toBe(true);
  });

  it('honours RADFLOW_DATA_DIR, as the Python trainer does', () => {
    expect(dataPath('openi/reports.csv', { RADFLOW_DATA_DIR: '/srv/radflow-data' })).toBe(
      '/srv/radflow-data/openi/reports.csv',
    );
    expect(dataDir({ RADFLOW_DATA_DIR: '  ' })).toBe(join(repoRoot, 'data'));
  });
});
