import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/cli/environment.ts";
import { ErrorCode, SignalboxError } from "../../src/errors.ts";

/** The CONFIG_INVALID message readSettings throws for `environment`. */
function failure(environment: NodeJS.ProcessEnv, flags = {}): string {
  try {
    readSettings(flags, environment);
  } catch (error) {
    expect(error).toBeInstanceOf(SignalboxError);
    expect((error as SignalboxError).code).toBe(ErrorCode.ConfigInvalid);
    return (error as SignalboxError).message;
  }
  throw new Error("expected readSettings to throw");
}

describe("readSettings: the environment", () => {
  it("reads the variables it knows, an empty one as unset", () => {
    const settings = readSettings(
      {},
      {
        SIGNALBOX_LOG_LEVEL: "silent",
        SIGNALBOX_MODEL: "",
        SIGNALBOX_MODEL_RPM: " 60 ",
        SIGNALBOX_MCP_DEPTH: "0",
        SIGNALBOX_LEASE_MS: "1e3",
        OPENAI_BASE_URL: " https://example.test/v1 ",
        SIGNALBOX_SQLITE_SYNCHRONOUS: "NORMAL",
      },
    );
    expect(settings).toMatchObject({
      logLevel: "silent",
      model: { provider: "offline" },
      limits: { requestsPerMinute: 60 },
      mcpDepth: 0,
      leaseMs: 1000,
      baseURL: "https://example.test/v1",
      sqliteSynchronous: "NORMAL",
    });
  });

  it("names every bad variable, in a fixed order, with what was expected", () => {
    expect(
      failure({
        SIGNALBOX_SQLITE_SYNCHRONOUS: "normal",
        SIGNALBOX_MODEL_RPM: "many",
        OPENAI_BASE_URL: "nope",
        SIGNALBOX_LOG_LEVEL: "loud",
      }),
    ).toBe(
      'environment is invalid: SIGNALBOX_LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"; OPENAI_BASE_URL: expected a URL such as https://api.openai.com/v1; SIGNALBOX_MODEL_RPM: Invalid input: expected number, received NaN; SIGNALBOX_SQLITE_SYNCHRONOUS: expected FULL (default: no acknowledged write lost on power loss) or NORMAL (faster)',
    );
  });

  it("takes whole numbers in range only", () => {
    const rpm = (text: string) => failure({ SIGNALBOX_MODEL_RPM: text });
    expect(rpm("1.5")).toContain(
      "SIGNALBOX_MODEL_RPM: Invalid input: expected int, received number",
    );
    expect(rpm("0")).toContain("SIGNALBOX_MODEL_RPM: Too small: expected number to be >0");
    expect(rpm("Infinity")).toContain("expected number, received Infinity");
    expect(rpm("9007199254740993")).toContain("Too big: expected int to be <=9007199254740991");
    expect(failure({ SIGNALBOX_MCP_DEPTH: "-1" })).toContain(
      "SIGNALBOX_MCP_DEPTH: Too small: expected number to be >=0",
    );
    expect(failure({ SIGNALBOX_LEASE_MS: "99" })).toContain(
      "SIGNALBOX_LEASE_MS: expected at least 100 (milliseconds)",
    );
  });

  it("checks --database-url as SIGNALBOX_DATABASE_URL", () => {
    expect(failure({}, { databaseUrl: "mysql://db" })).toBe(
      "--database-url is invalid: (root): expected a PostgreSQL URL such as postgresql://user@host:5432/db",
    );
    expect(failure({ SIGNALBOX_DATABASE_URL: "mysql://db" })).toContain(
      "SIGNALBOX_DATABASE_URL: expected a PostgreSQL URL",
    );
    expect(readSettings({ databaseUrl: "postgresql://db" }, {}).databaseUrl).toBe(
      "postgresql://db",
    );
  });
});
