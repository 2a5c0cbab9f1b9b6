// What the server would refuse in a quick-clearance record, checked on the
// phone before anything is queued.
//
// A record saved in a tunnel that the server later refuses bounces the job
// back to "on scene" after the officer has ridden off, so the phone asks first.
// This mirrors fieldapp/records.py quick_clearance_problems rule for rule; the
// words, the photo slots and the checklist come from the server in the page
// config (views._quick_clearance_rules), so both say the same thing. The
// server stays the authority: what it still refuses shows in the outbox list.
// The future-time rule is not checked here: the times come from this phone's
// clock, which is the one the server allows a skew for.

// record: { answers: {item: true|false}, parties: [{plate, vehicle_type,
// insurer, responsibility}] (the rows the body sends), agreement,
// vehicles_moved_at, lanes_open_at, tow_called, status }; slotsFilled: a Set.
// Returns a Map of where -> messages: the server's `fields`, with each
// missing photo under its own slot ("photos.<slot>") so the form can mark it
// there; the others are "checklist", "parties", "parties[i].plate",
// "parties[i].responsibility", "agreement", "vehicles_moved_at",
// "lanes_open_at" and "tow_called", as the server names them.
export function quickClearanceProblems(record, slotsFilled, form) {
  const { rules } = form;
  const words = rules.messages;
  const problems = new Map();
  const add = (where, message) => {
    if (!problems.has(where)) problems.set(where, []);
    problems.get(where).push(message);
  };
  const answers = record.answers || {};
  const parties = record.parties || [];
  const failing = form.checklist.some(({ name }) => answers[name] === false);
  const unanswered = form.checklist.some(({ name }) => answers[name] !== true && answers[name] !== false);
  // As checklist_evaluate: one "no" sends the case to the ordinary procedure.
  const ordinary = failing;
  const moved = record.vehicles_moved_at || null;
  const lanes = record.lanes_open_at || null;
  const missingSlots = form.slots.filter((slot) => !slotsFilled.has(slot));

  // Held at every save, "finish later" included.
  if (moved && lanes && Date.parse(lanes) < Date.parse(moved)) add("lanes_open_at", words.lanesBeforeMoved);
  if (moved && missingSlots.length && !ordinary) add("vehicles_moved_at", words.photosBeforeMoving);
  if (record.agreement === rules.agreed && parties.some((party) => party.responsibility)) {
    add("parties", words.agreedNoResponsibility);
  }
  parties.forEach((party, index) => {
    if (!String(party.plate || "").trim()) add(`parties[${index}].plate`, words.plate);
  });
  if (record.status !== rules.complete) return problems;

  if (!failing && unanswered) add("checklist", words.checklist);
  // Under the ordinary procedure the failed checklist is the record.
  if (ordinary) return problems;
  for (const slot of missingSlots) add(`photos.${slot}`, words.photos[slot]);
  if (parties.length < rules.minParties) add("parties", words.parties);
  if (![rules.agreed, rules.finding].includes(record.agreement)) add("agreement", words.agreement);
  if (record.agreement === rules.finding) {
    parties.forEach((party, index) => {
      if (!party.responsibility) add(`parties[${index}].responsibility`, words.responsibility);
    });
  }
  if (!moved) add("vehicles_moved_at", words.vehicles_moved_at);
  if (!lanes) add("lanes_open_at", words.lanes_open_at);
  if (record.tow_called !== true && record.tow_called !== false) add("tow_called", words.tow_called);
  return problems;
}
