// The undici transport: one shared Pool for the whole run, chosen and configured once.
// Requests go through `dispatch` with a handler that discards body chunks (no stream per response).
import { Pool, buildConnector } from 'undici';
import type { Dispatcher } from 'undici';
import type { Socket } from 'node:net';
import { RunError } from '../errors.ts';
import { classifyError, describeError } from '../record/classify.ts';
import {
  RequestTimeoutError,
  type PreparedRequest,
  type SendOutcome,
  type Transport,
  type TransportStats,
  type WireProtocol,
} from './transport.ts';

export interface TransportOptions {
  target: string;
  connections: number;
  pipelining: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

/** One request in flight: the undici handler, and the promise it settles. */
class InFlight implements Dispatcher.DispatchHandler {
  status = 0;
  bytes = 0;
  headersAt = 0;
  deadline: number;
  controller: Dispatcher.DispatchController | null = null;
  pendingAbort: Error | null = null;
  private readonly owner: UndiciTransport;
  private readonly resolve: (outcome: SendOutcome) => void;
  private readonly reject: (error: Error) => void;

  constructor(owner: UndiciTransport, deadline: number, resolve: (o: SendOutcome) => void, reject: (e: Error) => void) {
    this.owner = owner;
    this.deadline = deadline;
    this.resolve = resolve;
    this.reject = reject;
  }

  abort(reason: Error): void {
    if (this.controller) this.controller.abort(reason);
    else this.pendingAbort = reason;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort) controller.abort(this.pendingAbort);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.headersAt = performance.now();
    this.status = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
  }

  onResponseEnd(): void {
    const endAt = performance.now();
    this.owner.inFlight.delete(this);
    this.resolve({ status: this.status, bytes: this.bytes, headersAt: this.headersAt, endAt });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.owner.inFlight.delete(this);
    this.reject(error);
  }
}

class UndiciTransport implements Transport {
  readonly inFlight = new Set<InFlight>();
  private readonly pool: Pool;
  private readonly options: TransportOptions;
  private readonly connector: buildConnector.connector;
  private readonly origin: URL;
  private opened = 0;
  private readonly protocols: Partial<Record<WireProtocol, number>> = {};
  /** The socket preflight() opened, handed to the pool's first connection attempt. */
  private spare: Socket | null = null;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: TransportOptions) {
    this.options = options;
    this.origin = new URL(options.target);
    this.connector = buildConnector({ timeout: options.connectTimeoutMs, allowH2: false });
    this.pool = new Pool(options.target, {
      connections: options.connections,
      pipelining: options.pipelining,
      // undici's per-request timers are off: one coarse sweep below bounds every request instead.
      headersTimeout: 0,
      bodyTimeout: 0,
      allowH2: false,
      connect: (connectOptions, callback) => this.connect(connectOptions, callback),
    });
    // The sweep period is a small fraction of the timeout, so a timeout fires within ~5% of its value.
    const period = Math.min(Math.max(options.requestTimeoutMs / 20, 5), 100);
    this.sweeper = setInterval(() => this.sweep(), period).unref();
  }

  private connect(connectOptions: buildConnector.Options, callback: buildConnector.Callback): void {
    const spare = this.spare;
    this.spare = null;
    if (spare && !spare.destroyed) {
      // undici expects the connector to call back asynchronously, as a real connect does.
      process.nextTick(callback, null, spare);
      return;
    }
    this.connector(connectOptions, (error, socket) => {
      if (!error && socket) this.countConnection(socket);
      callback(error as Error & null, socket as Socket & null);
    });
  }

  private countConnection(socket: Socket): void {
    this.opened++;
    const protocol: WireProtocol = (socket as Socket & { alpnProtocol?: string | false }).alpnProtocol === 'h2' ? 'h2' : 'h1';
    this.protocols[protocol] = (this.protocols[protocol] ?? 0) + 1;
  }

  preflight(): Promise<void> {
    const { hostname, host, protocol, port } = this.origin;
    return new Promise((resolve, reject) => {
      this.connector({ hostname, host, protocol, port, servername: null } as unknown as buildConnector.Options, (error, socket) => {
        if (error || !socket) {
          const cause = error ?? new Error('no socket');
          reject(new RunError(classifyError(cause), `cannot connect to ${this.origin.origin}: ${describeError(cause)}`));
          return;
        }
        this.countConnection(socket);
        this.spare = socket;
        resolve();
      });
    });
  }

  send(request: PreparedRequest): Promise<SendOutcome> {
    return new Promise((resolve, reject) => {
      const handler = new InFlight(this, performance.now() + this.options.requestTimeoutMs, resolve, reject);
      this.inFlight.add(handler);
      this.pool.dispatch(request as Dispatcher.DispatchOptions, handler);
    });
  }

  private sweep(): void {
    if (this.inFlight.size === 0) return;
    const now = performance.now();
    for (const handler of this.inFlight) {
      if (handler.deadline <= now) {
        handler.deadline = Infinity;
        handler.abort(new RequestTimeoutError(`no complete response within ${this.options.requestTimeoutMs} ms`));
      }
    }
  }

  abortAll(reason: Error): void {
    for (const handler of [...this.inFlight]) handler.abort(reason);
  }

  stats(): TransportStats {
    return { opened: this.opened, protocols: { ...this.protocols } };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.spare?.destroy();
    await this.pool.destroy();
  }
}

export function createTransport(options: TransportOptions): Transport {
  return new UndiciTransport(options);
}
