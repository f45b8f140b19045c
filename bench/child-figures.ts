/**
 * What each benchmark child measures about itself: call `startClock()` right before the work and
 * `figures()` right after, so both contenders are timed and sized the same way.
 */
export interface Clock {
  readonly started: number;
  readonly cpu: NodeJS.CpuUsage;
}

export function startClock(): Clock {
  return { started: performance.now(), cpu: process.cpuUsage() };
}

/** Wall and CPU seconds since the clock started, and this process's peak RSS so far. */
export function figures(clock: Clock): { seconds: number; cpuSeconds: number; maxRssMb: number } {
  const seconds = (performance.now() - clock.started) / 1000;
  const used = process.cpuUsage(clock.cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}
