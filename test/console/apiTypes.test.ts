/**
 * The console's response types (console/src/api.ts) are written by hand for its own build; the
 * server's are zod schemas, published as the OpenAPI document. This holds the two together: every
 * field the console reads exists in the server's schema with a type the schema allows, and every
 * field the console takes as always present is required there. A field renamed, retyped or made
 * optional on one side and not the other fails here, not in an auditor's browser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { openApiDocument } from '../../src/http/openapi.js';

type Schema = {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  prefixItems?: Schema[];
};

const doc = openApiDocument(1000, 'test') as unknown as { components: { schemas: Record<string, Schema> } };
const schemas = doc.components.schemas;
const resolve = (s: Schema): Schema => (s.$ref ? resolve(schemas[s.$ref.replace('#/components/schemas/', '')]!) : s);

/** Where each interface of console/src/api.ts is in the OpenAPI document: a schema, then property names and [] for items. */
const WHERE: Record<string, string[]> = {
  Me: ['Me'],
  Actor: ['Actor'],
  RequestView: ['DualControlRequest'],
  Released: ['Released'],
  LegalBasis: ['LegalBases', 'legalBases', '[]'],
  AuditRecord: ['AuditRecord'],
  ChainRead: ['ChainsRead', '[]'],
  AuditPage: ['AuditPage'],
  Verification: ['AuditVerification'],
  Checkpoint: ['Checkpoint'],
  DayCount: ['AuditStats', 'actsByRegulator', '[]'],
  AuditStats: ['AuditStats'],
};

function schemaAt(path: string[]): Schema {
  let s = resolve(schemas[path[0]!]!);
  for (const step of path.slice(1)) s = resolve(step === '[]' ? s.items! : s.properties![step]!);
  return s;
}

const source = ts.createSourceFile('api.ts', readFileSync(join(process.cwd(), 'console', 'src', 'api.ts'), 'utf8'), ts.ScriptTarget.ES2022, true);
const declared = new Map<string, ts.TypeNode | ts.InterfaceDeclaration>();
source.forEachChild((node) => {
  if (ts.isInterfaceDeclaration(node)) declared.set(node.name.text, node);
  if (ts.isTypeAliasDeclaration(node)) declared.set(node.name.text, node.type);
});

const typesOf = (s: Schema): string[] => {
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return alternatives.flatMap((a) => typesOf(resolve(a)));
  const t = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  return t.map((x) => (x === 'integer' ? 'number' : x));
};

/** The values a schema limits a string to (const or enum), or none. */
const valuesOf = (s: Schema): unknown[] => (s.anyOf ?? s.oneOf ?? [s]).map(resolve).flatMap((a) => (a.const !== undefined ? [a.const] : a.enum ?? []));

const allowsNull = (node: ts.TypeNode): boolean =>
  ts.isUnionTypeNode(node) ? node.types.some(allowsNull) : ts.isParenthesizedTypeNode(node) ? allowsNull(node.type) : ts.isLiteralTypeNode(node) && node.literal.kind === ts.SyntaxKind.NullKeyword;

/** What is wrong with the console's type `node` against the server's schema `s`, at `where`. */
function problems(node: ts.TypeNode | ts.InterfaceDeclaration, s: Schema, where: string): string[] {
  s = resolve(s);
  if (ts.isInterfaceDeclaration(node) || ts.isTypeLiteralNode(node)) {
    const alternatives = (s.anyOf ?? s.oneOf)?.map(resolve);
    if (alternatives) {
      // An object of the console against a union of the server: it must fit one alternative.
      const fits = alternatives.map((a) => problems(node, a, where));
      return fits.some((p) => p.length === 0) ? [] : fits[0]!;
    }
    if (!typesOf(s).includes('object')) return [`${where}: the console reads an object, the server gives ${typesOf(s).join('|')}`];
    const out: string[] = [];
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const name = member.name.getText();
      const field = s.properties?.[name];
      if (!field) {
        out.push(`${where}.${name}: not in the server's schema`);
        continue;
      }
      if (!member.questionToken && !(s.required ?? []).includes(name)) out.push(`${where}.${name}: the console takes it as always there, the server may leave it out`);
      const [consoleNull, serverNull] = [allowsNull(member.type), typesOf(resolve(field)).includes('null')];
      if (consoleNull !== serverNull) out.push(`${where}.${name}: ${serverNull ? 'the server may give null, the console does not expect it' : 'the console allows null, the server never gives it'}`);
      out.push(...problems(member.type, field, `${where}.${name}`));
    }
    return out;
  }
  if (ts.isUnionTypeNode(node)) {
    if (node.types.every((t) => ts.isTypeLiteralNode(t))) return node.types.flatMap((t, i) => problems(t, s, `${where}|${i}`));
    const literals = node.types.filter(ts.isLiteralTypeNode).map((t) => t.literal).filter(ts.isStringLiteral).map((l) => l.text);
    const sent = valuesOf(s);
    const unhandled = literals.length > 0 ? sent.filter((v) => !literals.includes(String(v))) : [];
    return [...node.types.flatMap((t) => problems(t, s, where)), ...unhandled.map((v) => `${where}: the server may send "${String(v)}", which the console does not expect`)];
  }
  if (ts.isParenthesizedTypeNode(node)) return problems(node.type, s, where);
  if (ts.isArrayTypeNode(node)) return typesOf(s).includes('array') ? problems(node.elementType, s.items!, `${where}[]`) : [`${where}: the console reads an array`];
  if (ts.isTupleTypeNode(node)) return typesOf(s).includes('array') ? node.elements.flatMap((e, i) => problems(e as ts.TypeNode, s.prefixItems?.[i] ?? s.items!, `${where}[${i}]`)) : [`${where}: the console reads a tuple`];
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    if (name === 'Array') return typesOf(s).includes('array') ? problems(node.typeArguments![0]!, s.items!, `${where}[]`) : [`${where}: the console reads an array`];
    const target = declared.get(name);
    if (!target) return [`${where}: type ${name} is not declared in console/src/api.ts`];
    return problems(target, s, where);
  }
  if (ts.isLiteralTypeNode(node)) {
    if (node.literal.kind === ts.SyntaxKind.NullKeyword) return typesOf(s).includes('null') ? [] : [`${where}: the console allows null, the server never gives it`];
    const value = ts.isStringLiteral(node.literal) ? node.literal.text : node.literal.getText();
    const allowed = valuesOf(s);
    if (allowed.length > 0 && !allowed.includes(value)) return [`${where}: "${value}" is not a value the server gives (${allowed.join(', ')})`];
    return typesOf(s).includes('string') ? [] : [`${where}: the console reads a string`];
  }
  const keyword = { [ts.SyntaxKind.StringKeyword]: 'string', [ts.SyntaxKind.NumberKeyword]: 'number', [ts.SyntaxKind.BooleanKeyword]: 'boolean' }[node.kind as number];
  if (keyword) return typesOf(s).includes(keyword) ? [] : [`${where}: the console reads a ${keyword}, the server gives ${typesOf(s).join('|')}`];
  return [`${where}: a type this check does not know (${ts.SyntaxKind[node.kind]})`];
}

describe("the console's response types against the server's OpenAPI schemas", () => {
  it('names every type the console declares for an answer', () => {
    const helpers = new Set(['RequestState']);
    expect([...declared.keys()].filter((n) => !helpers.has(n)).sort()).toEqual(Object.keys(WHERE).sort());
  });

  it.each(Object.entries(WHERE))('%s matches the schema at %j', (name, path) => {
    expect(problems(declared.get(name)!, schemaAt(path), name)).toEqual([]);
  });

  it('notices a drift: a field the server does not give, a type, a null or a value one side does not know', () => {
    const drifted = ts.createSourceFile('x.ts', 'interface X { client: number; gone: string; role: "service" | "regulator" | "superuser"; person: string; sectors?: string[] | null }', ts.ScriptTarget.ES2022, true);
    const x = drifted.statements[0] as ts.InterfaceDeclaration;
    const found = problems(x, schemaAt(['Me']), 'X').join('\n');
    expect(found).toMatch(/X\.client: the console reads a number/);
    expect(found).toMatch(/X\.gone: not in the server's schema/);
    expect(found).toMatch(/X\.role: "superuser" is not a value the server gives/);
    expect(found).toMatch(/X\.role: the server may send "auditor", which the console does not expect/);
    expect(found).toMatch(/X\.person: the server may give null, the console does not expect it/);
    expect(found).toMatch(/X\.sectors: the console allows null, the server never gives it/);
  });
});
