// The official SDK's resource methods and the RPCs they post to, read from the SDK's own files with
// the TypeScript compiler API — no hand-written table, so an SDK upgrade that adds, renames or
// re-routes a method shows up by itself:
//
// - the declaration files (client.d.ts, resources/**/*.d.ts) give the resource tree (`Gitpod`'s
//   properties that are APIResource classes, and theirs) and each method's signature:
//   `create(body: EnvironmentCreateParams, …): APIPromise<EnvironmentCreateResponse>` or
//   `list(params: EnvironmentListParams, …): PagePromise<EnvironmentsEnvironmentsPage, Environment>`;
// - the compiled JavaScript beside each declaration file gives the RPC a method posts to, from the
//   call in its body: `this._client.post('/gitpod.v1.EnvironmentService/CreateEnvironment', …)`,
//   and the parameters it moves to the URL query: `getAPIList(…, { query: { token, pageSize }, body, … })`.
//   The JavaScript is parsed (ts.createSourceFile), not matched with a regex, so line breaks and
//   argument layout do not matter.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import ts from "typescript";

/** A type the SDK declares, with the name its declaration files give it. */
export interface SdkType {
  /** "EnvironmentCreateParams", or "EnvironmentsPage<Environment>" for a page of a paginated list. */
  readonly name: string;
  readonly type: ts.Type;
}

/** One SDK resource method that posts to an RPC of package gitpod.v1. */
export interface SdkRpcMethod {
  /** The method's place below the client: "environments.automations.tasks.executions.list". */
  readonly path: string;
  /** "gitpod.v1.EnvironmentService" */
  readonly service: string;
  /** "CreateEnvironment" */
  readonly rpc: string;
  /** The method's first parameter: the request body plus any query parameters. */
  readonly params: SdkType | undefined;
  /** Properties of `params` the method sends in the URL query, not the body ("token", "pageSize"). */
  readonly queryParams: readonly string[];
  /** What the method resolves to: the response interface, or the page class of a paginated list; undefined for `unknown`. */
  readonly response: SdkType | undefined;
  /** Whether `response` is a page (the method returns a PagePromise and iterates its items). */
  readonly paginated: boolean;
}

export interface SdkDeclarations {
  /** The directory of the installed @gitpod/sdk package. */
  readonly sdkDir: string;
  readonly checker: ts.TypeChecker;
  /** Every resource method below the client whose body calls a /gitpod.v1.* path, sorted by path. */
  readonly methods: readonly SdkRpcMethod[];
}

const rpcPath = /^\/(gitpod\.v1\.\w+)\/(\w+)$/;

/** What a method's compiled body calls: the RPC path and the names it puts in the URL query. */
interface RpcCall {
  readonly service: string;
  readonly rpc: string;
  readonly queryParams: string[];
}

/** The `this._client.<verb>('/gitpod.v1.…', { query: {…}, … })` call of each method, by "Class.method". */
function rpcCallsOfJavaScript(file: string): Map<string, RpcCall> {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const calls = new Map<string, RpcCall>();
  const propertyName = (p: ts.ObjectLiteralElementLike): string | undefined => (p.name && ts.isIdentifier(p.name) ? p.name.text : undefined);
  for (const statement of source.statements) {
    if (!ts.isClassDeclaration(statement) || !statement.name) continue;
    for (const member of statement.members) {
      if (!ts.isMethodDeclaration(member) || !member.body || !ts.isIdentifier(member.name)) continue;
      let call: RpcCall | undefined;
      const visit = (node: ts.Node): void => {
        if (call) return;
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.expression.getText(source) === "this._client") {
          const [path] = node.arguments;
          const match = path && ts.isStringLiteral(path) ? rpcPath.exec(path.text) : null;
          if (match) {
            const query = node.arguments
              .filter(ts.isObjectLiteralExpression)
              .flatMap((o) => o.properties)
              .find((p) => propertyName(p) === "query");
            const queryParams = query && ts.isPropertyAssignment(query) && ts.isObjectLiteralExpression(query.initializer)
              ? query.initializer.properties.map(propertyName).filter((n): n is string => n !== undefined)
              : [];
            call = { service: match[1]!, rpc: match[2]!, queryParams };
            return;
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(member.body);
      if (call) calls.set(`${statement.name.text}.${member.name.text}`, call);
    }
  }
  return calls;
}

function extendsApiResource(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (!(type.flags & ts.TypeFlags.Object) || !((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Class)) return false;
  return (checker.getBaseTypes(type as ts.InterfaceType) ?? []).some(
    (base) => base.getSymbol()?.name === "APIResource" || extendsApiResource(checker, base),
  );
}

/** The type a method resolves to, from its declared return type `APIPromise<T>` or `PagePromise<Page, Item>`. */
function responseOf(checker: ts.TypeChecker, method: ts.MethodDeclaration): { response: SdkType | undefined; paginated: boolean } {
  const returned = method.type;
  if (!returned || !ts.isTypeReferenceNode(returned)) throw new Error(`${method.name.getText()}: no declared return type`);
  const [first, second] = returned.typeArguments ?? [];
  const promise = returned.typeName.getText();
  if (!first) throw new Error(`${method.name.getText()}: ${promise} without type arguments`);
  if (promise === "PagePromise") {
    const page = checker.getTypeFromTypeNode(first);
    const item = second ? second.getText() : "unknown";
    return { response: { name: `${page.getSymbol()?.name ?? first.getText()}<${item}>`, type: page }, paginated: true };
  }
  if (promise !== "APIPromise") throw new Error(`${method.name.getText()}: unexpected return type ${promise}`);
  if (first.kind === ts.SyntaxKind.UnknownKeyword) return { response: undefined, paginated: false };
  // A stream (`APIPromise<JSONLDecoder<T>>`) yields messages of type T: compare T.
  if (ts.isTypeReferenceNode(first) && first.typeName.getText() === "JSONLDecoder" && first.typeArguments?.[0]) {
    const element = first.typeArguments[0];
    return { response: { name: element.getText(), type: checker.getTypeFromTypeNode(element) }, paginated: false };
  }
  return { response: { name: first.getText(), type: checker.getTypeFromTypeNode(first) }, paginated: false };
}

/** Reads the installed @gitpod/sdk: its resource tree, method signatures and RPC paths. */
export function readSdkDeclarations(): SdkDeclarations {
  // The package's "exports" map does not expose ./package.json, so resolve its main entry (index.js).
  const sdkDir = dirname(createRequire(import.meta.url).resolve("@gitpod/sdk"));
  const clientFile = join(sdkDir, "client.d.ts");
  const program = ts.createProgram([clientFile], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ["lib.es2022.d.ts"],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const checker = program.getTypeChecker();
  const client = program
    .getSourceFile(clientFile)
    ?.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === "Gitpod");
  if (!client?.name) throw new Error(`no declaration of class Gitpod in ${clientFile}`);

  const callsByFile = new Map<string, Map<string, RpcCall>>();
  const callOf = (classDeclaration: ts.ClassDeclaration, method: string): RpcCall | undefined => {
    const js = classDeclaration.getSourceFile().fileName.replace(/\.d\.ts$/, ".js");
    let calls = callsByFile.get(js);
    if (!calls) callsByFile.set(js, (calls = rpcCallsOfJavaScript(js)));
    return calls.get(`${classDeclaration.name?.text}.${method}`);
  };

  const methods: SdkRpcMethod[] = [];
  const walk = (resource: ts.Type, path: string): void => {
    for (const property of checker.getPropertiesOfType(resource)) {
      const declaration = property.valueDeclaration;
      const here = path === "" ? property.name : `${path}.${property.name}`;
      if (declaration && ts.isPropertyDeclaration(declaration)) {
        const type = checker.getTypeOfSymbol(property);
        if (extendsApiResource(checker, type)) walk(type, here);
      } else if (path !== "" && declaration && ts.isMethodDeclaration(declaration) && ts.isClassDeclaration(declaration.parent)) {
        const call = callOf(declaration.parent, property.name);
        if (!call) continue;
        const first = declaration.parameters[0]?.type;
        const params = first ? { name: first.getText(), type: checker.getTypeFromTypeNode(first) } : undefined;
        methods.push({ path: here, service: call.service, rpc: call.rpc, params, queryParams: call.queryParams, ...responseOf(checker, declaration) });
      }
    }
  };
  walk(checker.getDeclaredTypeOfSymbol(checker.getSymbolAtLocation(client.name)!), "");
  methods.sort((a, b) => a.path.localeCompare(b.path));
  return { sdkDir, checker, methods };
}
