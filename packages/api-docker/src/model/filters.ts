import { ApiError } from '../http/api-error.js';

/**
 * The `filters` query parameter in both forms Docker accepts: the map form
 * `{"type":{"container":true}}` (what the docker CLI sends) and the older array form
 * `{"type":["container"]}`.
 */
export function parseFilters(raw: string | null): Record<string, string[]> {
  if (raw === null || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ApiError(400, `invalid filters ${JSON.stringify(raw)}: not JSON`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError(400, `invalid filters ${JSON.stringify(raw)}: expected an object`);
  }
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = value as string[];
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      out[key] = Object.entries(value as Record<string, unknown>)
        .filter(([, on]) => on === true)
        .map(([v]) => v);
    } else throw new ApiError(400, `invalid filter ${JSON.stringify(key)}: expected a list or a map of values`);
  }
  return out;
}
