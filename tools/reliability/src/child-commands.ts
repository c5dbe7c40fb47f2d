/**
 * The child's side of the line protocol `node-child.ts` speaks: calls `onCommand` with each line the
 * parent writes to this process's stdin (trimmed, without its newline), in order. Chunks may end
 * mid-line: the rest waits for its newline. The caller splits the line into words as its commands
 * need (a line with words after a command that takes none is not that command).
 */
export function onCommandLines(onCommand: (line: string) => void): void {
  process.stdin.setEncoding('utf8');
  let pending = '';
  process.stdin.on('data', (chunk: string) => {
    pending += chunk;
    let end = pending.indexOf('\n');
    while (end >= 0) {
      const line = pending.slice(0, end).trim();
      pending = pending.slice(end + 1);
      end = pending.indexOf('\n');
      onCommand(line);
    }
  });
}
