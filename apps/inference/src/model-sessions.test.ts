import { describe, expect, it } from 'vitest';
import { ModelSessions } from './model-sessions.ts';

interface FakeSession {
  key: string;
  close(): Promise<void>;
}

/** A stand-in for a loaded model: records its loads and closes. */
function fakeModels() {
  const loads: string[] = [];
  const closed: string[] = [];
  const load = (key: string) => async (): Promise<FakeSession> => {
    loads.push(key);
    return {
      key,
      close: async () => void closed.push(key),
    };
  };
  return { loads, closed, load };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ModelSessions', () => {
  it('loads a version once and evicts the least recently used idle one past capacity', async () => {
    const sessions = new ModelSessions<FakeSession>(2);
    const { loads, closed, load } = fakeModels();
    const use = (key: string) => sessions.use(key, load(key), async (s) => s.key);

    expect(await use('a')).toBe('a');
    expect(await use('b')).toBe('b');
    expect(await use('a')).toBe('a'); // a is now more recent than b
    expect(await use('c')).toBe('c'); // b goes
    await tick();
    expect(loads).toEqual(['a', 'b', 'c']);
    expect(closed).toEqual(['b']);
    expect(sessions.keys).toEqual(['a', 'c']);
    expect(sessions.loaded.map(({ key, session }) => `${key}:${session.key}`)).toEqual(['a:a', 'c:c']);
    expect(await use('b')).toBe('b'); // loaded again; a goes
    await tick();
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
    expect(closed).toEqual(['b', 'a']);
  });

  it('shares one load among concurrent callers', async () => {
    const sessions = new ModelSessions<FakeSession>(2);
    const { loads, load } = fakeModels();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => sessions.use('a', load('a'), async (s) => s.key)),
    );
    expect(results).toEqual(['a', 'a', 'a', 'a', 'a']);
    expect(loads).toEqual(['a']);
  });

  it('never closes a session under a running request; it goes once idle', async () => {
    const sessions = new ModelSessions(1);
    const { closed, load } = fakeModels();
    let finish!: () => void;
    const running = sessions.use('a', load('a'), () => new Promise<void>((resolve) => (finish = resolve)));
    await tick();
    await sessions.use('b', load('b'), async () => undefined);
    await tick();
    // b was idle and least in use: it went, although a is older.
    expect(closed).toEqual(['b']);
    expect(sessions.keys).toEqual(['a']);
    await sessions.use('c', load('c'), async () => {
      // Two held while a runs: over capacity only for as long as a request needs it.
      expect(sessions.size).toBe(2);
    });
    finish();
    await running;
    await tick();
    expect(closed).toEqual(['b', 'c']);
    expect(sessions.keys).toEqual(['a']);
  });

  it('drops a version (now the serving model): closed at once when idle, after its requests when in use', async () => {
    const sessions = new ModelSessions<FakeSession>(3);
    const { closed, load } = fakeModels();
    await sessions.use('a', load('a'), async () => undefined);
    sessions.drop('a');
    await tick();
    expect(closed).toEqual(['a']);
    let finish!: () => void;
    const running = sessions.use('b', load('b'), () => new Promise<void>((resolve) => (finish = resolve)));
    await tick();
    sessions.drop('b');
    await tick();
    expect(closed).toEqual(['a']);
    expect(sessions.keys).toEqual([]);
    finish();
    await running;
    await tick();
    expect(closed).toEqual(['a', 'b']);
  });

  it('forgets a failed load so the next request tries again', async () => {
    const sessions = new ModelSessions(2);
    let attempts = 0;
    const flaky = async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('not on disk yet');
      return { close: async () => undefined };
    };
    await expect(sessions.use('a', flaky, async () => 'ran')).rejects.toThrow(/not on disk/);
    expect(sessions.size).toBe(0);
    expect(await sessions.use('a', flaky, async () => 'ran')).toBe('ran');
    expect(attempts).toBe(2);
  });

  it('closes everything on close', async () => {
    const sessions = new ModelSessions(3);
    const { closed, load } = fakeModels();
    for (const key of ['a', 'b']) await sessions.use(key, load(key), async () => undefined);
    await sessions.close();
    expect(closed.sort()).toEqual(['a', 'b']);
    expect(sessions.size).toBe(0);
  });
});
