// What drives the load, chosen once from plan.load.model: virtual users (closed model, engine/vu.ts via
// virtual-users.ts) or the arrival-rate scheduler (open model, schedule.ts). engine/run.ts talks to
// either through this interface, and adds the figures only the model knows to the RunResult.
import type { Plan } from '../plan/types.ts';
import type { Recording } from '../record/recorder.ts';
import type { SelfMonitor } from '../record/self-monitor.ts';
import type { RunResult, SeriesPoint } from '../result/result.ts';
import { ArrivalScheduler } from './schedule.ts';
import { LoadProfile } from './stages.ts';
import { meanThinkMs } from './think.ts';
import { VirtualUsers } from './virtual-users.ts';
import type { FlowEntries, VuContext } from './vu.ts';
import type { StopReason } from './stop.ts';

export interface LoadDriver {
  /** Starts the load; resolves when it has stopped and every request sent has settled. */
  run(): Promise<void>;
  /** The measured window begins (stages start here). */
  beginMeasuring(now: number): void;
  /** No new request from now on (the open model still sends what it queued if `reason` is 'iterations'). */
  stop(reason: StopReason): void;
  /** Fields for the current second of the series. */
  perSecond(): Partial<SeriesPoint>;
  /** The model's own RunResult fields, once the run is over. */
  fields(recording: Recording, monitor: SelfMonitor): Partial<RunResult>;
}

/** `flows`: the plan's flow entries ready to run (engine/flow.ts), or null for a plain mix. */
export function createDriver(plan: Plan, ctx: VuContext, maxInflight: number, flows: FlowEntries | null = null): LoadDriver {
  const { load } = plan;
  if (load.model === 'open') {
    const scheduler = new ArrivalScheduler(ctx, {
      rate: load.rate ?? 0,
      profile: new LoadProfile(load.rate ?? 0, load.stages),
      maxInflight,
      maxQueued: load.maxQueued,
      offset: load.arrivalOffset,
      flows,
    });
    return {
      run: () => {
        scheduler.start();
        return scheduler.done;
      },
      beginMeasuring: (now) => scheduler.beginMeasuring(now),
      // -n N: the N requests scheduled are all owed, so those still queued are sent (within the graceful stop).
      stop: (reason) => scheduler.stop(reason === 'iterations'),
      perSecond: () => scheduler.perSecond(),
      fields: (recording, monitor) => {
        const { windowMs, scheduled, targetRps, achievedRps } = scheduler.figures();
        const generator = monitor.stop(recording.scheduleLagMs.p90);
        const lagging = generator.reasons.some((reason) => reason.includes('schedule'));
        return {
          latencyCorrection: 'intended-start',
          scheduleLagMs: recording.scheduleLagMs,
          arrival: {
            windowMs: round(windowMs),
            scheduled,
            targetRps: round(targetRps),
            achievedRps: round(achievedRps),
            dropped: recording.total.counts.dropped ?? 0,
            maxQueued: load.maxQueued,
            behind: lagging,
          },
          generator,
        };
      },
    };
  }
  const profile = load.stages.length > 0 ? new LoadProfile(load.users, load.stages) : null;
  const users = new VirtualUsers(ctx, load.users, profile, flows);
  return {
    run: () => users.run(),
    beginMeasuring: (now) => users.beginMeasuring(now),
    stop: () => users.stop(),
    perSecond: () => users.perSecond(),
    fields: (recording, monitor) => {
      const fields: Partial<RunResult> = { latencyCorrection: load.latencyCorrection, generator: monitor.stop(null) };
      if (recording.expectedIntervalMs !== null) fields.expectedIntervalMs = recording.expectedIntervalMs;
      return fields;
    },
  };
}

/** Closed model with --latency-correction: the recorder's expected interval adds the mean think time. */
export function expectedIntervalThinkUs(plan: Plan): number | null {
  return plan.load.latencyCorrection === 'expected-interval' ? meanThinkMs(plan.load.think) * 1000 : null;
}

const round = (value: number): number => Math.round(value * 1000) / 1000;
