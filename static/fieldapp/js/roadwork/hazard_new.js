// An officer's hazard report goes through the officer's outbox (the one /field/
// uses), so a report made without network is kept on the phone and sent later,
// once (Idempotency-Key). Without an officer profile, or without JS, the form posts.
import { Outbox } from "../outbox.js";
import { pageConfig } from "../../../common/js/ui.js";

const config = pageConfig();
const form = document.getElementById("hazard-form");
const said = document.getElementById("outbox-said");

if (config.owner && form) {
  const outbox = new Outbox({
    owner: config.owner,
    onSent: (item) => {
      if (item.kind !== "hazard") return;
      said.textContent = `${config.labels.sent} ${item.label}`;
    },
  });
  outbox.start();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const json = {};
    for (const name of ["kind", "point", "address", "description", "found_by"]) {
      const value = data.get(name);
      if (value) json[name] = name === "point" ? Number(value) : value;
    }
    // Without the required fields the server's own form answer says what is missing.
    if (!json.kind || !json.description) {
      form.submit();
      return;
    }
    await outbox.add({ kind: "hazard", url: config.urls.hazards, json, label: json.description.slice(0, 40) });
    said.hidden = false;
    said.textContent = config.labels.queued;
    form.reset();
  });
}
