import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { ErrorCode, SignalboxError } from "../errors.ts";
import { packageFile, packageRoot } from "../package-files.ts";
import { type CliIo, write } from "./cli-io.ts";
import { scaffoldFiles } from "./scaffold-files.ts";

interface OwnManifest {
  readonly version: string;
  readonly dependencies: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

/** signalbox's own package.json. */
function ownManifest(): OwnManifest {
  return JSON.parse(readFileSync(packageFile("package.json"), "utf8")) as OwnManifest;
}

/**
 * What a new project depends on for signalbox by default: `file:` the package that is
 * running `init` (a checkout, or the copy npx or a tarball installed). signalbox is not on
 * the npm registry, so `^<version>` would not install; a `file:` dependency does, offline.
 * `--signalbox` overrides it (a tarball from `npm pack`, or a range once it is published).
 */
export function defaultSignalboxDependency(): string {
  return `file:${packageRoot()}`;
}

/** A valid npm package name from a directory name. */
function packageName(directory: string): string {
  const name = basename(directory)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+/, "");
  return name || "signalbox-project";
}

export interface InitOptions {
  /** What the project's package.json depends on for signalbox; default `file:` this package. */
  readonly signalbox?: string;
  readonly force?: boolean;
}

/**
 * Writes a new project into `directory` (created if needed).
 * @throws SignalboxError INPUT_INVALID when it would overwrite a file (unless `force`)
 */
export function scaffold(io: CliIo, directory: string, options: InitOptions): void {
  const target = resolve(directory);
  const own = ownManifest();
  const files = scaffoldFiles({
    name: packageName(target),
    signalbox: options.signalbox ?? defaultSignalboxDependency(),
    versions: {
      zod: own.dependencies.zod ?? "^4",
      vitest: own.devDependencies?.vitest ?? "^4",
      typesNode: own.devDependencies?.["@types/node"] ?? "^20",
    },
  });
  const taken = Object.keys(files).filter((path) => existsSync(join(target, path)));
  if (taken.length > 0 && !options.force)
    throw new SignalboxError(
      ErrorCode.InputInvalid,
      `${target} already has ${taken.join(", ")}; pick an empty directory, or pass --force to overwrite`,
    );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(target, path)), { recursive: true });
    writeFileSync(join(target, path), text);
  }
  const where = relative(process.cwd(), target) || ".";
  write(
    io,
    [
      `created a signalbox project in ${where}: ${Object.keys(files).join(", ")}`,
      "",
      "next:",
      ...(where === "." ? [] : [`  cd ${where}`]),
      "  npm install",
      `  npx signalbox run expense_claim --input '{"employee":"ada","amount":120,"description":"taxi to the airport"}'`,
      "  npm test",
      "  npx signalbox eval expense-claim",
    ].join("\n"),
  );
}
