import type { Call } from './call.js';

export type Handler = (call: Call) => Promise<void>;

interface Route {
  method: string;
  re: RegExp;
  handler: Handler;
}

/**
 * Method + path patterns: `{id}` matches one path segment, `{name*}` the rest of the
 * path (image names contain slashes). Routes are tried in the order they were added.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    const source = pattern
      .split(/(\{[a-z]+\*?\})/i)
      .map((part) => {
        if (/^\{[a-z]+\*\}$/i.test(part)) return '(.+)';
        if (/^\{[a-z]+\}$/i.test(part)) return '([^/]+)';
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('');
    this.routes.push({ method, re: new RegExp(`^${source}/?$`), handler });
    return this;
  }

  /** The handler and decoded parameters; 'method' when the path exists under another method. */
  match(method: string, path: string): { handler: Handler; params: string[] } | 'method' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.re.exec(path);
      if (!m) continue;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) {
        pathMatched = true;
        continue;
      }
      return { handler: route.handler, params: m.slice(1).map(decodeSegment) };
    }
    return pathMatched ? 'method' : undefined;
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
