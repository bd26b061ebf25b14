import { describe, expect, it } from 'vitest';
import { ContainerStateError, CorralError, ErrorCode, RuntimeError, codeOf, describeError, findCode, hasCode, parseSignal, signalName } from '@corral/core';

describe('errors', () => {
  it('finds a code anywhere in the cause chain', () => {
    const inner = new ContainerStateError(ErrorCode.CtrStopped, 'container web is not running');
    const outer = new RuntimeError('stop failed', { cause: new Error('wrapped', { cause: inner }) });
    expect(hasCode(outer, ErrorCode.CtrStopped)).toBe(true);
    expect(hasCode(outer, ErrorCode.NoSuchCtr)).toBe(false);
    expect(findCode(outer, ErrorCode.CtrStopped)).toBe(inner);
    expect(codeOf(outer)).toBe(ErrorCode.RuntimeError);
    expect(describeError(outer)).toBe('stop failed: wrapped: container web is not running');
  });

  it('survives a cyclic cause chain and non-errors', () => {
    const a = new CorralError(ErrorCode.Internal, 'a');
    (a as { cause?: unknown }).cause = a;
    expect(hasCode(a, ErrorCode.Timeout)).toBe(false);
    expect(hasCode('text', ErrorCode.Timeout)).toBe(false);
    expect(codeOf(undefined)).toBeUndefined();
  });
});

describe('signals (untrusted input)', () => {
  it('parses names with and without SIG, numbers and real-time signals', () => {
    expect(parseSignal('TERM')).toBe(15);
    expect(parseSignal('sigkill')).toBe(9);
    expect(parseSignal('SIGHUP')).toBe(1);
    expect(parseSignal('10')).toBe(10);
    expect(parseSignal(28)).toBe(28);
    expect(parseSignal('RTMIN+3')).toBe(37);
    expect(signalName(15)).toBe('SIGTERM');
    expect(signalName(37)).toBe('SIGRTMIN+3');
  });
  it('refuses anything else with INVALID_ARG naming it', () => {
    for (const bad of ['', 'FOO', '0', '65', '-1', '9; rm -rf /', 'SIG', '1.5', 'RTMIN+40']) {
      expect(() => parseSignal(bad)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidArg }));
    }
    expect(() => parseSignal('FOO')).toThrow(/"FOO"/);
  });
});
