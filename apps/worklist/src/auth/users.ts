import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

/** A user who may sign in to the worklist: a staff id (the feedback's reviewerId) and a display name. */
export interface WorklistUser {
  username: string;
  name: string;
}

interface UserEntry extends WorklistUser {
  /** `scrypt$N$r$p$salt$hash`, salt and hash in base64 (node:crypto scrypt). */
  password: string;
}

const DEFAULT_COST = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

/** The password hash a users file stores (`npm run add-user -w @radflow/worklist`). */
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...cost, maxmem: 256 * cost.N * cost.r });
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    ...cost,
    maxmem: 256 * cost.N * cost.r,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export class UsersFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsersFileError';
  }
}

/** The local users file (WORKLIST_USERS_FILE): `{ "users": [{ "username", "name", "password" }] }`. */
export class LocalUsers {
  private readonly users: Map<string, UserEntry>;
  /** Hashed for unknown usernames, so a wrong name takes as long as a wrong password. */
  private readonly decoy: Promise<string> = hashPassword(randomBytes(12).toString('hex'));

  constructor(entries: readonly UserEntry[]) {
    this.users = new Map(entries.map((e) => [e.username, e]));
  }

  /** `none`: no local users (OIDC sign-in only). */
  static fromFile(path: string): LocalUsers {
    if (path === 'none') return new LocalUsers([]);
    let parsed: { users?: unknown };
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as { users?: unknown };
    } catch (error) {
      throw new UsersFileError(`worklist users file ${path} cannot be read: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed.users)) throw new UsersFileError(`${path} has no "users" list`);
    const entries = parsed.users.map((u: Partial<UserEntry>, i: number) => {
      if (typeof u.username !== 'string' || !/^[\w.@-]{1,200}$/.test(u.username))
        throw new UsersFileError(`${path}: users[${i}].username must be 1-200 letters, digits or . _ @ -`);
      if (typeof u.password !== 'string' || !u.password.startsWith('scrypt$'))
        throw new UsersFileError(`${path}: users[${i}].password must be an scrypt hash (npm run add-user)`);
      return {
        username: u.username,
        name: typeof u.name === 'string' ? u.name : u.username,
        password: u.password,
      };
    });
    return new LocalUsers(entries);
  }

  get size(): number {
    return this.users.size;
  }

  find(username: string): WorklistUser | undefined {
    const entry = this.users.get(username);
    return entry ? { username: entry.username, name: entry.name } : undefined;
  }

  async authenticate(username: string, password: string): Promise<WorklistUser | undefined> {
    const entry = this.users.get(username);
    const ok = await verifyPassword(password, entry?.password ?? (await this.decoy));
    return ok && entry ? { username: entry.username, name: entry.name } : undefined;
  }
}
