import { describe, expect, it } from 'vitest';
import { AddressBook } from '../../packages/server/src/address-book.js';
import { ByteBudget } from '../../packages/server/src/byte-budget.js';
import { RateLimiter, RateLimits } from '../../packages/server/src/rate-limiter.js';
import { ResumeTokens } from '../../packages/server/src/resume-token.js';

describe('RateLimiter', () => {
  const limits = new RateLimits(10, 1000, 4);

  it('passes a burst, limits past it, calls a flood past twice the burst abusive, and refills with time', () => {
    const limiter = new RateLimiter(limits, 0);
    const verdicts = Array.from({ length: 81 }, () => limiter.take(1, 0));
    expect(verdicts.slice(0, 40).every((v) => v === 'pass')).toBe(true);
    expect(verdicts[40]).toBe('limited');
    expect(verdicts[80]).toBe('abusive');
    // Debt is paid back at 10/s: 81 taken of 40, so about 4.1 s before anything passes again.
    expect(limiter.take(1, 4000)).not.toBe('pass');
    expect(limiter.take(1, 4300)).toBe('pass');
  });

  it('counts bytes as well as messages', () => {
    const limiter = new RateLimiter(limits, 0);
    expect(limiter.take(4000, 0)).toBe('pass');
    expect(limiter.take(1, 0)).toBe('limited');
  });

  it('a copy of a spent limiter is no fresher than a join allows', () => {
    const limiter = new RateLimiter(limits, 0);
    for (let i = 0; i < 60; i++) limiter.take(1, 0);
    const copy = limiter.copy();
    expect(copy.take(1, 0)).toBe('pass');
    expect(copy.take(1, 0)).toBe('limited');
  });
});

describe('AddressBook', () => {
  it('counts connections and parked places apart, each up to the limit', () => {
    const book = new AddressBook(2, 10);
    book.connected('a');
    book.connected('a');
    expect(book.full('a')).toBe(true);
    expect(book.full('b')).toBe(false);
    expect([book.park('a'), book.park('a'), book.park('a')]).toEqual([true, true, false]);
    book.unpark('a');
    expect(book.park('a')).toBe(true);
    book.disconnected('a');
    expect(book.full('a')).toBe(false);
  });

  it('gives a new connection the spent limiter of its address, not a fresh one, and forgets the oldest addresses', () => {
    const limits = new RateLimits(10, 0, 4);
    const book = new AddressBook(0, 1);
    const spent = new RateLimiter(limits, 0);
    for (let i = 0; i < 40; i++) spent.take(1, 0);
    book.closed('a', spent, 0);
    const next = book.limiter('a', limits, 0);
    expect(next.take(1, 0)).toBe('pass');
    expect(next.take(1, 0)).toBe('limited');
    book.closed('b', spent, 0);
    // Only one address is remembered: a's is gone.
    const fresh = book.limiter('a', limits, 0);
    expect(Array.from({ length: 40 }, () => fresh.take(1, 0)).every((v) => v === 'pass')).toBe(true);
  });
});

describe('ByteBudget', () => {
  it('reserves up to its bound and no further', () => {
    const budget = new ByteBudget(100);
    expect(budget.take(60)).toBe(true);
    expect(budget.take(41)).toBe(false);
    expect(budget.used).toBe(60);
    budget.give(60);
    expect(budget.take(100)).toBe(true);
  });
});

describe('ResumeTokens', () => {
  const tokens = new ResumeTokens('a-resume-secret-0123456789');
  const claim = { room: 'r', peerId: 'p', name: 'Ada', nonce: 'n1', expiresAt: 2000 };

  it('round-trips its claim until it expires', () => {
    const token = tokens.issue(claim);
    expect(tokens.verify(token, 1000)).toEqual(claim);
    expect(tokens.verify(token, 2001)).toBeNull();
  });

  it('refuses a token signed with another key, a tampered one, and garbage, without throwing', () => {
    const token = tokens.issue(claim);
    const [payload] = token.split('.');
    expect(new ResumeTokens('another-secret-0123456789').verify(token, 1000)).toBeNull();
    expect(tokens.verify(`${payload}.${'A'.repeat(43)}`, 1000)).toBeNull();
    for (const garbage of ['', '.', 'a.b.c', 'x.y', '%%%.%%%']) expect(tokens.verify(garbage, 1000)).toBeNull();
  });
});
