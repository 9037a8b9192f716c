// What drives the load, chosen once from plan.load.model: virtual users (closed model, engine/vu.ts via
// virtual-users.ts) or the arrival-rate scheduler (open model, schedule.ts). engine/run.ts talks to
// either through this interface, and adds the figures only the model knows to the RunResult.
import type { Plan } from '../plan/types.ts';
import type { Recording } from '../record/recorder.ts';
import type { SelfMonitor } from '../record/self-monitor.ts';
import type { RunResult, SeriesPoint } from '../result/result.ts';
import { ArrivalScheduler, type ScheduleOptions } from './schedule.ts';
import { runArrival, runFlowUser, type Flow } from './flow.ts';
import { LoadProfile } from './stages.ts';
import { meanThinkMs } from './think.ts';
import { VirtualUsers } from './virtual-users.ts';
import type { VuContext } from './vu.ts';
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

/** `flow`: the plan's flow ready to run (each user or arrival runs iterations of it), or null for a weighted mix. */
export function createDriver(plan: Plan, ctx: VuContext, maxInflight: number, flow: Flow | null = null): LoadDriver {
  const { load } = plan;
  if (load.model === 'open') {
    const scheduler = new ArrivalScheduler(ctx, {
      rate: load.rate ?? 0,
      profile: new LoadProfile(load.rate ?? 0, load.stages),
      maxInflight,
      maxQueued: load.maxQueued,
      offset: load.arrivalOffset,
      iteration: flowArrivals(plan, ctx, flow),
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
  const users = new VirtualUsers(ctx, load.users, profile, flow === null ? undefined : (vu, leave) => runFlowUser(ctx, flow, vuNumber(plan, vu), leave));
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

/** A flow in the open model: arrival n runs iteration n (numbered from 1, as virtual users are). */
function flowArrivals(plan: Plan, ctx: VuContext, flow: Flow | null): ScheduleOptions['iteration'] {
  if (flow === null) return null;
  let arrivals = 0;
  return (intendedAt, recorder) => runArrival(ctx, flow, vuNumber(plan, ++arrivals), intendedAt, recorder);
}

/** This part's k-th user (or arrival) as the whole run numbers it: parts of a split plan never share a number. */
function vuNumber(plan: Plan, k: number): number {
  return plan.vuNumbers.offset + (k - 1) * plan.vuNumbers.stride + 1;
}

/** Closed model with --latency-correction: the recorder's expected interval adds the mean think time. */
export function expectedIntervalThinkUs(plan: Plan): number | null {
  return plan.load.latencyCorrection === 'expected-interval' ? meanThinkMs(plan.load.think) * 1000 : null;
}

const round = (value: number): number => Math.round(value * 1000) / 1000;
