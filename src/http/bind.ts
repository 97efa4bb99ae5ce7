/**
 * Routes bound to the contract (src/http/contract.ts): a handler gets its operation's parsed
 * params, query and body and gives the response body (or, where the operation answers several
 * statuses, `{ status, body }`). Outside production every response is parsed against its schema:
 * the schema is the presenter, and a response that does not match it is a bug, answered 500 and
 * logged, never sent.
 *
 * Per path: any method the table does not list gets 405 method_not_allowed with an Allow header,
 * not 404. HEAD is not implied by GET (express's default), because a GET may be an act —
 * collecting a released result — that a HEAD must not perform; open probes may allow it.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import type { Principal } from '../access/apiKeys.js';
import { SectokenError } from '../errors.js';
import { allowOf, API, type BodyOf, type Input, type Limits, type Operation, type OperationName } from './contract.js';
import { parseBody } from './validate.js';

/** A body already serialised (the batch fast path), or text of another type (metrics). */
export class Raw {
  constructor(
    readonly contentType: string,
    readonly text: string,
  ) {}
}
export const jsonText = (text: string): Raw => new Raw('application/json', text);

type Statuses<O extends Operation> = keyof O['responses'] & number;
/** One status: the body; several: which one, and its body. */
type Result<O extends Operation> =
  | Raw
  | ([Statuses<O>] extends [200]
      ? BodyOf<O, 200>
      : { [S in Statuses<O>]: { status: S; body: BodyOf<O, S> } }[Statuses<O>]);

export interface Context {
  /** The authenticated client; /v1 only (an open path has none). */
  principal: Principal;
  req: Request;
  res: Response;
}
type Handler<O extends Operation> = (input: Input<O>, context: Context) => Result<O> | Promise<Result<O>>;

/** A handler, or one with a parse tried before the schema: a measured fast path, or a refusal the schema cannot say (413). */
export type Binding<O extends Operation> =
  Handler<O> | { fastBody: (raw: unknown) => Input<O>['body'] | undefined; handle: Handler<O> };
export type Bindings = { [K in OperationName]?: Binding<(typeof API)[K]> };

/** Responses are checked everywhere but in production (tests and development). */
const CHECK_RESPONSES = process.env.NODE_ENV !== 'production';

/** Binds the operations named in `bindings` on `router`, each path's 405 after its methods. */
export function bind(router: Router, bindings: Bindings, limits?: Limits): Router {
  const byPath = new Map<string, OperationName[]>();
  for (const name of Object.keys(bindings) as OperationName[])
    byPath.set(API[name].path, [...(byPath.get(API[name].path) ?? []), name]);
  for (const [path, names] of byPath) {
    // The 405 of a path follows all its methods: they must be bound together.
    const missing = (Object.keys(API) as OperationName[]).filter((n) => API[n].path === path && !names.includes(n));
    if (missing.length > 0) throw new Error(`bind ${missing.join(', ')} with the other operations of ${path}`);
    const allow = allowOf(path);
    const refuse: RequestHandler = (_req, res) => {
      res.setHeader('Allow', allow);
      throw new SectokenError('method_not_allowed', `this path answers ${allow} only`);
    };
    const route = router.route(path);
    for (const name of names) {
      const op: Operation = API[name];
      if (op.method === 'get' && !op.head) route.head(refuse);
      route[op.method](handlerOf(name, op, bindings[name] as unknown as Binding<Operation>, limits));
    }
    route.all(refuse);
  }
  return router;
}

function handlerOf(
  name: string,
  op: Operation,
  binding: Binding<Operation>,
  limits: Limits | undefined,
): RequestHandler {
  const { fastBody, handle } = typeof binding === 'function' ? { fastBody: undefined, handle: binding } : binding;
  const configured = (): Limits => {
    if (!limits) throw new Error(`${name}: its body schema needs the configured limits`);
    return limits;
  };
  const bodySchema = typeof op.body === 'function' ? op.body(configured()) : op.body;
  const statuses = Object.keys(op.responses).map(Number);
  return async (req, res) => {
    const input = {
      params: op.params ? parseBody(op.params, { ...req.params }) : undefined,
      query: op.query ? parseBody(op.query, { ...(req.query as object) }) : undefined,
      body:
        bodySchema && !(op.bodyOptional && req.body === undefined)
          ? (fastBody?.(req.body) ?? parseBody(bodySchema, req.body))
          : undefined,
    };
    const result = (await handle(input, {
      principal: res.locals.principal as Principal,
      req,
      res,
    })) as unknown;
    if (result instanceof Raw) {
      if (CHECK_RESPONSES && result.contentType === 'application/json') check(name, op, 200, JSON.parse(result.text));
      res.status(200).type(result.contentType).send(result.text);
      return;
    }
    const { status, body } =
      statuses.length === 1 ? { status: statuses[0]!, body: result } : (result as { status: number; body: unknown });
    if (CHECK_RESPONSES) check(name, op, status, body);
    res.status(status).json(body);
  };
}

/** A response its contract does not describe is a bug: thrown (500, logged by the error edge), never sent. */
function check(name: string, op: Operation, status: number, body: unknown): void {
  const answer = op.responses[status];
  if (!answer) throw new Error(`${name} answered ${status}, a status its contract does not list`);
  const parsed = answer.schema?.safeParse(body);
  if (parsed && !parsed.success) {
    // Paths and zod's messages only: the values may be identifiers.
    const where = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new Error(`${name} ${status}: the response does not match its schema (${where.join('; ')})`);
  }
}
