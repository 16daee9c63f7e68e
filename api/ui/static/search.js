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

function hitItem(hit) {
  const jobId = hit.job_id || (hit.job && hit.job.id);
  const start = Number(hit.start_s) || 0;
  const end = Number(hit.end_s) || start;
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.className = "hit";
  link.href = `/ui/jobs/${encodeURIComponent(jobId)}?t=${start}`;
  const img = document.createElement("img");
  img.alt = "";
  img.width = 160;
  img.height = 90;
  const scene = hit.scene !== undefined ? hit.scene : hit.scene_index;
  img.src = (hit.links && hit.links.thumbnail) || hit.thumbnail || `/v1/jobs/${encodeURIComponent(jobId)}/thumbnails/${scene}.jpg`;
  const text = document.createElement("span");
  text.className = "hit-text";
  const title = document.createElement("strong");
  title.textContent = hit.source || (hit.job && hit.job.source && hit.job.source.name) || jobId;
  const when = document.createElement("span");
  when.textContent = `${timecode(start)}–${timecode(end)}`;
  const score = document.createElement("span");
  score.className = "muted";
  score.textContent = `score ${Number(hit.score).toFixed(2)}`;
  text.append(title, when, score);
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
  const list = data.hits || data.items || [];
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
