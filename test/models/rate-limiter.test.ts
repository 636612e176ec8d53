import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../src/models/circuit-breaker.ts";
import { RateLimiter } from "../../src/models/rate-limiter.ts";

describe("RateLimiter", () => {
  it("holds a call until one in flight is released", async () => {
    const limiter = new RateLimiter({ maxInFlight: 1 });
    const first = await limiter.acquire();
    let secondStarted = false;
    const second = limiter.acquire().then((slot) => {
      secondStarted = true;
      return slot;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(secondStarted).toBe(false);
    limiter.release(first);
    limiter.release(await second);
    expect(secondStarted).toBe(true);
  });

  it("spaces requests to the per-minute limit, and counts real token use", async () => {
    let now = 0;
    const limiter = new RateLimiter({ requestsPerMinute: 2, tokensPerMinute: 1000 }, () => now);
    limiter.release(await limiter.acquire(10), 400);
    limiter.release(await limiter.acquire(10), 500);
    let third = false;
    const pending = limiter.acquire(10).then(() => {
      third = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(third).toBe(false);
    now = 60_001;
    limiter.release(await limiter.acquire(0));
    await pending;
    expect(third).toBe(true);
  });
});

describe("CircuitBreaker", () => {
  it("opens after consecutive failures, lets one trial through after the cooldown, and closes on success", () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1000, now: () => now });
    breaker.failure();
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe("open");
    expect(breaker.allow()).toBe(false);
    now = 1000;
    expect(breaker.state).toBe("half_open");
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    breaker.failure();
    expect(breaker.state).toBe("open");
    now = 2000;
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.state).toBe("closed");
  });
});
