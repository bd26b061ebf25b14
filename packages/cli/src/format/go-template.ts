import { InvalidArgumentError } from '@corral/core';
import { compareStrings } from './compare.js';

/**
 * The part of Go's text/template that podman's --format uses: fields ({{.ID}},
 * {{.State.Status}}), {{json .}} and {{json .Field}}, {{range .List}}...{{end}},
 * {{if .X}}...{{else}}...{{end}}, {{index .Labels "k"}}, {{upper}}/{{lower}},
 * {{printf "%s" .X}}, and the trim markers {{- and -}}.
 */
type Eval = (dot: unknown) => unknown;
/** Parsed once per template: a list command renders it for every row. */
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'expr'; eval: Eval }
  | { kind: 'range'; eval: Eval; body: Node[]; otherwise: Node[] }
  | { kind: 'if'; eval: Eval; body: Node[]; otherwise: Node[] };

export type Template = (data: unknown) => string;

export function compileTemplate(source: string): Template {
  const tokens = tokenize(source);
  let pos = 0;
  const parse = (stopAt: string[]): { nodes: Node[]; stop: string } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const tk = tokens[pos++]!;
      if (tk.kind === 'text') {
        nodes.push({ kind: 'text', text: tk.text.replace(/\\t/g, '\t').replace(/\\n/g, '\n') });
        continue;
      }
      const word = tk.expr.split(/\s+/)[0]!;
      if (stopAt.includes(word)) return { nodes, stop: word };
      if (word === 'range' || word === 'if') {
        const expr = compileExpr(tk.expr.slice(word.length).trim());
        const body = parse(['end', 'else']);
        const otherwise = body.stop === 'else' ? parse(['end']).nodes : [];
        nodes.push({ kind: word, eval: expr, body: body.nodes, otherwise });
        continue;
      }
      if (word === 'end' || word === 'else') throw new InvalidArgumentError(`template: unexpected {{${word}}} in ${JSON.stringify(source)}`);
      nodes.push({ kind: 'expr', eval: compileExpr(tk.expr) });
    }
    if (stopAt.length > 0) throw new InvalidArgumentError(`template: missing {{end}} in ${JSON.stringify(source)}`);
    return { nodes, stop: '' };
  };
  const root = parse([]).nodes;
  return (data) => render(root, data);
}

function tokenize(source: string): ({ kind: 'text'; text: string } | { kind: 'expr'; expr: string })[] {
  const out: ({ kind: 'text'; text: string } | { kind: 'expr'; expr: string })[] = [];
  const re = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    let text = source.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1]) text = text.replace(/\s+$/, '');
    if (text) out.push({ kind: 'text', text });
    out.push({ kind: 'expr', expr: m[2]!.trim() });
    trimNext = Boolean(m[3]);
    last = re.lastIndex;
  }
  let tail = source.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  if (tail) out.push({ kind: 'text', text: tail });
  return out;
}

function render(nodes: Node[], dot: unknown): string {
  let out = '';
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out += node.text;
        break;
      case 'expr':
        out += show(node.eval(dot));
        break;
      case 'if':
        out += render(truthy(node.eval(dot)) ? node.body : node.otherwise, dot);
        break;
      case 'range': {
        const value = node.eval(dot);
        const items = Array.isArray(value) ? value : value && typeof value === 'object' ? Object.values(value) : [];
        out += items.length ? items.map((item) => render(node.body, item)).join('') : render(node.otherwise, dot);
        break;
      }
    }
  }
  return out;
}

/** How many arguments each function takes: [at least, at most]. */
const ARITY: Record<string, [number, number]> = {
  json: [0, 1],
  index: [1, Infinity],
  upper: [1, 1],
  lower: [1, 1],
  join: [2, 2],
  printf: [1, Infinity],
};

/**
 * An action's pipeline, as a function of dot. An unknown function or a wrong number of
 * arguments is a parse error, as in Go.
 */
function compileExpr(expr: string): Eval {
  const [head, ...rest] = splitArgs(expr);
  if (head === undefined) return () => '';
  const arity = ARITY[head];
  if (arity && (rest.length < arity[0] || rest.length > arity[1])) {
    const want = arity[0] === arity[1] ? `${arity[0]}` : arity[1] === Infinity ? `at least ${arity[0]}` : `${arity[0]} or ${arity[1]}`;
    throw new InvalidArgumentError(`template: wrong number of args for ${head}: want ${want} got ${rest.length}`);
  }
  const args = rest.map(compileValue);
  const arg = (i: number): Eval => args[i]!;
  switch (head) {
    case 'json': {
      const of = args.length ? arg(0) : (dot: unknown) => dot;
      return (dot) => JSON.stringify(of(dot));
    }
    case 'index':
      return (dot) => {
        let v = arg(0)(dot);
        for (const key of args.slice(1)) v = (v as Record<string, unknown> | undefined)?.[String(key(dot))];
        return v ?? '';
      };
    case 'upper':
      return (dot) => show(arg(0)(dot)).toUpperCase();
    case 'lower':
      return (dot) => show(arg(0)(dot)).toLowerCase();
    case 'join':
      return (dot) => (arg(0)(dot) as unknown[] | undefined)?.join(String(arg(1)(dot))) ?? '';
    case 'printf':
      return (dot) => {
        const format = String(arg(0)(dot));
        const values = args.slice(1).map((a) => a(dot));
        return format.replace(/%[sdvq]/g, (spec) => {
          const v = values.shift();
          return spec === '%q' ? JSON.stringify(show(v)) : show(v);
        });
      };
    default:
      if (rest.length > 0) throw new InvalidArgumentError(`template: function "${head}" not defined`);
      return compileValue(head);
  }
}

/** A literal, dot, or a field path such as .State.Status (matched without case as a fallback). */
function compileValue(arg: string): Eval {
  if (arg.startsWith('"')) {
    const literal: unknown = JSON.parse(arg);
    return () => literal;
  }
  if (/^-?\d+$/.test(arg)) {
    const n = Number(arg);
    return () => n;
  }
  if (arg === '.') return (dot) => dot;
  if (!arg.startsWith('.')) throw new InvalidArgumentError(`template: cannot evaluate ${JSON.stringify(arg)}`);
  const path = arg.slice(1).split('.');
  return (dot) => {
    let v: unknown = dot;
    for (const part of path) {
      if (v === null || typeof v !== 'object') return '';
      const obj = v as Record<string, unknown>;
      if (!(part in obj)) {
        const key = Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
        if (key === undefined) throw new InvalidArgumentError(`template: can't evaluate field ${part}`);
        v = obj[key];
      } else {
        v = obj[part];
      }
    }
    return v;
  };
}

function splitArgs(expr: string): string[] {
  return expr.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

/** Go's default printing: maps as map[k:v], lists as [a b]. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (typeof v === 'object') {
    return `map[${Object.entries(v as Record<string, unknown>)
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([k, x]) => `${k}:${show(x)}`)
      .join(' ')}]`;
  }
  return String(v);
}
