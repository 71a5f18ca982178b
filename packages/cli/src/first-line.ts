/**
 * The first line of `stream` (without its line break), what follows it put back for later readers;
 * at most `maxBytes` (a link is short), and the whole input if it has no line break. For
 * `icebreaker peer --receive -`: a link pasted at a prompt or piped in stays out of the process's
 * command line, which every user of the machine can read (`/proc/<pid>/cmdline`), and of shell history.
 */
export function firstLine(stream: NodeJS.ReadableStream, maxBytes = 8192): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: Error) => {
      stream.off('readable', take);
      stream.off('end', ended);
      stream.off('error', done);
      if (error) reject(error);
    };
    const ended = () => {
      done();
      resolve(Buffer.concat(chunks).toString('utf8').trim());
    };
    const take = () => {
      for (let chunk = stream.read() as Buffer | string | null; chunk !== null; chunk = stream.read() as Buffer | string | null) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        const newline = bytes.indexOf(10);
        if (newline !== -1) {
          chunks.push(bytes.subarray(0, newline));
          if (newline + 1 < bytes.length) stream.unshift(bytes.subarray(newline + 1));
          done();
          resolve(Buffer.concat(chunks).toString('utf8').trim());
          return;
        }
        chunks.push(bytes);
        size += bytes.length;
        if (size > maxBytes) {
          done(
            new TypeError(
              `--receive -: expected a link or a code on the first line of stdin, got more than ${maxBytes} bytes without a line break`,
            ),
          );
          return;
        }
      }
    };
    stream.on('readable', take);
    stream.once('end', ended);
    stream.once('error', done);
    take();
  });
}
