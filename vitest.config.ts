import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files start real sshd/haproxy/OVN processes: two cores, so run files two at a time.
    maxWorkers: 2,
    pool: 'forks',
  },
});
