import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { repoRoot } from '@radflow/config';

/**
 * radflow apps as separate child processes (`radflow serve <app>`, one process each), so that a SIGKILL takes one
 * instance down the way a crash or an OOM kill would. A child that exits without being told to is restarted, as a
 * process supervisor (systemd, Kubernetes) would.
 */
export class AppProcessError extends Error {
  override readonly name = 'AppProcessError';
}

const SERVING = 'radflow serving';
// Generous: on 2 cores shared with other work, 14 processes joining their groups at once took up to 3 min.
const START_TIMEOUT_MS = 300_000;
const mainTs = `${repoRoot}apps/cli/src/main.ts`;

export class AppInstance {
  private child: ChildProcess | undefined;
  private stopping = false;
  /** Exits the soak did not cause (each one restarted). */
  unexpectedExits = 0;

  constructor(
    readonly app: string,
    readonly ordinal: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
    private readonly onEvent: (line: string) => void,
  ) {}

  get name(): string {
    return `${this.app}#${this.ordinal}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and resolves once it prints that it serves (consumers joined, listeners open). */
  start(): Promise<void> {
    mkdirSync(this.logDir, { recursive: true });
    const log = createWriteStream(`${this.logDir}/${this.app}-${this.ordinal}.log`, { flags: 'a' });
    // node + tsx as a loader: one process, so the pid we signal is the app itself.
    const child = spawn(process.execPath, ['--import', 'tsx', mainTs, 'serve', this.app], {
      cwd: repoRoot,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const serving = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new AppProcessError(`${this.name} did not start within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
      let seen = '';
      child.stdout.on('data', (chunk: Buffer) => {
        seen = (seen + chunk.toString('utf8')).slice(-4096);
        if (!seen.includes(SERVING)) return;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new AppProcessError(`${this.name} exited while starting (${signal ?? code})`));
      });
    });
    child.once('exit', (code, signal) => {
      if (this.stopping || this.child !== child) return;
      this.unexpectedExits += 1;
      this.onEvent(`${this.name} exited on its own (${signal ?? code}); restarting it`);
      this.child = undefined;
      setTimeout(() => void this.start().catch((error: Error) => this.onEvent(error.message)), 1_000);
    });
    return serving;
  }

  /** SIGKILL: no shutdown hook runs, no consumer leaves its group, no transaction is finished. */
  kill(): void {
    const child = this.child;
    this.child = undefined; // its exit is ours, not one to restart
    child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Every instance of every app of one soak run. */
export class AppFleet {
  readonly instances: AppInstance[] = [];

  constructor(
    /** envOf: settings of one instance over the shared env (its own listening ports, the peer it calls). */
    plan: { app: string; count: number; envOf?: (ordinal: number) => NodeJS.ProcessEnv }[],
    env: NodeJS.ProcessEnv,
    logDir: string,
    onEvent: (line: string) => void,
  ) {
    for (const { app, count, envOf } of plan)
      for (let ordinal = 1; ordinal <= count; ordinal++)
        this.instances.push(new AppInstance(app, ordinal, { ...env, ...envOf?.(ordinal) }, logDir, onEvent));
  }

  async start(): Promise<void> {
    // Started together: on 2 cores each start is mostly waiting for the broker and the module graph.
    await Promise.all(this.instances.map((instance) => instance.start()));
  }

  first(app: string): AppInstance {
    const instance = this.instances.find((i) => i.app === app);
    if (!instance) throw new AppProcessError(`no instance of ${app} runs`);
    return instance;
  }

  unexpectedExits(): number {
    return this.instances.reduce((sum, i) => sum + i.unexpectedExits, 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.stop()));
  }
}
