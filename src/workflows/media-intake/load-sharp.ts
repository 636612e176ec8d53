/**
 * sharp, loaded on first use: its native addon costs a few hundred ms to load, and the
 * CLI registers the demo workflows on every command, most of which never touch an image.
 */
let loading: Promise<typeof import("sharp")> | undefined;

export async function loadSharp(): Promise<typeof import("sharp")["default"]> {
  loading ??= import("sharp");
  return (await loading).default;
}
