/// <reference lib="dom" />
/**
 * A real browser for the console tests: playwright-core driving the Chromium of Debian's
 * packages (.ci/run installs it; nothing downloads a browser), headless, with a fresh profile.
 * Also: the axe-core and 200%-zoom checks every screen passes, and screenshots at 1280x800 (written to
 * docs/console/ only when CONSOLE_SCREENSHOTS names that folder, so a test run leaves the
 * checkout as it found it).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium), as .ci/run does.`,
    );
  const profile = mkdtempSync(join(tmpdir(), 'console-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: FLAGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page that fails the test on any script error. */
export async function newPage(browser: Browser): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('pageerror', (error) => {
    throw new Error(`The console threw: ${error.message}`);
  });
  return page;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core on the whole page, shadow roots included: no serious or critical violation. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: {
          run: (
            context: Document,
            options: object,
          ) => Promise<{
            violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: unknown }> }>;
          }>;
        };
      }
    ).axe.run(document, {
      resultTypes: ['violations'],
    });
    return result.violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      targets: nodes.map((node) => JSON.stringify(node.target)).slice(0, 3),
    }));
  });
  const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(serious, `${screen}: ${JSON.stringify(serious, null, 2)}`).toEqual([]);
}

const screenshotDir = process.env.CONSOLE_SCREENSHOTS;

/** A 1280x800 screenshot of the viewport, kept only when CONSOLE_SCREENSHOTS is set. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!screenshotDir) return;
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

/** At 200% zoom (half the CSS width), the screen still fits its width: nothing to scroll sideways. */
export async function expectReadableAtDoubleZoom(page: Page, screen: string): Promise<void> {
  await page.setViewportSize({ width: 640, height: 400 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
  expect(overflow, `${screen} scrolls sideways at 200% zoom`).toBeLessThanOrEqual(0);
}

/** What every screen must pass: the axe-core check, and readable at 200% zoom. */
export async function expectUsable(page: Page, screen: string): Promise<void> {
  await expectAccessible(page, screen);
  await expectReadableAtDoubleZoom(page, screen);
}
