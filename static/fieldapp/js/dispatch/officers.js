// The officers table beside the map: state, age of the last fix, phone.

import { duration, fill, h } from "../../../common/js/ui.js";
import { renderOfficerMap } from "./map.js";
import { L, config, elements, fixAgeS, officerState, state, stateLabel } from "./state.js";

export function renderOfficers() {
  const officers = [...state.officers.values()].sort((a, b) => String(a.call_sign).localeCompare(String(b.call_sign)));
  elements.officerRows.replaceChildren(...(officers.length ? officers.map((officer) => {
    const status = officerState(officer);
    const age = fixAgeS(officer.fix);
    const stale = officer.fix && age > config.staleFixS;
    return h("tr", { "data-officer": officer.id, "data-state": status, class: stale ? "stale" : "" },
      h("td", {}, h("strong", {}, officer.call_sign), " ", officer.name),
      h("td", {}, h("span", { class: `state-badge state-${status}` }, stateLabel[status] || status)),
      h("td", {}, officer.fix ? (stale ? fill(L.stale, { age: duration(age, L) }) : fill(L.fixAge, { age: duration(age, L) })) : L.noFix),
      h("td", {}, officer.phone ? h("a", { href: `tel:${officer.phone}` }, officer.phone) : ""),
    );
  }) : [h("tr", {}, h("td", { colspan: 4 }, L.noOfficers))]));
  renderOfficerMap();
}
