import { describe, expect, it } from 'vitest';
import { examplePageSuite, pageErrors } from './example-suite.js';

describe('examples/react: the useRoom hook', () => {
  const t = examplePageSuite('react');

  it('renders two tabs that join one room through the hook and exchange a message', async () => {
    const first = await t.open('react-room');
    const second = await t.open('react-room');
    for (const page of [first, second]) await page.locator('#status', { hasText: 'Connected to' }).waitFor({ timeout: 30_000 });
    const firstId = (await first.locator('#status').textContent())?.match(/You are (\S+)\./)?.[1];
    expect(firstId).toBeDefined();

    await first.fill('#text', 'hello through a hook');
    await first.press('#text', 'Enter');
    await second.locator('#log li', { hasText: `${firstId}: hello through a hook` }).waitFor();
    expect(await first.locator('#log li').allTextContents()).toEqual(['me: hello through a hook']);
    expect([...pageErrors(first), ...pageErrors(second)]).toEqual([]);
  });

  it('shows the other tab leave when it navigates away, and disables sending', async () => {
    const first = await t.open('react-leave');
    const second = await t.open('react-leave');
    await first.locator('#status', { hasText: 'Connected to' }).waitFor({ timeout: 30_000 });
    await second.goto('about:blank');
    await first.locator('#status', { hasText: 'Waiting for another tab' }).waitFor({ timeout: 30_000 });
    expect(await first.locator('#text').isDisabled()).toBe(true);
  });
});
