/**
 * Opens a report in Debian's Chromium through playwright-core (never a downloaded browser).
 * Returns what a person would notice: console errors, failed loads, broken images.
 */
import { existsSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const BASE_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export interface PageCheck {
  consoleErrors: string[];
  failedRequests: string[];
  images: { alt: string; complete: boolean; naturalWidth: number }[];
  svgBoxes: { width: number; height: number }[];
  headings: string[];
}

/** Software WebGL2 for headless Chromium without a GPU (SwiftShader through ANGLE). */
export const WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

export interface OpenedPage {
  page: Page;
  consoleErrors: string[];
  failedRequests: string[];
  close(): Promise<void>;
}

/** A page in a fresh Chromium that records console errors and failed requests. */
export async function openPage(url: string, extraArgs: string[] = []): Promise<OpenedPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, ...extraArgs] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('requestfailed', (r) => failedRequests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, consoleErrors, failedRequests, close: () => browser.close() };
}

export async function checkPage(url: string, screenshotPath: string): Promise<PageCheck> {
  const opened = await openPage(url, ['--disable-gpu']);
  try {
    const result = await opened.page.evaluate(() => ({
      images: Array.from(document.images).map((i) => ({ alt: i.alt, complete: i.complete, naturalWidth: i.naturalWidth })),
      svgBoxes: Array.from(document.querySelectorAll('.chart svg')).map((s) => {
        const r = s.getBoundingClientRect();
        return { width: r.width, height: r.height };
      }),
      headings: Array.from(document.querySelectorAll('h1, h2')).map((h) => h.textContent ?? ''),
    }));
    await opened.page.screenshot({ path: screenshotPath, fullPage: true });
    return { consoleErrors: opened.consoleErrors, failedRequests: opened.failedRequests, ...result };
  } finally {
    await opened.close();
  }
}
