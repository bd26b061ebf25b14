/**
 * Byte-order comparison, as Go sorts strings (map keys in templates); ISO-8601 UTC
 * times sort by it too. localeCompare would order by the locale, and pays ICU's
 * collation for every pair.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
