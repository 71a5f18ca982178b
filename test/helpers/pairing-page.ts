import type { Page } from 'playwright-core';

const TIMEOUT = 20_000;

/** What a tab of the page shows of its peer's safety number. */
export interface ShownNumber {
  readonly digits: string;
  readonly words: string;
  readonly checked: string;
}

/** Everything a page sent or logged: request URLs, WebSocket frames it sent, console lines. */
export interface Traffic {
  readonly requests: string[];
  readonly frames: string[];
  readonly console: string[];
}

/** Records what `page` sends to the network and writes to its console, from now on. */
export function watchTraffic(page: Page): Traffic {
  const traffic: Traffic = { requests: [], frames: [], console: [] };
  page.on('request', (request) => traffic.requests.push(request.url()));
  page.on('websocket', (socket) => {
    socket.on('framesent', (frame) => traffic.frames.push(typeof frame.payload === 'string' ? frame.payload : frame.payload.toString()));
  });
  page.on('console', (message) => traffic.console.push(message.text()));
  return traffic;
}

/** Presses "Invite" and reads the link the page shows once it has started over in the new room. */
export async function invite(page: Page): Promise<{ link: string; secret: string }> {
  await page.getByTestId('invite-button').click();
  const field = page.getByTestId('invite-link');
  await field.waitFor({ timeout: TIMEOUT });
  const link = await field.inputValue();
  const secret = new URLSearchParams(new URL(link).hash.slice(1)).get('key');
  if (!secret) throw new Error(`the page's invite link has no key: ${link}`);
  return { link, secret };
}

/** Presses "Short code instead" and reads the code the page shows. */
export async function makeCode(page: Page): Promise<string> {
  await page.getByTestId('code-button').click();
  const code = page.getByTestId('invite-code');
  await code.waitFor({ timeout: TIMEOUT });
  return (await code.textContent()) ?? '';
}

/** Types `code` under "Join with code" and waits for the page to start over in its room. */
export async function typeCode(page: Page, code: string): Promise<void> {
  await page.getByTestId('code-input').fill(code);
  await Promise.all([page.waitForEvent('load'), page.getByTestId('code-join').click()]);
}

/** Waits until the page's channel is open and its safety number is checked, then reads the number. */
export async function connectedWithSafety(page: Page): Promise<ShownNumber> {
  await page.locator('.banner-connected').waitFor({ timeout: TIMEOUT });
  await page.locator('[data-testid="safety-checked"]:not([data-checked="pending"])').waitFor({ timeout: TIMEOUT });
  return {
    digits: (await page.getByTestId('safety-digits').textContent()) ?? '',
    words: (await page.getByTestId('safety-words').textContent()) ?? '',
    checked: (await page.getByTestId('safety-checked').getAttribute('data-checked')) ?? '',
  };
}
