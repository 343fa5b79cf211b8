import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "server",
    include: ["test/**/*.test.ts"],
    // Model tests load real weights and run real inference on 2 servers.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
  },
});
