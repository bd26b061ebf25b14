/**
 * A contract's token: a registered symbol named like the contract and versioned, so
 * `StateStore` is both an interface (the type) and a token (the value).
 */
export type Token<T> = symbol & { readonly __contract?: T };

export function token<T>(key: string): Token<T> {
  return Symbol.for(key) as Token<T>;
}

/** The contract name of a token, for messages: "corral.state-store.v1". */
export function tokenName(t: symbol): string {
  return Symbol.keyFor(t) ?? t.description ?? String(t);
}
