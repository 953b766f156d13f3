import { describe, expect, it } from "vitest";
import { controllableClock, manualClock } from "./clock.js";

describe("manual clock", () => {
  it("fires timers in due order when advanced past them, each at its own time", async () => {
    const clock = manualClock(1_000);
    const fired: [string, number][] = [];
    clock.setTimer(300, () => fired.push(["c", clock.nowMs()]));
    clock.setTimer(100, () => fired.push(["a", clock.nowMs()]));
    clock.setTimer(200, () => fired.push(["b", clock.nowMs()]));
    await clock.advance(250);
    expect(fired).toEqual([
      ["a", 1_100],
      ["b", 1_200],
    ]);
    expect(clock.nowMs()).toBe(1_250);
    await clock.advance(50);
    expect(fired.map(([n]) => n)).toEqual(["a", "b", "c"]);
  });

  it("awaits each timer and fires timers its callback schedules within the same advance", async () => {
    const clock = manualClock(0);
    const log: string[] = [];
    clock.setTimer(10, async () => {
      await new Promise((r) => setTimeout(r, 5));
      log.push(`first@${clock.nowMs()}`);
      clock.setTimer(10, () => log.push(`second@${clock.nowMs()}`));
    });
    await clock.advance(100);
    expect(log).toEqual(["first@10", "second@20"]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("moves time at once when nothing is due, so an advance need not be awaited", () => {
    const clock = manualClock(0);
    void clock.advance(500);
    expect(clock.nowMs()).toBe(500);
  });

  it("never fires a cancelled timer", async () => {
    const clock = manualClock(0);
    let fired = false;
    const cancel = clock.setTimer(10, () => (fired = true));
    cancel();
    await clock.advance(100);
    expect(fired).toBe(false);
  });

  it("fires a timer that is already due even while frozen, without being advanced", async () => {
    const clock = manualClock(0);
    const fired = new Promise<number>((resolve) => clock.setTimer(0, () => resolve(clock.nowMs())));
    expect(await fired).toBe(0);
  });

  it("keeps going after a timer throws", async () => {
    const clock = manualClock(0);
    const errors = console.error;
    console.error = () => undefined;
    let later = false;
    clock.setTimer(1, () => {
      throw new Error("boom");
    });
    clock.setTimer(2, () => (later = true));
    await clock.advance(5);
    console.error = errors;
    expect(later).toBe(true);
  });
});

describe("controllable wall clock", () => {
  it("fires timers by real time until frozen, then only when advanced", async () => {
    const clock = controllableClock();
    const ran = await new Promise<boolean>((resolve) => clock.setTimer(5, () => resolve(true)));
    expect(ran).toBe(true);

    clock.freeze();
    const at = clock.nowMs();
    let fired = false;
    clock.setTimer(20, () => (fired = true));
    await new Promise((r) => setTimeout(r, 40));
    expect(fired).toBe(false);
    expect(clock.nowMs()).toBe(at);
    await clock.advance(20);
    expect(fired).toBe(true);

    clock.resume();
    await new Promise((r) => setTimeout(r, 5));
    expect(clock.nowMs()).toBeGreaterThan(at + 20);
  });
});
