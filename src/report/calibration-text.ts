// `loadhttp calibrate` output: one row per step, then the ceiling per protocol in words.
import { ceilings, type CalibrationStep } from '../result/calibration.ts';
import { formatCount, formatMs } from './format.ts';
import { painter } from './paint.ts';
import { renderTextTable } from './text-table.ts';

const COLUMNS = ['protocol', 'users', 'req/s', 'P50', 'P99', 'loop P99', 'CPU', 'saturated'];

function calibrationRow(step: CalibrationStep): string[] {
  return [
    step.protocol,
    String(step.concurrency),
    formatCount(step.rps),
    formatMs(step.p50Ms),
    formatMs(step.p99Ms),
    formatMs(step.eventLoopDelayP99Ms),
    `${Math.round(step.cpuPercent)}%`,
    step.errors > 0 ? `errors: ${step.errors}` : step.saturated ? 'yes' : 'no',
  ];
}


const ALIGN = ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'] as const;

export function renderCalibration(steps: readonly CalibrationStep[]): string {
  const lines = [renderTextTable(COLUMNS, steps.map(calibrationRow), painter(false), { align: ALIGN, indent: 0 }), ''];
  for (const best of ceilings(steps)) {
    lines.push(
      `${best.protocol}: this machine generates up to ~${formatCount(best.rps)} req/s (${best.concurrency} users, ` +
        `loopback, smallest response). Keep real tests well below it (about 70%), or spread the load over more processes.`,
    );
  }
  lines.push('Saturated steps are limited by this machine (event-loop delay P99 or CPU over the limits), as any run would be.');
  return `${lines.join('\n')}\n`;
}
