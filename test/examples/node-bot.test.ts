import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLES, examplePageSuite, pageErrors } from './example-suite.js';

/** Starts the bot as a user would (`npx tsx examples/node-bot/echo-bot.ts URL ROOM`); resolves with its peer id once it joined. */
async function startBot(url: string, room: string): Promise<{ bot: ChildProcess; id: string }> {
  const bot = spawn(process.execPath, ['--import', 'tsx', join(EXAMPLES, 'node-bot', 'echo-bot.ts'), url, room], {
    cwd: join(EXAMPLES, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  bot.stdout?.setEncoding('utf8');
  const id = await new Promise<string>((resolve, reject) => {
    bot.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const joined = /joined room "[^"]*" as (\S+)/.exec(out);
      if (joined) resolve(joined[1] as string);
    });
    bot.once('exit', (code) => reject(new Error(`the bot exited (${code}) before joining: ${out}`)));
  });
  return { bot, id };
}

describe('examples/node-bot: a node-datachannel peer that echoes', () => {
  const t = examplePageSuite('vanilla');
  let bot: ChildProcess | undefined;
  afterEach(async () => {
    if (bot?.exitCode === null) {
      const exited = once(bot, 'exit');
      bot.kill('SIGTERM');
      await exited;
    }
  });

  it('joins the room, connects to a browser tab of the plain page, and sends back what the tab sends', async () => {
    const started = await startBot(t.server.signalingUrl, 'echo-room');
    bot = started.bot;
    const page = await t.open('echo-room');
    await page.locator('#status', { hasText: `Connected to ${started.id}` }).waitFor({ timeout: 30_000 });

    await page.fill('#text', 'ping 1');
    await page.press('#text', 'Enter');
    await page.fill('#text', 'ping 2');
    await page.press('#text', 'Enter');
    await page.locator('#log li', { hasText: `${started.id}: ping 2` }).waitFor();

    // Each echo follows its ping; how the two pairs interleave depends on timing.
    const lines = await page.locator('#log li').allTextContents();
    expect(lines.filter((line) => line.startsWith(`${started.id}: `))).toEqual([`${started.id}: ping 1`, `${started.id}: ping 2`]);
    expect(lines.indexOf(`${started.id}: ping 1`)).toBeGreaterThan(lines.indexOf('me: ping 1'));
    expect(pageErrors(page)).toEqual([]);
  });

  it('leaves on SIGTERM, and the tab sees it go', async () => {
    const started = await startBot(t.server.signalingUrl, 'echo-leaves');
    bot = started.bot;
    const page = await t.open('echo-leaves');
    await page.locator('#status', { hasText: `Connected to ${started.id}` }).waitFor({ timeout: 30_000 });
    const exited = once(started.bot, 'exit');
    started.bot.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    await page.locator('#status', { hasText: `${started.id} left` }).waitFor({ timeout: 30_000 });
  });
});
