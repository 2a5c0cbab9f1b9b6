// An officer's hazard report goes through the officer's outbox (the one /field/
// uses), so a report made without network is kept on the phone and sent later,
// once (Idempotency-Key). Without an officer profile, or without JS, the form posts.
//
// The form is cleared only once the report is safe: sent, or kept on the phone
// because the network is down. A report the server refuses stays in the form
// with the refusal next to its field, and leaves the outbox, so it is not listed
// a second time on /field/.
import { Outbox, PENDING } from "../outbox.js";
import { fill, h, pageConfig } from "../../../common/js/ui.js";
import { watchConnection } from "./connection.js";

const FIELDS = ["kind", "point", "address", "description", "found_by"];
// How often the page looks whether its report is still on its first try.
const WATCH_MS = 200;

const config = pageConfig();
const L = config.labels;
const form = document.getElementById("hazard-form");
const said = document.getElementById("outbox-said");
const summary = document.getElementById("hazard-errors");
const count = document.getElementById("outbox-count");
const connection = watchConnection({ labels: L.connection, probeUrl: config.urls.probe, probeMs: config.probeMs });

// --- showing what is wrong ---------------------------------------------------------

function say(text) {
  said.hidden = !text;
  said.textContent = text || "";
}

function clearErrors() {
  summary.hidden = true;
  summary.replaceChildren();
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
}

// errors: {name: [message, ...]} in the API envelope's shape; a name the form
// does not hold (non_field_errors) goes to the summary only.
function showErrors(errors, detail = "") {
  clearErrors();
  const lines = [];
  for (const [name, messages] of Object.entries(errors)) {
    const input = form.elements.namedItem(name);
    const label = config.fields[name];
    for (const message of messages) lines.push(label ? fill(L.fieldError, { label, message }) : message);
    if (!input || !label) continue;
    const id = `error-${name}`;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    input.closest(".field").append(h("p", { class: "field-error", id }, messages.join(" ")));
  }
  if (!lines.length && detail) lines.push(detail);
  summary.replaceChildren(h("p", {}, L.refused), ...lines.map((line) => h("p", {}, line)));
  summary.hidden = false;
  const first = form.querySelector("[aria-invalid]");
  (first || summary).focus({ preventScroll: false });
}

// What the page can tell before anything is sent: the required fields, the
// lengths (maxlength stops typing, not a value set by a script or a restore),
// and where the hazard is.
function check(values) {
  const errors = {};
  for (const name of FIELDS) {
    const input = form.elements.namedItem(name);
    const value = values[name] ?? "";
    if (input.required && !String(value).trim()) errors[name] = [L.required];
    else if (input.maxLength > 0 && String(value).length > input.maxLength) {
      errors[name] = [fill(L.tooLong, { limit: input.maxLength, n: String(value).length })];
    }
  }
  if (!values.point && !(values.address || "").trim() && !errors.address) errors.address = [L.where];
  return errors;
}

function read() {
  const data = new FormData(form);
  const values = {};
  for (const name of FIELDS) {
    const value = data.get(name);
    if (value) values[name] = name === "point" ? Number(value) : value;
  }
  return values;
}

function restore(values) {
  for (const name of FIELDS) {
    const input = form.elements.namedItem(name);
    if (input && name in values) input.value = String(values[name]);
  }
}

// --- sending -----------------------------------------------------------------------

if (config.owner && form) {
  // The report this page is waiting on: its outbox id and what to do with its fate.
  let waiting = null;

  const settle = (id, fate, data) => {
    if (!waiting || waiting.id !== id) return false;
    const done = waiting.done;
    waiting = null;
    done({ fate, data });
    return true;
  };

  const outbox = new Outbox({
    owner: config.owner,
    onChange: (items) => {
      const pending = items.filter((item) => item.status === PENDING).length;
      if (!count) return;
      count.hidden = pending === 0;
      count.textContent = pending ? fill(L.pending, { n: pending }) : "";
    },
    onSent: (item, data) => {
      connection.heard();
      if (item.kind !== "hazard") return;
      if (!settle(item.id, "sent", data)) say(fill(L.sent, { number: data.number || item.label }));
    },
    onRefused: (item, data) => {
      connection.heard();
      if (item.kind !== "hazard" || settle(item.id, "refused", data)) return;
      // A report kept on the phone earlier, refused now: back into the form if
      // the officer is not writing another one; else /field/ lists it.
      if (form.elements.namedItem("description").value.trim()) return;
      const values = { ...(item.json || {}) };
      delete values.device_time;
      restore(values);
      showErrors((data && data.fields) || {}, (data && data.detail) || "");
      outbox.dismiss(item.id);
    },
  });
  outbox.start();

  // The report is on its way until the outbox stops sending with it still
  // pending: then it waits on the phone for the network (or for /field/'s tab).
  const fateOf = (item) => new Promise((resolve) => {
    waiting = { id: item.id, done: resolve };
    const timer = setInterval(() => {
      if (!waiting || waiting.id !== item.id) {
        clearInterval(timer);
        return;
      }
      const mine = outbox.items.find((candidate) => candidate.id === item.id);
      if (!outbox.sending && mine && mine.status === PENDING) {
        clearInterval(timer);
        if (navigator.onLine === false || mine.attempts > 0) connection.lost();
        settle(item.id, "queued", null);
      }
    }, WATCH_MS);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (waiting) return;
    const values = read();
    const errors = check(values);
    if (Object.keys(errors).length) {
      say("");
      showErrors(errors);
      return;
    }
    clearErrors();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say(L.sending);
    const item = await outbox.add({ kind: "hazard", url: config.urls.hazards, json: values, label: values.description.slice(0, 40) });
    const { fate, data } = await fateOf(item);
    button.disabled = false;
    if (fate === "refused") {
      // The page shows the refusal and still holds the report: /field/ need not list it too.
      await outbox.dismiss(item.id);
      say("");
      restore(values);
      showErrors((data && data.fields) || {}, (data && data.detail) || "");
      return;
    }
    say(fate === "sent" ? fill(L.sent, { number: data.number }) : L.queued);
    form.reset();
  });
}
