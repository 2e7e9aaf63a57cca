import { describe, expect, it } from 'vitest';
import { ModelRegistryError } from './model-registry-error.ts';
import { registryTestDatabase, testModelName } from './model-registry-test-database.ts';
import { ModelVersions } from './model-versions.ts';

const database = registryTestDatabase();

describe('ModelVersions on PostgreSQL', () => {
  it('records a version with its lineage, refuses it twice, and keeps the gate metrics with its status', async () => {
    const versions = new ModelVersions(database());
    const name = testModelName();
    expect(await versions.get(name, '1.0.0')).toBeUndefined();
    await versions.register({ name, version: '1.0.0', modelDir: '/models/a', status: 'registered' });
    const snapshot = 'ab'.repeat(32);
    const registered = await versions.register({
      name,
      version: '1.0.1',
      modelDir: '/models/b',
      status: 'candidate',
      baseName: name,
      baseVersion: '1.0.0',
      dataSnapshot: snapshot,
      training: { steps: 5 },
    });
    expect(registered).toMatchObject({ version: '1.0.1', status: 'candidate', metrics: null });
    await expect(
      versions.register({ name, version: '1.0.1', modelDir: '/x', status: 'candidate' }),
    ).rejects.toMatchObject({ code: 'VERSION_EXISTS' });

    await versions.setStatus(name, '1.0.1', 'candidate', [{ metric: 'rougeL' }]);
    await versions.setStatus(name, '1.0.1', 'rejected');
    expect(await versions.get(name, '1.0.1')).toMatchObject({
      modelDir: '/models/b',
      status: 'rejected',
      baseName: name,
      baseVersion: '1.0.0',
      dataSnapshot: snapshot,
      training: { steps: 5 },
      metrics: [{ metric: 'rougeL' }],
    });
    expect((await versions.list(name)).map((v) => v.version)).toEqual(['1.0.0', '1.0.1']);
  });

  it('refuses a status for a version that is not registered', async () => {
    const versions = new ModelVersions(database());
    const refused = versions.setStatus(testModelName(), '9.9.9', 'rejected');
    await expect(refused).rejects.toBeInstanceOf(ModelRegistryError);
    await expect(refused).rejects.toMatchObject({ code: 'UNKNOWN_MODEL_VERSION' });
  });
});
