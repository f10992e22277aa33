/**
 * Clock judges token expiry in the server's time: every answer's Date header
 * records how far this device's clock is from the server's, so a laptop whose
 * clock is minutes off neither refreshes in a loop nor uses expired tokens.
 */
export class Clock {
  /** Server time minus local time, in milliseconds. */
  skew = 0;

  /** now is the current time in the server's clock, in Unix milliseconds. */
  now(): number {
    return Date.now() + this.skew;
  }

  /** observe records the skew from an HTTP Date header (ignored when absent or unreadable). */
  observe(date: string | null): void {
    const server = date ? Date.parse(date) : NaN;
    if (!Number.isNaN(server)) this.skew = server - Date.now();
  }
}
