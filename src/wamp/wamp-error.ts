/**
 * A WAMP application error: thrown by an in-process procedure of the simulated router, it becomes
 * `ERROR [8, CALL, request, {}, uri, args?, kwargs?]` to the caller — as an autobahn callee's
 * `ApplicationError` does.
 */
export class WampError extends Error {
  readonly uri: string;
  readonly args: unknown[];
  readonly kwargs: Record<string, unknown>;

  constructor(uri: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) {
    super(typeof args[0] === 'string' ? `${uri}: ${args[0]}` : uri);
    this.name = 'WampError';
    this.uri = uri;
    this.args = args;
    this.kwargs = kwargs;
  }
}
