import { InvalidArgumentError } from '@corral/core';

// Ids become directory names and runtime arguments: keep them to a safe alphabet.
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function checkId(kind: 'container' | 'exec session', id: string): string {
  if (typeof id !== 'string' || !SAFE_ID.test(id)) {
    throw new InvalidArgumentError(`invalid ${kind} id ${JSON.stringify(id)}: letters, digits, '_', '.', '-' only`, {
      details: { id },
    });
  }
  return id;
}
