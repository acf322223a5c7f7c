/**
 * The demo's per-epoch progress: a cli-progress bar with the running loss and accuracy when stdout is a
 * terminal, and plain lines (at each quarter of the epoch) when it is not (a log file, CI, a pipe).
 */
import cliProgress from "cli-progress";

/** Running figures of the epoch so far. */
export interface ProgressFigures {
  /** Mean training loss over the batches so far. */
  loss: number;
  /** Training accuracy over the samples so far, in [0, 1]. */
  accuracy: number;
}

/** Reports one epoch's progress. */
export interface EpochProgress {
  /** Called after each batch with the number of batches done. */
  update(batches: number, figures: ProgressFigures): void;
  /** Ends the epoch's display. */
  stop(): void;
}

/** Starts the display of an epoch of `total` batches. */
export function startEpochProgress(label: string, total: number, start = 0): EpochProgress {
  return process.stdout.isTTY ? new BarProgress(label, total, start) : new LineProgress(label, total);
}

function format(figures: ProgressFigures): { loss: string; acc: string } {
  return { loss: figures.loss.toFixed(4), acc: `${(100 * figures.accuracy).toFixed(1)}%` };
}

class BarProgress implements EpochProgress {
  private readonly bar: cliProgress.SingleBar;

  constructor(label: string, total: number, start: number) {
    this.bar = new cliProgress.SingleBar({
      format: `${label} {bar} {value}/{total} batches | loss {loss} | acc {acc} | {duration_formatted}`,
      stream: process.stdout,
      hideCursor: true,
      barsize: 30,
      fps: 10,
      clearOnComplete: true,
    }, cliProgress.Presets.shades_classic);
    this.bar.start(total, start, { loss: "-", acc: "-" });
  }

  update(batches: number, figures: ProgressFigures): void {
    this.bar.update(batches, format(figures));
  }

  stop(): void {
    this.bar.stop();
  }
}

class LineProgress implements EpochProgress {
  private nextQuarter = 1;

  constructor(private readonly label: string, private readonly total: number) {}

  update(batches: number, figures: ProgressFigures): void {
    if (batches >= this.total || batches < (this.nextQuarter * this.total) / 4) return;
    while (batches >= (this.nextQuarter * this.total) / 4) this.nextQuarter++;
    const { loss, acc } = format(figures);
    console.log(`${this.label} ${batches}/${this.total} batches | loss ${loss} | acc ${acc}`);
  }

  stop(): void {}
}
