import { afterEach, describe, expect, it } from 'vitest';
import {
  canaryVerdict,
  DEFAULT_CANARY_POLICY,
  DEFAULT_SHADOW_POLICY,
  shadowVerdict,
} from '@radflow/feedback';
import { ModelRegistryError } from '@radflow/store';
import {
  formatCanaryStatus,
  formatShadowStatus,
  modelCommand,
  parseShare,
  type ModelRunners,
} from './model.ts';

describe('radflow model shadow', () => {
  it('prints the running comparison in points with its intervals, and the verdict so far', () => {
    const startedAt = new Date('2026-01-01T00:00:00Z');
    const scores = Array.from({ length: 120 }, (_, i) => {
      const serving = 0.4 + (i % 5) / 10;
      return {
        serving: { rougeL: serving, bleu1: serving, f1: serving },
        candidate: { rougeL: serving - 0.05, bleu1: serving - 0.05, f1: serving - 0.05 },
      };
    });
    const verdict = shadowVerdict(scores, { startedAt, now: new Date('2026-01-01T03:00:00Z') });
    const text = formatShadowStatus({
      name: 'radflow-cxr',
      candidateVersion: '0.3.1',
      servingVersion: '0.3.0',
      startedAt: startedAt.toISOString(),
      policy: DEFAULT_SHADOW_POLICY,
      verdict,
    });
    expect(text).toContain('radflow-cxr 0.3.1 in shadow beside 0.3.0 since 2026-01-01T00:00:00.000Z');
    expect(text).toContain('120 reports scored over 3.0 h; period: 100 reports and 24 h');
    expect(text).toMatch(
      / {2}rougeL {2}candidate 55\.0 \[[\d.]+, [\d.]+\] {2}serving 60\.0 \[[\d.]+, [\d.]+\] {2}difference -5\.0 \[-5\.0, -5\.0\] {2}WORSE/,
    );
    expect(text).toMatch(/verdict now: stop \(shadow rougeL \(n=120\)/);
  });
});

describe('radflow model promote|rollback arguments', () => {
  function fakeRunners() {
    const calls: { promote: unknown[]; rollback: unknown[] } = { promote: [], rollback: [] };
    const out: string[] = [];
    const err: string[] = [];
    const runners: ModelRunners = {
      status: async () => {
        throw new Error('not called');
      },
      shadow: async () => undefined,
      canary: async () => undefined,
      promote: async (request) => {
        calls.promote.push(request);
        if (request.version === '9.9.9')
          throw new ModelRegistryError('radflow-cxr 9.9.9 is not registered', 'UNKNOWN_MODEL_VERSION');
        return {
          name: 'radflow-cxr',
          version: request.version,
          action: 'promotion',
          previousVersion: '0.4.0',
        };
      },
      rollback: async (request) => {
        calls.rollback.push(request);
        return { name: 'radflow-cxr', canaryEnded: { version: '0.4.1', share: 0.1 } };
      },
      print: (text) => out.push(text),
      fail: (text) => err.push(text),
    };
    const run = async (...args: string[]) => {
      const command = modelCommand(runners).exitOverride();
      for (const sub of command.commands) sub.exitOverride().configureOutput({ writeErr: () => {} });
      await command.parseAsync(args, { from: 'user' });
    };
    return { runners, calls, out, err, run };
  }

  afterEach(() => {
    process.exitCode = undefined;
  });

  it('passes name, version, canary share, reason, force and operator through to the promotion', async () => {
    const cli = fakeRunners();
    await cli.run(
      'promote',
      'radflow-cxr',
      '0.4.1',
      '--canary',
      '10%',
      '--reason',
      'shadow passed',
      '--by',
      'dr-ops',
    );
    await cli.run('promote', 'radflow-cxr', '0.4.1', '--force', '--reason', 'hotfix', '--by', 'dr-ops');
    expect(cli.calls.promote).toEqual([
      {
        modelName: 'radflow-cxr',
        version: '0.4.1',
        canaryShare: 0.1,
        reason: 'shadow passed',
        force: false,
        operator: 'dr-ops',
      },
      {
        modelName: 'radflow-cxr',
        version: '0.4.1',
        canaryShare: undefined,
        reason: 'hotfix',
        force: true,
        operator: 'dr-ops',
      },
    ]);
    expect(JSON.parse(cli.out[0]!)).toMatchObject({ version: '0.4.1', action: 'promotion' });
  });

  it('refuses --force without a reason, and a share outside (0, 1), before asking the registry', async () => {
    const cli = fakeRunners();
    await cli.run('promote', 'radflow-cxr', '0.4.1', '--force');
    expect(cli.err).toEqual(['--force needs --reason: the reason is recorded with the decision']);
    expect(process.exitCode).toBe(2);
    for (const share of ['1', '0', '150%', 'half', '-0.2'])
      await expect(cli.run('promote', 'radflow-cxr', '0.4.1', '--canary', share)).rejects.toMatchObject({
        code: 'commander.invalidArgument',
      });
    expect(cli.calls.promote).toEqual([]);
    expect(parseShare('0.05')).toBe(0.05);
    expect(parseShare('25%')).toBe(0.25);
  });

  it("prints the registry's refusal as its code and message, with exit status 2", async () => {
    const cli = fakeRunners();
    await cli.run('promote', 'radflow-cxr', '9.9.9', '--by', 'x');
    expect(cli.err).toEqual(['UNKNOWN_MODEL_VERSION: radflow-cxr 9.9.9 is not registered']);
    expect(process.exitCode).toBe(2);
  });

  it('rolls back by name, to a version when given, with the reason and operator', async () => {
    const cli = fakeRunners();
    await cli.run('rollback', 'radflow-cxr', '--by', 'dr-ops');
    await cli.run(
      'rollback',
      'radflow-cxr',
      '--to',
      '0.3.0',
      '--reason',
      'drafts too long',
      '--by',
      'dr-ops',
    );
    expect(cli.calls.rollback).toEqual([
      { modelName: 'radflow-cxr', toVersion: undefined, reason: 'operator rollback', operator: 'dr-ops' },
      { modelName: 'radflow-cxr', toVersion: '0.3.0', reason: 'drafts too long', operator: 'dr-ops' },
    ]);
    expect(JSON.parse(cli.out[0]!)).toMatchObject({ canaryEnded: { version: '0.4.1' } });
  });
});

describe('radflow model canary', () => {
  it("prints both arms' live means and the difference with intervals, and what the operator may do next", () => {
    const arm = (centre: number, n: number) =>
      Array.from({ length: n }, (_, i) => {
        const v = centre + ((i % 5) - 2) / 100;
        return { rougeL: v, bleu1: v, f1: v };
      });
    const startedAt = new Date('2026-01-01T00:00:00Z');
    const policy = { ...DEFAULT_CANARY_POLICY, resamples: 200 };
    const verdict = canaryVerdict(
      { canary: arm(0.5, 60), serving: arm(0.5, 300) },
      { startedAt, now: new Date('2026-01-02T01:00:00Z') },
      policy,
    );
    const text = formatCanaryStatus({
      name: 'radflow-cxr',
      version: '0.4.1',
      servingVersion: '0.4.0',
      share: 0.1,
      startedBy: 'shadow',
      reason: 'shadow passed',
      startedAt: startedAt.toISOString(),
      autoPromote: false,
      policy,
      verdict,
    });
    expect(text).toContain('radflow-cxr 0.4.1 serves 10.0% of reports as a canary beside 0.4.0');
    expect(text).toContain(
      '60 canary and 300 serving reports scored over 25.0 h; period: 50 reports per arm and 24 h',
    );
    expect(text).toMatch(
      / {2}rougeL {2}canary 50\.0 \[[\d.]+, [\d.]+\] {2}serving 50\.0 \[[\d.]+, [\d.]+\] {2}difference -?0\.0 /,
    );
    expect(text).toMatch(/verdict now: pass \(canary over .*\); promote it with radflow model promote$/);
  });
});
