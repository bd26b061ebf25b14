import { execFileSync } from 'node:child_process';

/**
 * A real terminal for tests of interactive use: a detached tmux session running a
 * shell command, keys typed into it, its screen read back.
 */
export class TmuxSession {
  constructor(readonly name: string) {}

  /** Starts `command` in a new session of `width` x `height` cells. */
  start(command: string, width = 100, height = 30): void {
    this.tmux('new-session', '-d', '-s', this.name, '-x', String(width), '-y', String(height), command);
  }

  /** Replaces what runs in the session with `command`. */
  respawn(command: string): void {
    this.tmux('respawn-pane', '-k', '-t', this.name, command);
  }

  /** Types keys, in tmux's names ('Enter', 'C-p', or plain text). */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  screen(): string {
    return this.tmux('capture-pane', '-t', this.name, '-p');
  }

  /** Waits until the screen shows `text` (10 s at most) and returns the screen. */
  async shows(text: string): Promise<string> {
    let screen = '';
    for (let i = 0; i < 100; i++) {
      screen = this.screen();
      if (screen.includes(text)) return screen;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the terminal never showed ${JSON.stringify(text)}:\n${screen}`);
  }

  /** Ends the session; one already gone is fine. */
  kill(): void {
    try {
      this.tmux('kill-session', '-t', this.name);
    } catch {
      // already gone
    }
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', args, { encoding: 'utf8' });
  }
}
