// End-to-end tests in Debian's Chromium (never a browser Playwright downloads).
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 41731);

export default defineConfig({
  testDir: 'tests',
  testMatch: '*.spec.mjs',
  // Two at a time on these 2-core machines: most tests wait on the page far more than they compute,
  // and the hashing-heavy ones only take longer (no test times anything). One at a time took
  // 15 of CI's 45 minutes. Each worker writes its generated files in a folder of its own.
  workers: 2,
  timeout: 120_000,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  globalTeardown: './tests/teardown.mjs',
  // The memory tests hash 4 GiB and 2 GiB alone, after every other test: beside another worker's
  // hashing, on a busy CI machine, the 4 GiB file once took over nine minutes.
  projects: [
    { name: 'main', testIgnore: 'memory.spec.mjs' },
    { name: 'alone', testMatch: 'memory.spec.mjs', dependencies: ['main'] },
  ],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      // Without the background-networking flags Chromium keeps dialling Google on a closed network.
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--no-first-run', '--disable-sync', '--disable-quic'],
    },
  },
  webServer: {
    command: `node tools/serve.mjs dist --port ${PORT}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
  },
});
