// Terril's iCalendar probe: node-ical and ical.js parse each .ics file given; prints per file the
// events (UID, SEQUENCE) each parser saw, the time zones ical.js found, or the parser's error.
//   node ical_check.mjs <feed.ics> …
import { readFileSync } from "node:fs";
import nodeIcal from "node-ical";
import ICAL from "ical.js";

function withNodeIcal(text) {
  try {
    const data = nodeIcal.sync.parseICS(text);
    const events = Object.values(data).filter((c) => c.type === "VEVENT")
      .map((e) => ({ uid: e.uid, sequence: Number(e.sequence ?? 0) }));
    return { error: null, events };
  } catch (e) { return { error: String(e), events: [] }; }
}

function withIcalJs(text) {
  try {
    const root = new ICAL.Component(ICAL.parse(text));
    if (root.name !== "vcalendar") throw new Error(`root component is ${root.name}`);
    const events = root.getAllSubcomponents("vevent").map((c) => {
      const e = new ICAL.Event(c);
      if (!e.startDate || !e.endDate) throw new Error(`event ${e.uid} has no start or end`);
      return { uid: e.uid, sequence: Number(e.sequence ?? 0) };
    });
    const timezones = root.getAllSubcomponents("vtimezone").map((c) => c.getFirstPropertyValue("tzid"));
    return { error: null, events, timezones };
  } catch (e) { return { error: String(e), events: [], timezones: [] }; }
}

const out = process.argv.slice(2).map((file) => {
  const text = readFileSync(file, "utf8");
  return { file, nodeIcal: withNodeIcal(text), icalJs: withIcalJs(text) };
});
process.stdout.write(JSON.stringify(out, null, 1));
