// The video page: everything with a time seeks the player there, the current
// scene and caption cue are highlighted while it plays, keys step through
// scenes and frames, captions, descriptions and cues are edited in place
// (saved as revisions; the player's tracks reload to show them), and boxes
// mark the on-screen text over the player.
import { announce, api, errorText, percent, timecode, typing } from "./common.js";
import { textBoxes } from "./overlay.js";
import { tabs } from "./tabs.js";

const root = document.getElementById("review-root");
const video = document.getElementById("player");

function placeSegments(duration) {
  // Positions come from data attributes: the page's style policy allows no inline styles.
  for (const seg of document.querySelectorAll(".lanes .seg")) {
    const start = Number(seg.dataset.start);
    const end = Math.max(Number(seg.dataset.end), start);
    seg.style.left = `${(start / duration) * 100}%`;
    seg.style.width = `max(${((end - start) / duration) * 100}%, 3px)`;
  }
  // Texts on screen at once are stacked in rows of their lane.
  for (const track of document.querySelectorAll(".lanes .text-track")) {
    let rows = 1;
    for (const seg of track.querySelectorAll(".seg")) {
      const row = Number(seg.dataset.row) || 0;
      seg.style.top = `calc(${row} * var(--row-height))`;
      rows = Math.max(rows, row + 1);
    }
    track.style.height = `calc(${rows} * var(--row-height))`;
  }
}

// The caption cue playing now, in the lane and in the transcript panel.
let currentCue = null;
function highlightCue(time) {
  const cues = document.querySelectorAll(".speech-cue");
  let found = null;
  for (const el of cues) {
    if (time >= Number(el.dataset.start) && time < Number(el.dataset.end)) found = el.dataset.cue;
  }
  if (found === currentCue) return;
  currentCue = found;
  for (const el of document.querySelectorAll(".speech-cue, .speech-seg")) {
    const on = el.dataset.cue === found;
    el.classList.toggle("current", on);
    if (el.classList.contains("speech-cue")) {
      if (on) el.setAttribute("aria-current", "true"); else el.removeAttribute("aria-current");
    }
  }
  const here = found === null ? null : document.getElementById(`speech-${found}`);
  const side = here ? here.closest(".side") : null;
  if (here && side && !here.closest("[hidden]") && !video.paused) {
    // Keep the playing cue in view inside the panel, without scrolling the page.
    const top = here.offsetTop - side.offsetTop;
    if (top < side.scrollTop || top + here.offsetHeight > side.scrollTop + side.clientHeight) {
      side.scrollTop = Math.max(0, top - side.clientHeight / 3);
    }
  }
}

// The player's text tracks again from the server, so a saved edit shows there.
function reloadTracks() {
  if (!video) return;
  const stamp = String(Date.now());
  for (const old of Array.from(video.querySelectorAll("track"))) {
    const mode = old.track ? old.track.mode : "disabled";
    const fresh = old.cloneNode(false);
    const url = new URL(old.getAttribute("src"), window.location.href);
    url.searchParams.set("v", stamp);
    fresh.setAttribute("src", url.pathname + url.search);
    old.replaceWith(fresh);
    if (fresh.track) fresh.track.mode = mode;
  }
}

function scenes() {
  return Array.from(document.querySelectorAll(".strip .thumb")).map((el) => ({
    index: Number(el.dataset.scene), start: Number(el.dataset.start), end: Number(el.dataset.end),
  }));
}

function seek(seconds) {
  if (!video) return;
  video.currentTime = Math.max(0, seconds + 0.001);
  announce(`At ${timecode(seconds)}`);
}

let current = -1;
function highlight(list, time, duration) {
  const found = list.find((s) => time >= s.start && time < s.end);
  const index = found ? found.index : (list.length ? list[list.length - 1].index : -1);
  const head = document.querySelector(".playhead");
  if (head) head.style.left = `calc(var(--label-width) + (100% - var(--label-width)) * ${time / duration})`;
  if (index === current) return;
  current = index;
  for (const el of document.querySelectorAll("[data-scene]")) {
    const on = Number(el.dataset.scene) === index && !el.classList.contains("text-block");
    el.classList.toggle("current", on);
    if (el.classList.contains("thumb") || el.classList.contains("cue")) {
      if (on) el.setAttribute("aria-current", "true"); else el.removeAttribute("aria-current");
    }
  }
  const thumb = document.querySelector(`.strip .thumb[data-scene="${index}"]`);
  if (thumb && !video.paused) thumb.scrollIntoView({ block: "nearest", inline: "nearest" });
}

function step(list, direction) {
  const t = video.currentTime;
  if (direction > 0) {
    const next = list.find((s) => s.start > t + 0.01);
    if (next) seek(next.start);
  } else {
    const here = list.filter((s) => s.start < t - 0.3);
    const prev = here.length ? here[here.length - 1] : list[0];
    if (prev) seek(prev.start);
  }
}

function keys(list, fps) {
  document.addEventListener("keydown", (event) => {
    if (!video || typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === "k") { if (video.paused) video.play(); else video.pause(); }
    else if (key === "n") step(list, 1);
    else if (key === "p") step(list, -1);
    else if (key === "." || key === ",") {
      video.pause();
      video.currentTime = Math.max(0, video.currentTime + (key === "." ? 1 : -1) / fps);
    } else return;
    event.preventDefault();
  });
}

function showWarnings(block, warnings) {
  const list = block.querySelector('[data-role="warnings"]');
  if (!list) return;
  list.replaceChildren(...(warnings || []).map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
  list.hidden = !list.children.length;
}

// Someone else saved first: show the text that won, keep what this editor typed.
function showWinner(block, result) {
  const current = result.data && result.data.error && result.data.error.detail
    && result.data.error.detail.current;
  if (!current) return "";
  block.dataset.base = String(current.seq);
  for (const input of block.querySelectorAll('input[name="base"]')) input.value = String(current.seq);
  block.querySelector('[data-role="text"]').textContent = current.after;
  badgeReviewed(block, current.author);
  return ` Saved by ${current.author}: “${current.after}”. Your text is still in the box: save again to put it over theirs.`;
}

function badgeReviewed(block, author) {
  let badge = block.querySelector('[data-role="badge"]');
  if (!badge) {
    badge = document.createElement("span");
    block.querySelector(".text-head").append(badge);
    badge.dataset.role = "badge";
  }
  badge.className = "review-badge reviewed";
  badge.textContent = `Reviewed by ${author} · just now`;
}

async function saveText(form, withText) {
  const block = form.closest(".text-block");
  const out = form.querySelector(".form-message");
  const body = { field: block.dataset.field, base: Number(block.dataset.base) };
  if (block.dataset.scene !== undefined) body.scene = Number(block.dataset.scene);
  if (withText) body.text = form.elements.text.value;
  const result = await api("POST", `/v1/jobs/${root.dataset.job}/revisions`, body);
  if (!result.ok) {
    const text = errorText(result) + (result.status === 409 ? showWinner(block, result) : "");
    if (out) out.textContent = text; else announce(text);
    if (form.elements.text) form.elements.text.setAttribute("aria-invalid", "true");
    return;
  }
  const saved = result.data;
  block.dataset.base = String(saved.seq);
  for (const input of block.querySelectorAll('input[name="base"]')) input.value = String(saved.seq);
  block.querySelector('[data-role="text"]').textContent = saved.after;
  showWarnings(block, saved.warnings);
  if (body.field === "cue") {
    const seg = document.querySelector(`.speech-seg[data-cue="${body.scene}"] [data-role="seg-text"]`);
    if (seg) seg.textContent = saved.after.replace(/\n/g, " ");
  }
  badgeReviewed(block, saved.author);
  const review = block.querySelector(".review-form");
  if (review) review.remove();
  const details = block.querySelector("details.edit");
  if (details) details.open = false;
  if (out) out.textContent = "";
  if (form.elements.text) form.elements.text.removeAttribute("aria-invalid");
  const summary = details ? details.querySelector("summary") : null;
  if (summary) summary.focus();
  if (saved.changed) reloadTracks();
  const warned = saved.warnings && saved.warnings.length ? ` Over the style: ${saved.warnings.join("; ")}.` : "";
  announce(saved.changed ? `Saved${saved.note ? `: ${saved.note}` : "."}${warned}` : "Marked reviewed.");
}

function setUp() {
  if (!root) return;
  const duration = Number(root.dataset.duration) || 1;
  const fps = Number(root.dataset.fps) || 25;
  const list = scenes();
  placeSegments(duration);
  const hash = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  const reveal = tabs(document.querySelector(".side .tabs"), hash);
  if (hash) hash.scrollIntoView({ block: "nearest" });
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-seek]");
    if (!target) return;
    seek(Number(target.dataset.seek));
    // A cue picked in the lane: its text in the transcript panel comes into view.
    const cue = target.dataset.cue !== undefined && document.getElementById(`speech-${target.dataset.cue}`);
    if (cue && target.closest(".lanes")) { reveal(cue); cue.scrollIntoView({ block: "nearest" }); }
  });
  for (const form of document.querySelectorAll(".edit-form")) {
    form.addEventListener("submit", (e) => { e.preventDefault(); saveText(form, true); });
  }
  for (const form of document.querySelectorAll(".review-form")) {
    form.addEventListener("submit", (e) => { e.preventDefault(); saveText(form, false); });
  }
  if (!video) return;
  keys(list, fps);
  textBoxes(video);
  const update = () => { highlight(list, video.currentTime, duration); highlightCue(video.currentTime); };
  video.addEventListener("timeupdate", update);
  video.addEventListener("seeked", update);
  const start = Number(new URLSearchParams(window.location.search).get("t"));
  if (start > 0) {
    const go = () => { video.currentTime = start; update(); };
    if (video.readyState >= 1) go(); else video.addEventListener("loadedmetadata", go, { once: true });
  }
  update();
}

// A job still running: follow its progress, then show the finished page.
function follow() {
  const box = document.getElementById("job-status");
  if (!box || box.dataset.live === undefined) return;
  const tick = async () => {
    const result = await api("GET", `/v1/jobs/${box.dataset.job}`);
    if (result.ok) {
      const job = result.data;
      box.querySelector("progress").value = job.progress.overall;
      box.querySelector('[data-field="pct"]').textContent = percent(job.progress.overall);
      box.querySelector('[data-field="stage"]').textContent = job.stage || "";
      if (["succeeded", "failed", "cancelled"].includes(job.status)) { window.location.reload(); return; }
    }
    window.setTimeout(tick, 1000);
  };
  window.setTimeout(tick, 1000);
}

setUp();
follow();
