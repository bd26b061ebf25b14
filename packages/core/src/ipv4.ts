import { InvalidArgumentError } from './errors.js';

/** An IPv4 subnet as numbers: `base` is the network address, `size` how many addresses it spans. */
export interface Cidr {
  base: number;
  prefix: number;
  size: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => OCTET.test(p));
}

export function parseIPv4(text: string, what = 'address'): number {
  if (!isIPv4(text)) throw new InvalidArgumentError(`invalid IPv4 ${what} ${JSON.stringify(text)}`);
  return text.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Parses "a.b.c.d/len"; the address must be the network address unless `loose`. */
export function parseCidr(text: string, what = 'subnet', loose = false): Cidr {
  const [addr, len, ...rest] = text.split('/');
  const prefix = Number(len);
  if (rest.length > 0 || addr === undefined || len === undefined || !/^\d{1,2}$/.test(len) || prefix > 32) {
    throw new InvalidArgumentError(`invalid IPv4 ${what} ${JSON.stringify(text)}: use a.b.c.d/len`);
  }
  const ip = parseIPv4(addr, what);
  const size = 2 ** (32 - prefix);
  const base = ip - (ip % size);
  if (base !== ip && !loose) {
    throw new InvalidArgumentError(`invalid ${what} ${text}: the address has host bits set (did you mean ${formatIPv4(base)}/${prefix}?)`);
  }
  return { base, prefix, size };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}

export function contains(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + c.size;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** The addresses a container may get: the subnet minus its network and broadcast addresses. */
export function hostRange(c: Cidr): { first: number; last: number } {
  if (c.prefix >= 31) return { first: c.base, last: c.base + c.size - 1 };
  return { first: c.base + 1, last: c.base + c.size - 2 };
}
