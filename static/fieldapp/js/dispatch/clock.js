// Clock times and "today" on the desk, in the server's time zone (Asia/Shanghai),
// not the browser's: a desk in a UTC browser must still read 16:17 for a 16:17 job.

import { config } from "./state.js";

const lang = document.documentElement.lang || undefined;
const { timeZone } = config;
const minutes = new Intl.DateTimeFormat(lang, { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const seconds = new Intl.DateTimeFormat(lang, { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
// en-CA writes a date as 2026-12-07, which compares as a plain string.
const day = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });

function parse(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

// 16:17
export function clock(iso) {
  const date = parse(iso);
  return date ? minutes.format(date) : "";
}

// 16:17:05, for a title when steps share a minute.
export function exactClock(iso) {
  const date = parse(iso);
  return date ? seconds.format(date) : "";
}

export function isToday(iso, now = new Date()) {
  const date = parse(iso);
  return date !== null && day.format(date) === day.format(now);
}
