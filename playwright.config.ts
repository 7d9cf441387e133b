import { randomBytes } from 'node:crypto';
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3210);
export const E2E_DATA_DIR = 'data/e2e';
/** Everything the server prints, for tests that check what reached the log. */
export const E2E_SERVER_LOG = 'data/e2e-server.log';
/** A second server on an empty database without demo data (SEED_DEMO=false): a new company's first start. */
export const E2E_FRESH_PORT = port + 1;
export const E2E_FRESH_SERVER_LOG = 'data/e2e-fresh-server.log';
const E2E_FRESH_DATA_DIR = 'data/e2e-fresh';

// One random demo password per run, shared with the workers through the environment.
process.env.E2E_DEMO_PASSWORD ??= randomBytes(12).toString('base64url');
process.env.E2E_KEK ??= randomBytes(32).toString('base64');
process.env.E2E_METRICS_TOKEN ??= randomBytes(24).toString('hex');

/** What both servers run with. */
const serverEnv: Record<string, string> = {
  DEMO_PASSWORD: process.env.E2E_DEMO_PASSWORD!,
  STRONGROOM_KEK: process.env.E2E_KEK!,
  METRICS_TOKEN: process.env.E2E_METRICS_TOKEN!,
  STRONGROOM_KEK_PREVIOUS: '',
  // Short, so one test can watch a grant expire; every flow takes a few seconds.
  STEP_UP_GRANT_SECONDS: '30',
  // The tests' OAuth servers listen on loopback.
  OUTBOUND_ALLOW_LOOPBACK: 'true',
  // Playwright's requests come from loopback and play a proxy: a test may name the client it forwards.
  TRUSTED_PROXIES: '127.0.0.1',
  NEXT_TELEMETRY_DISABLED: '1',
  // Scheduled backups on: Admin → Scheduler shows the job and "Back up now". Only the public half of a
  // key made for this (its identity was thrown away: the unit tests open backups, not this).
  BACKUP_RECIPIENT: 'age1m0hn726u9sry7lf9q9mukle3sjcdpw2yj08uegwtavsm453gdpdqz4hwh2',
  DATABASE_URL: '',
  NEXTAUTH_SECRET: '',
  NEXTAUTH_URL: '',
};

export default defineConfig({
  testDir: 'e2e',
  projects: [
    // Enrolls the demo admin's authenticator through the UI; every spec that changes secrets needs it.
    { name: 'setup', testMatch: /.*\.setup\.ts/ },
    { name: 'chromium', testIgnore: /.*\.setup\.ts/, dependencies: ['setup'] },
  ],
  fullyParallel: false,
  // A test may wait for the next TOTP time step (30 s): the server accepts each step only once.
  timeout: 120_000,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'reports/e2e.json' }]] : 'list',
  use: {
    baseURL: `http://localhost:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium (apt-get install chromium); Playwright downloads no browser here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: [
    {
      // A fresh embedded database each run; the production build, as users run it.
      command: `rm -rf ${E2E_DATA_DIR} ${E2E_SERVER_LOG} data/e2e-totp.json data/e2e-backups && npm run build && mkdir -p data && node scripts/serve.mjs 2>&1 | tee ${E2E_SERVER_LOG}`,
      url: `http://localhost:${port}/api/health`,
      timeout: 240_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      env: { ...serverEnv, DATA_DIR: E2E_DATA_DIR, PORT: String(port), BACKUP_DIR: 'data/e2e-backups' },
    },
    {
      // Started after the first one (Playwright starts web servers in order), so the build is there.
      command: `rm -rf ${E2E_FRESH_DATA_DIR} ${E2E_FRESH_SERVER_LOG} data/e2e-fresh-backups && node scripts/serve.mjs 2>&1 | tee ${E2E_FRESH_SERVER_LOG}`,
      url: `http://localhost:${E2E_FRESH_PORT}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      // Its service API gate has one slot and one queue place, so a burst is shed for real (service-api.spec.ts).
      env: { ...serverEnv, DATA_DIR: E2E_FRESH_DATA_DIR, PORT: String(E2E_FRESH_PORT), SEED_DEMO: 'false', BACKUP_DIR: 'data/e2e-fresh-backups', MAX_CONCURRENT_REQUESTS: '1', MAX_QUEUED_REQUESTS: '1' },
    },
  ],
});
