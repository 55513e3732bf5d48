/**
 * Flushes open stores when the process exits normally or through process.exit() (e.g. a second
 * Ctrl-C), so an exit never drops a batch still waiting for its group commit. better-sqlite3 is
 * synchronous, which is what makes committing inside an 'exit' listener possible.
 * A SIGKILL, or a signal without a handler, skips this: then the un-flushed batch is lost, the
 * same as a crash, and a resumed run requests it again.
 */
export interface Flushable {
  readonly file: string;
  flush(): void;
}

const open = new Set<Flushable>();
let listening = false;

function flushAll(): void {
  for (const store of open) {
    try {
      store.flush();
    } catch (error) {
      process.stderr.write(`thinkprobe: could not save the last writes to ${store.file}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

export function flushOnExit(store: Flushable): void {
  open.add(store);
  if (!listening) {
    listening = true;
    process.on('exit', flushAll);
  }
}

export function forgetOnExit(store: Flushable): void {
  open.delete(store);
}
