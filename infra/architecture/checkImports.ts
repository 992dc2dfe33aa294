// Reads every TypeScript file of the project and lists the imports that break the design's arrows.
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, normalize, relative, sep } from "node:path";
import ts from "typescript";
import { type ImportArrow, wrongArrow, wrongModule } from "./importRules.ts";

export interface WrongImport extends ImportArrow {
  line: number;
  reason: string;
}

const SKIPPED = new Set(["node_modules", ".git", ".data", "dist", "build"]);
const SOURCE = /\.(ts|tsx|mts|js|mjs)$/;

async function sourceFiles(root: string, dir = root): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name) || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(root, path)));
    else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) files.push(path);
  }
  return files;
}

interface ImportOf {
  specifier: string;
  typeOnly: boolean;
  position: number;
}

/** `import type { A }` and `import { type A, type B }` alike; a bare `import "x"` runs code. */
function importsTypesOnly(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return (
    clause.name === undefined &&
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((element) => element.isTypeOnly)
  );
}

/** import and export … from, dynamic import() and require() with a literal specifier. */
function importsOf(file: ts.SourceFile): ImportOf[] {
  const found: ImportOf[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const typeOnly = ts.isImportDeclaration(node) ? importsTypesOnly(node.importClause) : node.isTypeOnly;
      found.push({ specifier: node.moduleSpecifier.text, typeOnly, position: node.getStart(file) });
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false, position: node.getStart(file) });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal))
        found.push({ specifier: literal.text, typeOnly: true, position: node.getStart(file) });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const posix = (path: string) => path.split(sep).join("/");

export interface CheckImportsOptions {
  /** Known wrong arrows let through; one that no longer occurs is reported, so the list only shrinks. */
  pending?: readonly { from: string; to: string }[];
}

export async function checkImports(root: string, options: CheckImportsOptions = {}): Promise<WrongImport[]> {
  const pending = new Map((options.pending ?? []).map((arrow) => [`${arrow.from} ${arrow.to}`, arrow]));
  const seen = new Set<string>();
  const wrong: WrongImport[] = [];
  for (const path of await sourceFiles(root)) {
    const from = posix(relative(root, path));
    const file = ts.createSourceFile(path, await readFile(path, "utf8"), ts.ScriptTarget.Latest, true);
    for (const { specifier, typeOnly, position } of importsOf(file)) {
      // a package or a Node module: only the file system is off limits, and only to some zones
      const local = specifier.startsWith(".");
      const to = local ? posix(relative(root, normalize(join(dirname(path), specifier)))) : specifier;
      const reason = local
        ? wrongArrow({ from, to, typeOnly })
        : typeOnly
          ? undefined
          : wrongModule(from, specifier);
      if (reason === undefined) continue;
      if (pending.has(`${from} ${to}`)) {
        seen.add(`${from} ${to}`);
        continue;
      }
      const line = file.getLineAndCharacterOfPosition(position).line + 1;
      wrong.push({ from, to, typeOnly, line, reason });
    }
  }
  for (const [key, { from, to }] of pending) {
    if (!seen.has(key))
      wrong.push({ from, to, typeOnly: false, line: 0, reason: "listed as pending but gone: strike it" });
  }
  return wrong.sort((a, b) => a.from.localeCompare(b.from) || a.line - b.line);
}
