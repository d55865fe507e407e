/**
 * The HTML report in a real headless Chromium: the exit status and counts on
 * top, failures first, the matrix with levels and links to details and
 * artifacts, a filter that works, and a hostile client's bytes shown, never
 * executed.
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
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args], (err) => resolve(err ? Number(err.code) : 0)),
  );
}

describe.skipIf(!CHROMIUM)('HTML report in Chromium', () => {
  it('renders the case × client matrix, filters by verdict, and escapes what clients sent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conform-html-'));
    const html = join(dir, 'index.html');
    const hostile = `${process.execPath} ${join(import.meta.dirname, 'fixtures/hostile-client.mjs')}`;
    await conform([
      '--client',
      'reference',
      '--client',
      'reference --flaw skip-verify',
      '--client-cmd',
      hostile,
      '--grep',
      '^https\\.(certificate\\.(valid|expired)|plaintext\\.client-speaks-tls)$',
      '--html',
      html,
      '--junit',
      join(dir, 'junit.xml'),
      '--json',
      join(dir, 'results.json'),
      '--artifacts-dir',
      join(dir, 'cases'),
    ]);
    // Several clients: each keeps its failed cases' artifacts in a folder of its own.
    expect((await readdir(join(dir, 'cases'))).length).toBeGreaterThanOrEqual(2);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
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

      // At the top: the run's exit status, and counts per client (with what each client is) and per protocol.
      expect(await page.locator('#verdict').textContent()).toMatch(/^exit 1: \d+ failure\(s\) fail the run/);
      const clientRows = await page
        .locator('#by-client tr')
        .evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
      expect(clientRows[0]).toEqual([
        'client',
        'version (or command)',
        'passed',
        'failed',
        'should not met',
        'skipped',
        'expected failures',
        'errors',
      ]);
      expect(clientRows.slice(1).map((r) => r[0])).toEqual(['reference', 'reference --flaw skip-verify', hostile]);
      expect(clientRows[1]![1]).toMatch(/^conform reference client \d+\.\d+\.\d+ on Node\.js v\d+/);
      // A --client-cmd client cannot be asked its version: the page shows its command.
      expect(clientRows[3]![1]).toBe(hostile);
      expect(clientRows[1]!.slice(2)).toEqual(['3', '0', '0', '0', '0', '0']);
      expect(Number(clientRows[2]![3])).toBeGreaterThanOrEqual(1);
      const protocolRows = await page
        .locator('#by-protocol tr')
        .evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
      expect(protocolRows.map((r) => r[0])).toEqual(['protocol', 'https']);

      // Failures first: in the list, no failing case after one that does not fail.
      const order = await page
        .locator('#cases details')
        .evaluateAll((nodes) =>
          nodes.map((n) => /\b(fail|error)\b/.test(n.className) && !n.className.includes('noted')),
        );
      expect(order[0]).toBe(true);
      expect(order.indexOf(false)).toBeGreaterThan(0);
      expect(order.slice(order.indexOf(false))).not.toContain(true);
      // The matrix rows follow: the first row has a failing cell.
      expect(await page.locator('#matrix tr:nth-child(2) td.fail').count()).toBeGreaterThan(0);

      // Every cell says the case's level, and links to its details.
      const cells = await page
        .locator('#matrix td:not(:first-child)')
        .evaluateAll((tds) =>
          tds.map((td) => [td.querySelector('.lvl')?.textContent, td.querySelector('a.to-case')?.getAttribute('href')]),
        );
      expect(cells).toHaveLength(9);
      for (const [level, href] of cells) {
        expect(['must', 'should', 'info']).toContain(level);
        expect(href).toMatch(/^#case-https\./);
      }
      const failing = page.locator('#matrix td.fail a.to-case').first();
      const target = (await failing.getAttribute('href'))!.slice(1);
      expect(await page.locator(`[id="${target}"]`).getAttribute('open')).toBeNull();
      await failing.click();
      await page.waitForFunction(
        (id) => (document.getElementById(id) as HTMLDetailsElement | null)?.open === true,
        target,
      );

      // A failed cell links to the artifacts the case kept, a folder beside the page.
      const files = await page.locator('#matrix td.fail a.files').first().getAttribute('href');
      expect(files).toMatch(/^cases\/[^/]+\/https\.[^/]+\/$/);
      expect((await readdir(join(dir, decodeURIComponent(files!)))).sort()).toEqual(
        expect.arrayContaining(['events.json', 'keylog.txt', 'transcript.txt']),
      );

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
