// Search: GET /v1/search?q= and its hits, each opening the video page at its moment.
// Where the server has no search route (404), the box is hidden with a note.
import { errorText, timecode } from "./common.js";

const form = document.getElementById("search-form");
const hits = document.getElementById("hits");
const status = document.getElementById("search-message");

function unavailable() {
  form.hidden = true;
  document.getElementById("search-unavailable").hidden = false;
  const top = document.querySelector("form.searchbox");
  if (top) top.hidden = true;
}

// One hit of /v1/search: {job_id, source, found, scene, start_s, end_s, score, tags, flags,
// snippet, highlights, links: {thumbnail}} (api/search_schemas.py of the archive index).
function chip(text, flag) {
  const span = document.createElement("span");
  span.className = flag ? "chip flag-chip" : "chip";
  span.textContent = text;
  return span;
}

// What was said or written, as text nodes with each match in a <mark> (never as markup).
function snippetOf(hit) {
  const quote = document.createElement("q");
  quote.className = "hit-snippet";
  const text = String(hit.snippet);
  let at = 0;
  for (const [start, end] of hit.highlights || []) {
    quote.append(text.slice(at, start));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(start, end);
    quote.append(mark);
    at = end;
  }
  quote.append(text.slice(at));
  const said = document.createElement("span");
  said.textContent = hit.found === "speech" ? "said: " : "on screen: ";
  said.append(quote);
  return said;
}

function hitItem(hit) {
  const start = Number(hit.start_s) || 0;
  const end = Number(hit.end_s) || start;
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.className = "hit";
  link.href = `/ui/jobs/${encodeURIComponent(hit.job_id)}?t=${start}`;
  const img = document.createElement("img");
  img.alt = "";
  img.width = 160;
  img.height = 90;
  img.src = hit.links.thumbnail;
  const text = document.createElement("span");
  text.className = "hit-text";
  const title = document.createElement("strong");
  title.textContent = hit.source || hit.job_id;
  const when = document.createElement("span");
  when.textContent = `${timecode(start)}–${timecode(end)} · score ${Number(hit.score).toFixed(2)}`;
  const chips = document.createElement("span");
  for (const flag of hit.flags || []) chips.append(chip(flag.replace(/_/g, " "), true));
  for (const tag of (hit.tags || []).slice(0, 4)) chips.append(chip(tag.label, false));
  text.append(title, when);
  if (hit.snippet) text.append(snippetOf(hit));
  text.append(chips);
  link.append(img, text);
  li.append(link);
  return li;
}

async function search(q) {
  hits.replaceChildren();
  if (!q.trim()) { status.textContent = "Type what you are looking for."; return; }
  status.textContent = "Searching…";
  const response = await fetch(`/v1/search?q=${encodeURIComponent(q)}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
  let data = null;
  try { data = await response.json(); } catch (err) { data = null; }
  if (response.status === 404 && !(data && data.error && data.error.code !== "not_found")) { unavailable(); status.textContent = ""; return; }
  if (!response.ok) { status.textContent = errorText({ status: response.status, data }); return; }
  const list = data.hits || [];
  status.textContent = list.length ? `${list.length} moment${list.length === 1 ? "" : "s"} found.` : "Nothing found.";
  hits.append(...list.map(hitItem));
}

if (form && !document.getElementById("search-root").hasAttribute("data-unavailable")) {
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = form.elements.q.value;
    history.replaceState(null, "", `/ui/search?q=${encodeURIComponent(q)}`);
    search(q);
  });
  if (form.elements.q.value) search(form.elements.q.value);
}
