import { createHash } from 'node:crypto';

/** sha256 hex of a string. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * A name-based UUID (RFC 9562 version 8 layout, sha256 of the name): the same name always gives the same id, so a
 * redelivered input produces the same feedback id and is stored once.
 */
export function nameBasedUuid(name: string): string {
  const hex = sha256Hex(`radflow-feedback-id-v1:${name}`).slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}
