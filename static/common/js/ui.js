// Small DOM and formatting helpers shared by the field and dispatch pages.

export function pageConfig() {
  const node = document.getElementById("page-config");
  return node ? JSON.parse(node.textContent) : {};
}

// h("p", {class: "x", onclick: fn}, "text", child) builds an element; text is
// always set as text, never parsed as HTML.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// "Sent to {names}." with {names: "..."}.
export function fill(template, values = {}) {
  return String(template).replace(/\{(\w+)\}/g, (match, key) => (key in values ? values[key] : match));
}

export function url(template, id) {
  return template.replace("{id}", encodeURIComponent(id));
}

export function secondsSince(iso, now = Date.now()) {
  if (!iso) return null;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.round((now - at) / 1000));
}

export function duration(seconds, labels) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return labels.none || "–";
  if (seconds < 90) return fill(labels.seconds, { n: Math.round(seconds) });
  if (seconds < 90 * 60) return fill(labels.minutes, { n: Math.round(seconds / 60) });
  return fill(labels.hours, { n: (seconds / 3600).toFixed(1) });
}

// Clock times and days are the city's (settings.TIME_ZONE, which base.html puts on <html>), as the
// server writes them, whatever time zone the phone or the desk's computer is set to: a 16:17 job
// never reads 08:17 in a browser set to UTC.
const CITY_TIME_ZONE = document.documentElement.dataset.timeZone || "Asia/Shanghai";
const lang = document.documentElement.lang || undefined;
const minutes = new Intl.DateTimeFormat(lang, { timeZone: CITY_TIME_ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const seconds = new Intl.DateTimeFormat(lang, {
  timeZone: CITY_TIME_ZONE, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});
// en-CA writes a date as 2026-12-07, which compares as a plain string.
const cityDay = new Intl.DateTimeFormat("en-CA", { timeZone: CITY_TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" });

function parseMoment(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

// 16:17
export function clock(iso) {
  const date = parseMoment(iso);
  return date ? minutes.format(date) : "";
}

// 16:17:05, for a title when steps share a minute.
export function exactClock(iso) {
  const date = parseMoment(iso);
  return date ? seconds.format(date) : "";
}

export function isToday(iso, now = new Date()) {
  const date = parseMoment(iso);
  return date !== null && cityDay.format(date) === cityDay.format(now);
}

export function median(values) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function showConnection(element, status, labels) {
  if (!element) return;
  element.dataset.state = status;
  const label = element.querySelector(".connection-label");
  if (label) label.textContent = labels[status] || status;
}
