/**
 * Runs the long jobs (indexing, replay, filter scans) a slice at a time between the terminal's events:
 * each step gets a time budget, then the loop yields with setImmediate so keys and renders go first.
 * The jobs take turns (a filter scan does not wait for a long replay unless it reads verdicts).
 * `onProgress` is called at most every `progressMs` (250 ms) and when a job ends.
 */
export type Step = (budgetMs: number) => boolean;

interface Job {
  name: string;
  step: Step;
}

export class Background {
  private jobs: Job[] = [];
  /** Whose turn it is. */
  private turn = 0;
  private running = false;
  private stopped = false;
  private lastProgress = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly onProgress: () => void,
    private readonly budgetMs = 16,
    /** A progress render costs a full screen: a few a second are enough for a progress bar. */
    private readonly progressMs = 250,
  ) {}

  /** Adds a job (a job of the same name is replaced: a new filter cancels the previous scan). */
  add(name: string, step: Step): void {
    this.jobs = this.jobs.filter((j) => j.name !== name);
    this.jobs.push({ name, step });
    this.kick();
  }

  cancel(name: string): void {
    this.jobs = this.jobs.filter((j) => j.name !== name);
  }

  get busy(): boolean {
    return this.jobs.length > 0;
  }

  /** Resolves when no job is left (tests). */
  idle(): Promise<void> {
    if (this.jobs.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.jobs = [];
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    setImmediate(() => this.tick());
  }

  private tick(): void {
    this.running = false;
    if (this.stopped) return;
    if (this.jobs.length === 0) return;
    const job = this.jobs[this.turn % this.jobs.length];
    this.turn++;
    let ended = false;
    try {
      ended = job.step(this.budgetMs);
    } catch (e) {
      this.stop();
      throw e;
    }
    if (ended) this.jobs = this.jobs.filter((j) => j !== job);
    const now = performance.now();
    if (ended || now - this.lastProgress >= this.progressMs) {
      this.lastProgress = now;
      this.onProgress();
    }
    if (this.jobs.length === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
      return;
    }
    this.kick();
  }
}
