import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { loadConfig } from '@radflow/config';
import { hashPassword } from '../auth/users.ts';

/**
 * `npm run add-user -w @radflow/worklist -- <username> [display name]`: reads a password from standard input and
 * adds (or replaces) the user in WORKLIST_USERS_FILE with its scrypt hash. The password is never echoed or stored.
 */
const [username, ...nameParts] = process.argv.slice(2);
if (!username) {
  console.error('usage: npm run add-user -w @radflow/worklist -- <username> [display name]');
  process.exit(2);
}
const file = loadConfig().worklist.usersFile;
const lines = createInterface({ input: process.stdin, terminal: false });
process.stderr.write(`password for ${username}: `);
const password = (await lines[Symbol.asyncIterator]().next()).value as string | undefined;
lines.close();
if (!password || password.length < 12) {
  console.error('\na password of at least 12 characters is needed');
  process.exit(2);
}
const current = existsSync(file)
  ? (JSON.parse(readFileSync(file, 'utf8')) as { users: { username: string }[] })
  : { users: [] };
const user = { username, name: nameParts.join(' ') || username, password: await hashPassword(password) };
current.users = [...current.users.filter((u) => u.username !== username), user];
writeFileSync(file, JSON.stringify(current, null, 2) + '\n');
console.error(`\n${username} saved in ${file}`);
