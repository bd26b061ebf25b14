import { defineConfig } from 'vitest/config';

// One vitest run over every package; each package keeps its own vitest.config.ts
// (name, timeouts, whether its tests may run in parallel with others).
export default defineConfig({
  test: {
    projects: ['packages/*'],
  },
});
