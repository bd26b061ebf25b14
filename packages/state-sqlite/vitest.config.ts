import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'state-sqlite', include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
});
