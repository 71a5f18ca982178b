import { describe, expect, it } from 'vitest';
import { examplePageSuite, pageErrors } from './example-suite.js';

describe('examples/vanilla: the plain page', () => {
  const t = examplePageSuite('vanilla');

  it('connects two tabs on the same address, and what one sends shows in the other', async () => {
    const first = await t.open('vanilla-chat');
    const second = await t.open('vanilla-chat');
    for (const page of [first, second]) await page.locator('#status', { hasText: 'Connected to' }).waitFor({ timeout: 30_000 });

    await first.fill('#text', 'hello from the first tab');
    await first.press('#text', 'Enter');
    await second.locator('#log li', { hasText: 'hello from the first tab' }).waitFor();
    await second.fill('#text', 'and back');
    await second.click('button');
    await first.locator('#log li', { hasText: 'and back' }).waitFor();

    expect(await first.locator('#log li').allTextContents()).toEqual([
      'me: hello from the first tab',
      expect.stringMatching(/: and back$/),
    ]);
    expect([...pageErrors(first), ...pageErrors(second)]).toEqual([]);
  });

  it('puts a room in the address when it has none, so the address can be shared', async () => {
    const page = await t.open();
    await page.locator('#status', { hasText: 'Waiting for another tab' }).waitFor();
    expect(new URL(page.url()).searchParams.get('room')).toMatch(/^[0-9a-f-]{8}$/);
  });
});
