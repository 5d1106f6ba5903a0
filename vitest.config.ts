import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Integration tests start real servers and SQLite files; keep them from starving each other
    // on a 2-core machine.
    maxWorkers: 2,
  },
})
