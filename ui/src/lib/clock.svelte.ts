// The current time for relative labels ("2 min ago"). It ticks every 30 s only to re-render
// those labels: data is never polled, it arrives through the shell's change event.

class Clock {
  now = $state(Date.now());
  private timer: ReturnType<typeof setInterval> | undefined;
  private users = 0;

  /** Starts ticking while anyone uses it; returns the stop function for `$effect`. */
  use(): () => void {
    this.now = Date.now();
    if (this.users++ === 0) this.timer = setInterval(() => (this.now = Date.now()), 30_000);
    return () => {
      if (--this.users === 0) clearInterval(this.timer);
    };
  }
}

export const clock = new Clock();
