/**
 * The HTML report in a real headless Chromium: the matrix renders, a filter
 * works, and a hostile client's bytes are shown, never executed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findExecutable } from '../harness/clients/which.js';

const CHROMIUM = findExecutable('chromium') ?? findExecutable('chromium-browser');
const CLI = join(import.meta.dirname, '../dist/harness/cli.js');

function conform(args: string[]): Promise<number> {
  return new Promise((resolve) => execFile(process.execPath, [CLI, ...args], (err) => resolve(err ? Number(err.code) : 0)));
}

describe.skipIf(!CHROMIUM)('HTML report in Chromium', () => {
  it('renders the case × client matrix, filters by verdict, and escapes what clients sent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conform-html-'));
    const html = join(dir, 'index.html');
    const hostile = `${process.execPath} ${join(import.meta.dirname, 'fixtures/hostile-client.mjs')}`;
    await conform([
      '--client', 'reference', '--client', 'reference --flaw skip-verify', '--client-cmd', hostile,
      '--grep', '^https\\.(certificate\\.(valid|expired)|plaintext\\.client-speaks-tls)$',
      '--html', html, '--junit', join(dir, 'junit.xml'), '--json', join(dir, 'results.json'), '--artifacts-dir', join(dir, 'cases'),
    ]);
    // Several clients: each keeps its failed cases' artifacts in a folder of its own.
    expect((await readdir(join(dir, 'cases'))).length).toBeGreaterThanOrEqual(2);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(pathToFileURL(html).href);
      // The matrix: one header cell per client, one row per case.
      const headers = await page.locator('#matrix th').allTextContents();
      expect(headers).toEqual(['case', 'reference', 'reference --flaw skip-verify', hostile]);
      expect(await page.locator('#matrix tr').count()).toBe(1 + 3);
      const shot = join(dir, 'matrix.png');
      await page.locator('#matrix-section').screenshot({ path: shot });
      expect((await stat(shot)).size).toBeGreaterThan(2000);
      const box = await page.locator('#matrix').boundingBox();
      expect(box!.width).toBeGreaterThan(300);

      // Filter to failures: every case shown failed.
      await page.selectOption('#f-status', 'fail');
      const classes = await page.locator('#cases details').evaluateAll((nodes) => nodes.map((n) => n.className));
      expect(classes.length).toBeGreaterThan(0);
      expect(classes.every((c) => c.includes('fail'))).toBe(true);

      // The hostile client's markup is text in the page, and nothing ran.
      const text = (await page.locator('#cases').textContent()) ?? '';
      expect(text).toContain('<script>alert');
      expect(await page.locator('#cases script').count()).toBe(0);
      expect(dialogs).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
