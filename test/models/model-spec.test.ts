import { describe, expect, it } from "vitest";
import { parseModelSpec } from "../../src/models/model-spec.ts";

describe("parseModelSpec", () => {
  it("reads the three forms", () => {
    expect(parseModelSpec("offline")).toEqual({ provider: "offline", id: "offline" });
    expect(parseModelSpec("openai:gpt-4.1-mini")).toEqual({
      provider: "openai",
      model: "gpt-4.1-mini",
      id: "openai:gpt-4.1-mini",
    });
    expect(parseModelSpec("openai-compatible:llama3.1:8b@http://localhost:11434/v1")).toEqual({
      provider: "openai-compatible",
      model: "llama3.1:8b",
      baseURL: "http://localhost:11434/v1",
      id: "openai-compatible:llama3.1:8b@http://localhost:11434/v1",
    });
  });

  it("says which forms are accepted when one is wrong", () => {
    expect(() => parseModelSpec("gpt-4", "SIGNALBOX_MODEL")).toThrow(
      /SIGNALBOX_MODEL "gpt-4" is invalid: unknown provider\. Expected "offline", "openai:<model>"/,
    );
    expect(() => parseModelSpec("openai:")).toThrow(/model name is empty/);
    expect(() => parseModelSpec("openai-compatible:llama")).toThrow(/expected <model>@<baseURL>/);
    expect(() => parseModelSpec("openai-compatible:llama@ftp://x")).toThrow(
      /expected an http\(s\) URL/,
    );
  });
});
