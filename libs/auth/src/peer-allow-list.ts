import { BlockList, isIP } from 'node:net';

/**
 * Which peers may connect (the MLLP listener's GATEWAY_MLLP_ALLOW): addresses and CIDR ranges, IPv4 or IPv6. An
 * IPv4 peer reached over a dual-stack socket (`::ffff:10.0.0.5`) is matched as the IPv4 address it is.
 */
export class PeerAllowList {
  private readonly list = new BlockList();
  readonly entries: readonly string[];

  /** Throws a RangeError naming the first entry that is neither an address nor a CIDR range. */
  constructor(entries: readonly string[]) {
    this.entries = [...entries];
    for (const entry of entries) {
      const [address, prefix, extra] = entry.split('/');
      const family = isIP(address ?? '');
      const bits = prefix === undefined ? undefined : Number(prefix);
      const maxBits = family === 4 ? 32 : 128;
      if (
        family === 0 ||
        extra !== undefined ||
        (bits !== undefined && (!/^\d{1,3}$/.test(prefix!) || bits > maxBits))
      )
        throw new RangeError(`"${entry}" is neither an IP address nor a CIDR range`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.list.addAddress(address!, type);
      else this.list.addSubnet(address!, bits, type);
    }
  }

  /** Empty: everyone may connect. */
  get allowsAll(): boolean {
    return this.entries.length === 0;
  }

  allows(peerAddress: string | undefined): boolean {
    if (this.allowsAll) return true;
    if (!peerAddress) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(peerAddress);
    const address = mapped ? mapped[1]! : peerAddress;
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Whether a bind address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  const address = mapped ? mapped[1]! : bare;
  return isIP(address) === 4 && address.startsWith('127.');
}
