import { describe, expect, it } from 'vitest';
import { ModelDeployments } from './model-deployments.ts';
import { registryTestDatabase, testModelName } from './model-registry-test-database.ts';
import { ModelVersions } from './model-versions.ts';

const database = registryTestDatabase();

describe('ModelDeployments on PostgreSQL', () => {
  it('bootstraps, promotes, rolls back step by step and refuses what cannot be done', async () => {
    const versions = new ModelVersions(database());
    const deployments = new ModelDeployments(database());
    const name = testModelName();
    expect(await deployments.current(name)).toBeUndefined();
    await expect(deployments.rollback(name, 'test')).rejects.toMatchObject({ code: 'NO_CURRENT_MODEL' });
    await expect(deployments.deploy(name, '1.0.0', 'bootstrap', 'first')).rejects.toMatchObject({
      code: 'UNKNOWN_MODEL_VERSION',
    });

    await versions.register({ name, version: '1.0.0', modelDir: '/models/a', status: 'registered' });
    await deployments.deploy(name, '1.0.0', 'bootstrap', 'first');
    await expect(deployments.rollback(name, 'test')).rejects.toMatchObject({ code: 'NOTHING_TO_ROLL_BACK' });

    await versions.register({ name, version: '1.0.1', modelDir: '/models/b', status: 'candidate' });
    await versions.setStatus(name, '1.0.1', 'candidate', [{ metric: 'rougeL' }]);
    const promoted = await deployments.deploy(name, '1.0.1', 'promotion', 'gate');
    expect(promoted).toMatchObject({ version: '1.0.1', action: 'promotion', previousVersion: '1.0.0' });
    expect(await deployments.current(name)).toMatchObject({
      version: '1.0.1',
      status: 'promoted',
      metrics: [{ metric: 'rougeL' }],
    });

    await versions.register({ name, version: '1.0.2', modelDir: '/models/c', status: 'candidate' });
    await versions.setStatus(name, '1.0.2', 'rejected');
    await expect(deployments.deploy(name, '1.0.2', 'promotion', 'x')).rejects.toMatchObject({
      code: 'NOT_DEPLOYABLE',
    });
    await expect(deployments.rollback(name, 'x', '1.0.2')).rejects.toMatchObject({ code: 'NOT_DEPLOYABLE' });

    const back = await deployments.rollback(name, 'operator');
    expect(back.from.version).toBe('1.0.1');
    expect(back.to).toMatchObject({ version: '1.0.0', modelDir: '/models/a' });
    expect(back.deployment).toMatchObject({
      action: 'rollback',
      previousVersion: '1.0.1',
      reason: 'operator',
    });
    expect((await deployments.current(name))?.version).toBe('1.0.0');
    await expect(deployments.rollback(name, 'again')).rejects.toMatchObject({ code: 'NOTHING_TO_ROLL_BACK' });
    const forward = await deployments.rollback(name, 'undo', '1.0.1');
    expect(forward.to.version).toBe('1.0.1');
    expect((await deployments.history(name)).map((d) => `${d.action}:${d.version}`)).toEqual([
      'bootstrap:1.0.0',
      'promotion:1.0.1',
      'rollback:1.0.0',
      'rollback:1.0.1',
    ]);
  });
});
