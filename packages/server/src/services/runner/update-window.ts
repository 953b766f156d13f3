// The daily UTC window in which a runner may update itself: hours 0 to 23, start_hour required,
// end_hour defaulting to start_hour + 2, at least two hours long, and allowed to wrap past midnight
// (22 to 4). A window with neither hour set means "no restriction".
import { create } from "@bufbuild/protobuf";
import { UpdateWindowSchema, type UpdateWindow } from "@gitpod-connect/schema/gitpod/v1/runner";
import { invalidArgument } from "../../errors.js";

const minimumWindowHours = 2;
const defaultWindowHours = 2;

/** The window's length in hours, 1 to 24 (end == start counts as 0: an empty window). */
function windowHours(start: number, end: number): number {
  return (end - start + 24) % 24;
}

/**
 * The window to store for `window` (undefined: updates at any time), with end_hour filled in.
 * `field` is the request path of the window, e.g. "spec.configuration.update_window".
 */
export function normalizeUpdateWindow(window: UpdateWindow | undefined, field: string): UpdateWindow | undefined {
  if (!window || (window.startHour === undefined && window.endHour === undefined)) return undefined;
  const { startHour: start, endHour } = window;
  if (start === undefined) throw invalidArgument(`${field}.start_hour`, "is required when end_hour is set");
  if (start > 23) throw invalidArgument(`${field}.start_hour`, `must be a UTC hour from 0 to 23, got ${start}`);
  if (endHour !== undefined && endHour > 23) throw invalidArgument(`${field}.end_hour`, `must be a UTC hour from 0 to 23, got ${endHour}`);
  const end = endHour ?? (start + defaultWindowHours) % 24;
  if (windowHours(start, end) < minimumWindowHours)
    throw invalidArgument(
      `${field}.end_hour`,
      `the window from ${start}:00 to ${end}:00 UTC is shorter than ${minimumWindowHours} hours (it may wrap past midnight, e.g. 22 to 4)`,
    );
  return create(UpdateWindowSchema, { startHour: start, endHour: end });
}
