// The finder's hint that no open station is near (serializers.FarOut): the same markup as
// templates/stations/_far_hint.html. The server words the distances; this module only adds,
// from the page config, a suggestion when the point the list is measured from may be wrong.
import { h } from "../../common/js/ui.js";

// A picked area, a point tapped on the map and the city centre are guesses of where the
// citizen is; the phone's own position is doubtful only when it says so by its margin.
function advice(origin, config) {
  if (origin.kind !== "position") return config.labels.farPicked;
  if (origin.accuracy > config.roughPositionM) return config.labels.farRough;
  return "";
}

// The hint as the list's first item, or null when an open station is near.
export function farHint(far, origin, config) {
  if (!far) return null;
  const suggestion = advice(origin, config);
  return h(
    "li",
    { class: "far-hint", id: "far-hint", "data-kind": far.kind },
    h("p", { class: "far-text" }, far.text),
    suggestion ? h("p", { class: "far-advice" }, suggestion) : null,
    suggestion ? h("a", { class: "btn btn-secondary btn-block far-pick", href: "#areas", "data-pick-area": true }, config.labels.pickArea) : null,
  );
}
