import { describe, expect, it } from 'vitest';
import { type CombinedProgress, combinedProgress, combinedProgressText, etaText } from '../../packages/cli/src/combined-progress.js';
import { IncomingGroups, type IncomingLike } from '../../packages/cli/src/incoming-groups.js';

const MiB = 1048576;

function output(isTTY: boolean) {
  let text = '';
  const err = Object.assign(
    {
      write: (chunk: string) => {
        text += chunk;
        return true;
      },
    },
    { isTTY },
  ) as unknown as NodeJS.WritableStream & { isTTY?: boolean };
  return { err, text: () => text };
}

describe('combined progress: one line for many files', () => {
  it('says bytes, rate, time left and files done', () => {
    expect(
      combinedProgressText('sending', { bytes: 84 * MiB, total: 200 * MiB, rate: 25 * MiB, etaSeconds: 4.6, files: 3, filesDone: 1 }),
    ).toBe('sending  42% 84.0/200.0 MiB 25.0 MiB/s 0:05 left, 1/3 files');
    expect(etaText(3725)).toBe('1:02:05');
    expect(etaText(null)).toBe('--:--');
  });

  it('writes a line per quarter and one at the end when stderr is not a terminal, and JSON lines with --json', () => {
    const plain = output(false);
    const report = combinedProgress({ err: plain.err }, 'receiving');
    for (let bytes = 0; bytes < 100; bytes += 5) report({ bytes, total: 100, rate: 10, etaSeconds: 1, files: 2, filesDone: 0 });
    report({ bytes: 100, total: 100, rate: 0, files: 2, filesDone: 2 });
    expect(plain.text().split('\n').filter(Boolean)).toHaveLength(5);
    const json = output(false);
    combinedProgress({ err: json.err, json: true }, 'sending')({ bytes: 1, total: 1, rate: 0, files: 1, filesDone: 1 });
    expect(JSON.parse(json.text())).toEqual({
      event: 'progress',
      label: 'sending',
      bytes: 1,
      total: 1,
      rate: 0,
      etaSeconds: null,
      files: 1,
      filesDone: 1,
    });
  });

  it('adds up the files of a group as they arrive, one line for the group', async () => {
    const reports: CombinedProgress[] = [];
    const groups = new IncomingGroups((_key, p) => reports.push(p));
    const group = { id: 'g', files: 2, bytes: 300 };
    const fake = (id: string, size: number) => {
      let progress: (p: { bytes: number; total: number; rate: number }) => void = () => {};
      let finish: () => void = () => {};
      const transfer: IncomingLike = {
        info: { id, name: id, size, type: '', chunk: 16384, hash: 'sha-256', group },
        on: (_event, listener) => {
          progress = listener;
        },
        done: new Promise<void>((resolve) => {
          finish = resolve;
        }),
      };
      return { transfer, progress: (bytes: number, rate: number) => progress({ bytes, total: size, rate }), finish: () => finish() };
    };
    const a = fake('a', 100);
    const b = fake('b', 200);
    groups.add('peer', a.transfer);
    a.progress(50, 10);
    a.finish();
    await a.transfer.done;
    groups.add('peer', b.transfer);
    b.progress(100, 20);
    b.finish();
    await b.transfer.done;
    await Promise.resolve();
    expect(reports.map(({ bytes, filesDone, rate }) => [bytes, filesDone, rate])).toEqual([
      [50, 0, 10],
      [100, 1, 0],
      [200, 1, 20],
      [300, 2, 0],
    ]);
    expect(reports[2]?.etaSeconds).toBe(5);
  });
});
