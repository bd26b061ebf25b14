import { ApiError } from './http/api-error.js';

/** The API versions this service speaks, as `/version` and `/_ping` advertise them. */
export const MIN_API_VERSION = '1.41';
export const MAX_API_VERSION = '1.44';
export const ENGINE_VERSION = '0.1.0';

function compare(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}

/** The version a request asks for ("/v1.43/..."), checked against the supported range. */
export function checkApiVersion(requested: string | undefined): string {
  if (requested === undefined) return MAX_API_VERSION;
  if (compare(requested, MIN_API_VERSION) < 0) {
    throw new ApiError(
      400,
      `client version ${requested} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    );
  }
  if (compare(requested, MAX_API_VERSION) > 0) {
    throw new ApiError(400, `client version ${requested} is too new. Maximum supported API version is ${MAX_API_VERSION}`);
  }
  return requested;
}

/** Whether the negotiated version is at least `v` (some response shapes changed over time). */
export function atLeast(version: string, v: string): boolean {
  return compare(version, v) >= 0;
}
