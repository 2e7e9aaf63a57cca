import { describe, expect, it } from 'vitest';
import { isLoopbackHost, PeerAllowList } from './peer-allow-list.ts';

describe('PeerAllowList', () => {
  it('allows everyone when empty', () => {
    expect(new PeerAllowList([]).allows('203.0.113.9')).toBe(true);
  });

  it('matches addresses and CIDR ranges, IPv4 (also dual-stack mapped) and IPv6', () => {
    const list = new PeerAllowList(['10.20.0.0/16', '192.0.2.7', 'fd00:1::/32']);
    expect(list.allows('10.20.3.4')).toBe(true);
    expect(list.allows('::ffff:10.20.3.4')).toBe(true);
    expect(list.allows('192.0.2.7')).toBe(true);
    expect(list.allows('fd00:1:abcd::5')).toBe(true);
    expect(list.allows('10.21.0.1')).toBe(false);
    expect(list.allows('192.0.2.8')).toBe(false);
    expect(list.allows('127.0.0.1')).toBe(false);
    expect(list.allows(undefined)).toBe(false);
  });

  it('names an entry that is not an address or range', () => {
    expect(() => new PeerAllowList(['10.0.0.0/33'])).toThrow(/"10.0.0.0\/33"/);
    expect(() => new PeerAllowList(['mirth.hospital.local'])).toThrow(/neither/);
  });

  it('tells loopback binds from network ones', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost', '[::1]'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['0.0.0.0', '::', '10.0.0.1'].map(isLoopbackHost)).toEqual([false, false, false]);
  });
});
