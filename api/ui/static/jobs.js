// The jobs page: drag-and-drop or URL submission with the options users
// change, and live progress of the jobs that are still running.
import { announce, csrfToken, errorText, percent } from "./common.js";

const FINAL = new Set(["succeeded", "failed", "cancelled"]);
const POLL_MS = 1000;

function options(form) {
  const value = (name) => form.elements[name].value.trim();
  const opts = {};
  const labels = value("labels").split(",").map((s) => s.trim()).filter(Boolean);
  if (labels.length || value("vocabulary")) {
    opts.tags = {};
    if (labels.length) opts.tags.labels = labels;
    if (value("vocabulary")) opts.tags.vocabulary = value("vocabulary");
  }
  if (value("fps")) opts.sampling = { fps: Number(value("fps")) };
  const policy = value("policy");
  if (policy === "off") opts.moderation = { enabled: false };
  else if (policy) opts.moderation = { enabled: true, policy };
  if (value("language")) opts.captions = { language: value("language") };
  return opts;
}

function message(text, kind) {
  const box = document.getElementById("job-message");
  box.textContent = text;
  box.className = `form-message ${kind || ""}`;
}

// XMLHttpRequest rather than fetch: it reports upload progress.
function upload(formData, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/jobs");
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
    xhr.addEventListener("load", () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
      resolve({ ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, data });
    });
    xhr.addEventListener("error", () => resolve({ ok: false, status: 0, data: null }));
    xhr.send(formData);
  });
}

async function submit(form, file) {
  const url = form.elements.url.value.trim();
  const tag = form.elements.tag.value.trim();
  if (!file && !url) { message("Choose or drop a video file, or give its URL.", "error"); return; }
  if (file && file.size === 0) { message(`${file.name} is empty (0 bytes): choose a video file.`, "error"); return; }
  const max = Number(form.dataset.maxBytes);
  if (file && max && file.size > max) { message(`${file.name} is larger than this server takes (${Math.round(max / 1048576)} MB).`, "error"); return; }
  const button = document.getElementById("submit-job");
  const bar = document.getElementById("upload-progress");
  button.disabled = true;
  let result;
  if (file) {
    const data = new FormData();
    data.append("file", file, file.name);
    data.append("options", JSON.stringify(options(form)));
    if (tag) data.append("tag", tag);
    bar.hidden = false;
    message(`Uploading ${file.name}…`);
    result = await upload(data, (f) => { bar.value = f; });
  } else {
    const body = { url, options: options(form) };
    if (tag) body.tag = tag;
    result = await fetch("/v1/jobs", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body),
    }).then(async (r) => ({ ok: r.ok, status: r.status, data: await r.json().catch(() => null) }))
      .catch(() => ({ ok: false, status: 0, data: null }));
  }
  button.disabled = false;
  bar.hidden = true;
  if (!result.ok) { message(errorText(result), "error"); return; }
  message("Job started. It appears in the list below.", "ok");
  announce("Job started.");
  window.location.assign("/ui/jobs");
}

function setUpForm() {
  const form = document.getElementById("new-job");
  if (!form) return;
  const input = document.getElementById("file");
  const zone = document.getElementById("dropzone");
  const name = document.getElementById("file-name");
  let chosen = null;
  const choose = (file) => {
    chosen = file;
    name.textContent = file ? `${file.name} · ${(file.size / 1048576).toFixed(1)} MB` : "";
    if (file) announce(`Chosen: ${file.name}`);
  };
  input.addEventListener("change", () => choose(input.files[0] || null));
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("over"); });
  }
  for (const type of ["dragleave", "drop"]) {
    zone.addEventListener(type, () => zone.classList.remove("over"));
  }
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
  });
  // The label opens the picker on click; Enter and Space on the focused input do too.
  form.addEventListener("submit", (e) => { e.preventDefault(); submit(form, chosen); });
}

function updateRow(row, job) {
  row.dataset.status = job.status;
  const status = row.querySelector('[data-field="status"]');
  status.textContent = job.status;
  status.className = `status s-${job.status}`;
  row.querySelector("progress").value = job.progress.overall;
  row.querySelector('[data-field="pct"]').textContent = percent(job.progress.overall);
  row.querySelector('[data-field="stage"]').textContent = job.stage || "";
  if (FINAL.has(job.status)) {
    delete row.dataset.live;
    const link = row.querySelector("a");
    announce(`${link ? link.textContent : "A job"} ${job.status}.`);
  }
}

async function poll() {
  const rows = document.querySelectorAll("tr[data-live]");
  await Promise.all(Array.from(rows).map(async (row) => {
    try {
      const r = await fetch(`/v1/jobs/${row.dataset.job}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (r.ok) updateRow(row, await r.json());
    } catch (err) { /* the next round tries again */ }
  }));
  if (document.querySelector("tr[data-live]")) window.setTimeout(poll, POLL_MS);
}

setUpForm();
if (document.querySelector("tr[data-live]")) window.setTimeout(poll, POLL_MS);
